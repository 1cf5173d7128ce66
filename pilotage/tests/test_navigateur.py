"""Pilotage dans Chromium : la page de refus et l'accueil passent axe-core.

Le compte est connecté par le cookie de session d'un `Client` qui a passé le double facteur
(le formulaire de connexion a ses propres tests). Serveur de pytest-django, tests
transactionnels qui épargnent les communes, comme `repertoire/tests/test_navigateur.py`.
"""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.conf import settings as reglages
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from comptes.tests.outils import connecter_avec_double_facteur

# Noms des applications (une entrée d'INSTALLED_APPS peut être une AppConfig : l'administration).
APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]


@pytest.fixture
def onglet(chromium: Browser, live_server) -> Iterator:
    """onglet(utilisateur) : un onglet connecté avec ce compte."""
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


# Les rôles ne sont pas lus ici : sous `available_apps` sans `territoires`, Django ne résout
# plus la relation cachée Role.communes (related_name="+") et la lecture des rôles échoue ;
# la portée par territoire est vérifiée dans test_perimetre.py.


def test_la_page_de_refus_passe_axe_core(onglet, live_server):
    page = onglet(User.objects.create_user("curieux", password="mot-de-passe-long"))
    reponse = page.goto("/pilotage/mdph/58/activite/")
    assert reponse.status == 403
    expect(page.locator("h1")).to_have_text("Accès refusé")
    _sans_violation(page)


def test_l_accueil_du_pilotage_dit_quelles_donnees_il_montre_et_passe_axe_core(onglet, settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"
    page = onglet(User.objects.create_superuser("verification", "v@exemple.fr", "x" * 12))
    page.goto("/pilotage/")
    expect(page.get_by_text("valeurs publiées par les baromètres nationaux")).to_be_visible()
    _sans_violation(page)
