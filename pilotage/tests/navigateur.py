"""Le montage des tests de navigateur des pages réservées au pilotage, partagé par
`pilotage/tests/test_navigateur.py` et `accompagnement/tests/test_navigateur.py` : tests
transactionnels qui épargnent les communes, un onglet connecté par le cookie de session d'un
`Client` qui a passé le double facteur, axe-core sans violation."""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.conf import settings as reglages
from django.test import Client
from playwright.sync_api import Browser, Page

from comptes.tests.outils import connecter_avec_double_facteur

# Noms des applications (une entrée d'INSTALLED_APPS peut être une AppConfig : l'administration).
APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

MARQUES = [
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


def sans_violation(page: Page) -> None:
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
