"""Le dossier d'accompagnement dans Chromium : axe-core, formulaires dépliés compris.

Même montage que `pilotage/tests/test_navigateur.py` : serveur de pytest-django, tests
transactionnels qui épargnent les communes, compte superutilisateur (les rôles ne sont pas
lus sous `available_apps`)."""

import datetime as dt
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.conf import settings as reglages
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from accompagnement.models import Accompagnement, ActionPlan, Diagnostic, Renfort
from comptes.tests.outils import connecter_avec_double_facteur
from pilotage.tests.factories import DepartementFactory

APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]


@pytest.fixture
def onglet(chromium: Browser, live_server) -> Iterator:
    contextes = []

    def ouvrir(utilisateur) -> Page:
        client = Client()
        connecter_avec_double_facteur(client, utilisateur)
        contexte = chromium.new_context(locale="fr-FR", base_url=live_server.url)
        cookie = client.cookies[reglages.SESSION_COOKIE_NAME]
        contexte.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contextes.append(contexte)
        return contexte.new_page()

    yield ouvrir
    for contexte in contextes:
        contexte.close()


def _sans_violation(page: Page) -> None:
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_le_dossier_d_accompagnement_passe_axe_core_et_fait_avancer_une_action(onglet, settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    dossier = Accompagnement.objects.create(
        departement=DepartementFactory(code="58"),
        motif="MDPH 58 en difficulté en 2024 d'après les demandes transmises",
        debut=dt.date(2024, 7, 1),
        signataire_cnsa="Direction de la CNSA",
        signataire_departement="Président du conseil départemental",
        signataire_mdph="Directrice de la MDPH",
        date_signature=dt.date(2024, 7, 15),
        reference_document="CONV-2024-58",
    )
    Diagnostic.objects.create(accompagnement=dossier, axe="cdaph", niveau="critique")
    ActionPlan.objects.create(
        accompagnement=dossier,
        intitule="Séances de CDAPH",
        responsable="MDPH",
        echeance=dt.date(2024, 12, 31),
    )
    Renfort.objects.create(accompagnement=dossier, intitule="Intérim", agents_etp=2, mois=6)
    page = onglet(User.objects.create_superuser("verification", "v@exemple.fr", "x" * 12))

    page.goto(f"/pilotage/accompagnement/{dossier.pk}/")
    expect(page.locator("h1")).to_contain_text("Accompagnement de la MDPH")
    for resume in page.locator("summary").all():
        resume.click()
    _sans_violation(page)

    page.get_by_role("button", name="Démarrer : Séances de CDAPH").click()
    expect(page.get_by_role("status")).to_contain_text("en cours")
    _sans_violation(page)
