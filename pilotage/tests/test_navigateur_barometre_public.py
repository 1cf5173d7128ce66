"""Dans Chromium : le baromètre public d'une MDPH et la page des résultats de satisfaction,
sans violation axe-core (thèmes neutre et DSFR)."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dsfr
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.conf import settings as reglages
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Browser, Page

from satisfaction.models import Origine
from satisfaction.services import enregistrer_reponse
from satisfaction.tests.conftest import creer_version_1
from territoires.models import Departement

APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]
pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]


@pytest.fixture
def site(live_server, settings) -> str:
    from pilotage.agregation import agreger_activite
    from pilotage.generation import generer_activite

    settings.SATISFACTION_SEUIL_PUBLICATION = 3
    generer_activite(departements=["58", "21"], annees=[2024], graine=3, taux_pour_mille=2)
    agreger_activite()
    version = creer_version_1()
    for globale in ("satisfait", "satisfait", "insatisfait", "tres_satisfait"):
        enregistrer_reponse(
            version=version,
            departement=Departement.objects.get(pk="58"),
            valeurs={"pour_qui": "moi", "motifs": ["cmi"], "etat": "decision", "globale": globale},
            origine=Origine.EN_LIGNE,
            mois=dt.date(2026, 2, 1),
        )
    return live_server.url


@pytest.fixture
def page(chromium: Browser, site: str) -> Iterator[Page]:
    contexte = chromium.new_context(locale="fr-FR")
    contexte.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(site) else route.abort(),
    )
    onglet = contexte.new_page()
    yield onglet
    contexte.close()


def _sans_violation(page: Page) -> None:
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def _connecter(page: Page, site: str) -> None:
    """Un administrateur, connecté par le client de test (cookie de session recopié)."""
    admin = get_user_model().objects.create(username="admin-axe", is_superuser=True)
    client = Client()
    client.force_login(admin)
    cookie = client.cookies[reglages.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": reglages.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


@pytest.mark.parametrize("theme", ["neutre", "dsfr"])
def test_le_barometre_public_et_les_resultats_sont_sans_violation_axe(page, site, settings, theme):
    settings.AUTONOMIE_THEME = theme
    if theme == "dsfr":
        settings.STATICFILES_DIRS = [Path(dsfr.__file__).parent / "static"]
    page.goto(f"{site}/barometre/")
    _sans_violation(page)
    page.get_by_role("link", name="MDPH Nièvre (58)").click()
    assert "une demande est traitée en" in page.content()
    _sans_violation(page)
    _connecter(page, site)
    page.goto(f"{site}/satisfaction/resultats/mdph/58/?periode=2026")
    assert "Taux de satisfaction" in page.content()
    _sans_violation(page)
