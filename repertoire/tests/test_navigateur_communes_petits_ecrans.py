"""Dans Chromium : les suggestions de communes au clavier, et la page de résultats sur un
téléphone (360 px) et à 200 % : les résultats d'abord, les filtres repliés derrière un bouton.

Mêmes réglages que test_navigateur.py (serveur de pytest-django, communes épargnées par la
remise à zéro), dont ce module reprend les fixtures.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from repertoire.tests import test_navigateur as navigateur
from repertoire.tests.test_navigateur import (
    APPLICATIONS_REMISES_A_ZERO,
    _hors_site,
    _sans_violation,
)

# Les fixtures du module voisin, reprises telles quelles.
site = navigateur.site
theme = navigateur.theme
page = navigateur.page

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]

RESULTATS = "/recherche/?q=aide&commune=Nevers"


def test_la_commune_se_choisit_au_clavier_dans_des_suggestions_tolerantes(page, site, theme):
    page.goto(site + "/")
    champ = page.get_by_role("combobox", name=re.compile("Commune ou code postal"))
    champ.focus()
    page.keyboard.type("Chateau Chinnon")

    suggestions = page.get_by_role("listbox", name="Communes proposées")
    expect(suggestions).to_be_visible()
    premiere = suggestions.get_by_role("option").first
    expect(premiere).to_have_text("Château-Chinon (Ville) 58120 – Nièvre")
    expect(champ).to_have_attribute("aria-expanded", "true")
    _sans_violation(page)

    page.keyboard.press("ArrowDown")
    expect(premiere).to_have_attribute("aria-selected", "true")
    expect(champ).to_have_attribute("aria-activedescendant", premiere.get_attribute("id"))
    page.keyboard.press("Enter")

    expect(champ).to_have_value("Château-Chinon (Ville) 58120")
    expect(suggestions).to_be_hidden()
    expect(champ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("autour de Château-Chinon (Ville)")


def test_echap_referme_les_suggestions_sans_toucher_a_la_saisie(page, site):
    page.goto(site + "/")
    champ = page.get_by_role("combobox", name=re.compile("Commune ou code postal"))
    champ.focus()
    page.keyboard.type("Saint-Pierre")
    suggestions = page.get_by_role("listbox", name="Communes proposées")
    expect(suggestions.get_by_role("option").first).to_contain_text("– Nièvre")

    page.keyboard.press("Escape")

    expect(suggestions).to_be_hidden()
    expect(champ).to_have_value("Saint-Pierre")


ECRANS = {
    # Un téléphone courant ; puis un écran de 1280 × 900 agrandi à 200 % : 640 × 450 pixels CSS.
    "telephone-360px": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 3},
    "zoom-200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}


@pytest.fixture(params=ECRANS)
def petit_ecran(request, chromium: Browser, site: str) -> Page:
    contexte = chromium.new_context(locale="fr-FR", **ECRANS[request.param])
    contexte.route("**/*", _hors_site(site))
    yield contexte.new_page()
    contexte.close()


def test_sur_petit_ecran_les_resultats_viennent_avant_les_filtres_replies(petit_ecran, site, theme):
    petit_ecran.goto(site + RESULTATS)

    bouton = petit_ecran.locator("summary", has_text="Affiner : besoin, public, distance…")
    filtres = petit_ecran.get_by_role("search")
    premier = petit_ecran.locator(".liste-resultats > li").first
    expect(bouton).to_be_visible()
    expect(filtres).to_be_hidden()
    expect(premier).to_be_visible()
    hauteur = petit_ecran.viewport_size["height"]
    assert premier.bounding_box()["y"] < 1.5 * hauteur, "le premier résultat se voit tôt"
    _sans_violation(petit_ecran)

    # Au clavier : le bouton suit le lien d'évitement, son focus se voit, Entrée le déplie.
    petit_ecran.get_by_role("link", name="Aller aux résultats").focus()
    petit_ecran.keyboard.press("Shift+Tab")
    petit_ecran.keyboard.press("Tab")
    petit_ecran.keyboard.press("Tab")
    expect(bouton).to_be_focused()
    contour = bouton.evaluate("(e) => getComputedStyle(e).outlineStyle")
    assert contour != "none", "le focus du bouton se voit"
    petit_ecran.keyboard.press("Enter")
    expect(filtres).to_be_visible()
    expect(filtres.get_by_label("Mots-clés")).to_have_value("aide")
    _sans_violation(petit_ecran)


def test_sur_petit_ecran_le_premier_resultat_est_au_dessus_des_filtres(petit_ecran, site):
    petit_ecran.goto(site + RESULTATS)

    premier = petit_ecran.locator(".liste-resultats > li").first.bounding_box()
    repli = petit_ecran.locator("details.filtres-repli")
    filtres = repli.bounding_box()
    # Repliés, les filtres ne tiennent que la ligne de leur bouton, que suivent les résultats.
    assert filtres["height"] <= 2 * repli.locator("summary").bounding_box()["height"]
    assert filtres["y"] + filtres["height"] <= premier["y"]
    assert premier["y"] < 1.5 * petit_ecran.viewport_size["height"], premier

    # Dépliés, ils poussent les résultats ; leur formulaire de 1 000 px n'était pas au-dessus.
    repli.locator("summary").click()
    assert repli.bounding_box()["height"] > 500
    assert petit_ecran.locator(".liste-resultats > li").first.bounding_box()["y"] > premier["y"]


def test_le_lien_aller_aux_resultats_y_mene_le_focus(petit_ecran, site):
    petit_ecran.goto(site + RESULTATS)

    petit_ecran.get_by_role("link", name="Aller aux résultats").click()

    expect(petit_ecran.locator("#resultats")).to_be_focused()


def test_sans_javascript_le_bouton_deplie_les_filtres_et_la_recherche_marche(chromium, site):
    contexte = chromium.new_context(
        locale="fr-FR", java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    contexte.route("**/*", _hors_site(site))
    onglet = contexte.new_page()
    try:
        onglet.goto(site + RESULTATS)
        filtres = onglet.get_by_role("search")
        expect(filtres).to_be_hidden()

        onglet.get_by_text("Affiner : besoin, public, distance…").click()
        expect(filtres).to_be_visible()
        filtres.get_by_label("Commune ou code postal").fill("Chateau Chinnon")
        filtres.get_by_role("button", name="Rechercher", exact=True).click()

        expect(onglet.locator("h1")).to_contain_text("autour de Château-Chinon (Ville)")
    finally:
        contexte.close()


def test_sur_grand_ecran_les_filtres_sont_deplies_a_cote_des_resultats(page, site):
    page.goto(site + RESULTATS)

    filtres = page.get_by_role("search")
    expect(filtres).to_be_visible()
    expect(page.locator("summary")).to_be_hidden()
    assert filtres.bounding_box()["x"] < page.locator("#resultats").bounding_box()["x"]
