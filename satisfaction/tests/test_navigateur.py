"""Dans Chromium, à la largeur d'un téléphone : le questionnaire rempli de bout en bout, une
erreur, un retour en arrière, et axe-core sans violation à chaque étape (thèmes neutre et
DSFR). Même socle que contribution/tests/test_navigateur.py."""

from collections.abc import Iterator
from pathlib import Path

import dsfr
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, expect

from satisfaction.models import Reponse
from satisfaction.tests.conftest import creer_version_1

APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]
TELEPHONE = {"width": 375, "height": 740}


@pytest.fixture
def site(live_server) -> str:
    creer_version_1()
    return live_server.url


@pytest.fixture
def page(chromium: Browser, site: str) -> Iterator[Page]:
    contexte = chromium.new_context(locale="fr-FR", viewport=TELEPHONE, is_mobile=True)
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


def _sans_defilement_horizontal(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= TELEPHONE["width"]


def _reponse(page: Page, question: str, reponse: str):
    return page.get_by_role("group", name=question).get_by_label(reponse, exact=True)


def _choisir(page: Page, question: str, reponse: str) -> None:
    """Un clic sur l'étiquette, comme une personne (le DSFR dessine le bouton sur elle)."""
    page.get_by_role("group", name=question).get_by_text(reponse, exact=True).click()


@pytest.mark.parametrize("theme", ["neutre", "dsfr"])
def test_le_questionnaire_se_remplit_sur_un_telephone_sans_violation_axe(
    page, site, settings, theme
):
    settings.AUTONOMIE_THEME = theme
    if theme == "dsfr":
        settings.STATICFILES_DIRS = [Path(dsfr.__file__).parent / "static"]
    page.goto(f"{site}/donner-mon-avis/")
    _sans_violation(page)
    page.get_by_role("link", name="Commencer le questionnaire").click()
    expect(page.get_by_text("Étape 1 sur 4")).to_be_visible()
    _sans_violation(page)
    _sans_defilement_horizontal(page)

    # Étape 1 envoyée incomplète : le résumé des erreurs, et chaque message à côté du champ.
    page.get_by_label("Votre commune").fill("Nevers")
    page.get_by_role("button", name="Étape suivante").click()
    expect(page.get_by_role("alert")).to_contain_text("Qu'avez-vous demandé à la MDPH ?")
    expect(page.get_by_role("group", name="Pour qui avez-vous fait la demande ?")).to_contain_text(
        "Choisissez une réponse."
    )
    _sans_violation(page)
    _choisir(page, "Pour qui avez-vous fait la demande ?", "Pour moi")
    _choisir(page, "Qu'avez-vous demandé à la MDPH ?", "De l'aide pour le travail (RQTH)")
    _choisir(page, "Où en est votre demande ?", "J'ai reçu la réponse de la MDPH")
    page.get_by_role("button", name="Étape suivante").click()

    expect(page.get_by_text("Étape 2 sur 4")).to_be_visible()
    expect(page.get_by_text("Votre avis concerne la MDPH Nièvre (58).")).to_be_visible()
    _sans_violation(page)
    for groupe in page.get_by_role("group").all():
        groupe.get_by_text("Satisfait", exact=True).click()
    page.get_by_role("button", name="Étape suivante").click()

    expect(page.get_by_text("Étape 3 sur 4")).to_be_visible()
    _sans_violation(page)
    _choisir(page, "Êtes-vous satisfait du temps pour traiter votre demande ?", "Insatisfait")
    # Revenir en arrière puis repartir : les réponses sont toujours là.
    page.get_by_role("button", name="Revenir à l'étape précédente").click()
    expect(page.get_by_text("Étape 2 sur 4")).to_be_visible()
    expect(_reponse(page, "Êtes-vous satisfait de l'accueil ?", "Satisfait")).to_be_checked()
    page.get_by_role("button", name="Étape suivante").click()
    delai = "Êtes-vous satisfait du temps pour traiter votre demande ?"
    expect(_reponse(page, delai, "Insatisfait")).to_be_checked()
    _choisir(page, "Êtes-vous satisfait des aides données pour vos besoins ?", "Très satisfait")
    page.get_by_role("button", name="Étape suivante").click()

    expect(page.get_by_text("Étape 4 sur 4")).to_be_visible()
    _sans_violation(page)
    page.get_by_label("Voulez-vous nous dire autre chose ?").fill("Merci pour votre aide.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre avis")
    _sans_violation(page)
    reponse = Reponse.objects.get()
    assert reponse.departement_id == "58"
    assert reponse.valeurs["delai"] == "insatisfait"
    assert reponse.valeurs["motifs"] == ["travail"]
