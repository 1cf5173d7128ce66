"""Tests de navigateur : les parcours principaux et l'accessibilité (axe-core), dans Chromium.

Une fine couche au-dessus des tests de pages : ce que seul un vrai navigateur voit (carte,
clavier, contrastes, mise en page à 320 px). Le serveur est celui de pytest-django
(`live_server`) : ses requêtes passent par une autre connexion, d'où des tests
transactionnels. La remise à zéro de fin de test épargne les communes (`available_apps` sans
`territoires`) : les recharger coûterait 6 s par test. Voir docs/tests.md.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import dsfr
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.test import Client
from playwright.sync_api import Browser, Page, Route, expect

from comptes.tests.factories import UtilisateurFactory
from echanges.tests.demo import charger_demo_sans_communes
from repertoire.models import Contact, Service

# Noms des applications (une entrée d'INSTALLED_APPS peut être une AppConfig : l'administration).
APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]


@pytest.fixture
def site(live_server, settings) -> str:
    # Les compteurs de débit sont en base et partagés entre les pages d'un même parcours.
    settings.API_LIMITE_PAR_MINUTE = 0
    charger_demo_sans_communes()
    return live_server.url


@pytest.fixture(params=["neutre", "dsfr"])
def theme(request, settings) -> str:
    """Le thème se lit à chaque requête ; les styles du DSFR viennent du paquet django-dsfr."""
    settings.AUTONOMIE_THEME = request.param
    if request.param == "dsfr":
        settings.STATICFILES_DIRS = [Path(dsfr.__file__).parent / "static"]
    return request.param


def _hors_site(site: str):
    """Aucune requête ne sort de la machine : les tuiles de la carte sont refusées."""

    def filtre(route: Route) -> None:
        if route.request.url.startswith(site):
            route.continue_()
        else:
            route.abort()

    return filtre


@pytest.fixture
def page(chromium: Browser, site: str) -> Iterator[Page]:
    contexte = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    contexte.route("**/*", _hors_site(site))
    onglet = contexte.new_page()
    yield onglet
    contexte.close()


def _url_fiche_service() -> str:
    service = Service.objects.publies().filter(lieux__isnull=False).order_by("pk").first()
    return f"/services/{service.pk}/"


def _url_fiche_structure() -> str:
    service = Service.objects.publies().order_by("pk").first()
    return f"/structures/{service.structure_id}/"


PAGES = {
    "accueil": lambda: "/",
    "resultats": lambda: "/recherche/?q=aide+%C3%A0+domicile&commune=Nevers",
    "resultats-en-erreur": lambda: "/recherche/?q=aide&rayon=loin&tri=prix&page=-1",
    # Aucune réponse : besoins voisins, point d'information, rayons plus larges.
    # Un rayon choisi : celui par défaut s'élargirait jusqu'à l'accueil de jour le plus proche.
    "resultats-sans-reponse": lambda: "/recherche/?besoin=accueil-de-jour&commune=58120&rayon=10",
    "fiche-service": _url_fiche_service,
    "fiche-structure": _url_fiche_structure,
    "page-introuvable": lambda: "/cette-page-n-existe-pas/",
}


def _sans_violation(page: Page) -> None:
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


@pytest.mark.parametrize("nom", PAGES)
def test_chaque_type_de_page_passe_axe_core_sans_violation(page, site, theme, nom):
    page.goto(site + PAGES[nom]())

    expect(page.locator("h1")).to_have_count(1)
    _sans_violation(page)


def test_on_trouve_une_aide_a_domicile_pres_de_nevers_et_on_ouvre_sa_fiche(page, site):
    page.goto(site + "/")
    page.get_by_label("Mots-clés").fill("aide à domicile")
    page.get_by_label("Commune ou code postal").fill("Nevers")
    page.get_by_role("button", name="Rechercher", exact=True).click()

    expect(page).to_have_url(re.compile(r"/recherche/\?"))
    expect(page.locator("h1")).to_contain_text("autour de Nevers")
    expect(page.locator("#titre-resultats")).to_have_text(re.compile(r"^\d+ résultats?"))
    expect(page.locator("#carte.leaflet-container")).to_be_visible()
    premier = page.locator("a[href^='/services/']").first
    nom = premier.inner_text()
    premier.click()

    expect(page.locator("h1")).to_have_text(nom)
    _sans_violation(page)


def test_sans_reponse_on_suit_un_besoin_voisin_et_on_trouve_autant_que_promis(page, site):
    page.goto(site + PAGES["resultats-sans-reponse"]())

    expect(page.locator("#titre-resultats")).to_have_text("Aucun résultat")
    voisin = page.locator(".besoins-voisins a").first
    promis = re.search(r": (\d+) résultats?$", voisin.inner_text()).group(1)
    voisin.click()

    expect(page.locator("#titre-resultats")).to_have_text(re.compile(rf"^{promis} résultats?"))
    expect(page.locator("h1")).to_contain_text("autour de Château-Chinon")


def _tabuler_jusqu_a(page: Page, selecteur: str, *, au_plus: int = 60) -> None:
    for _ in range(au_plus):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selecteur):
            return
    pytest.fail(f"{selecteur} n'est pas atteint au clavier en {au_plus} tabulations.")


def test_le_parcours_se_fait_entierement_au_clavier(page, site):
    page.goto(site + "/")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")
    page.keyboard.press("Enter")
    _tabuler_jusqu_a(page, "#id_commune")
    page.keyboard.type("Nevers")
    _tabuler_jusqu_a(page, "#id_q")
    page.keyboard.type("aide à domicile")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/recherche/\?"))
    _tabuler_jusqu_a(page, "a[href^='/services/']")
    nom = page.locator(":focus").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(nom)


@pytest.mark.parametrize("largeur", [320, 640], ids=["320px", "zoom-200"])
def test_les_resultats_se_lisent_sans_defilement_horizontal(page, site, theme, largeur):
    """WCAG 1.4.10 : 320 px de large valent un zoom à 400 % ; 640 px, un zoom à 200 %."""
    page.set_viewport_size({"width": largeur, "height": 800})
    page.goto(site + PAGES["resultats"]())

    largeurs = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert largeurs[0] <= largeurs[1], f"défilement horizontal : {largeurs}"


@pytest.mark.parametrize("chemin", [*PAGES, "/api/v1/docs", "/admin/login/"])
def test_la_politique_de_securite_ne_bloque_rien_de_ce_que_la_page_demande(page, site, chemin):
    """La CSP interdit les scripts en ligne : une violation casserait la page sans bruit."""
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    page.goto(site + (PAGES[chemin]() if chemin in PAGES else chemin))
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_la_page_de_connexion_bloquee_explique_quoi_faire_et_passe_axe_core(page, site, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(site + "/pilotage/connexion/")
        page.get_by_label("Identifiant").fill("agent")
        page.get_by_label("Mot de passe").fill("mauvais")
        page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("h1")).to_have_text("Connexion bloquée pour un moment")
    expect(page.get_by_role("alert")).to_contain_text("15 minutes")
    _sans_violation(page)


def test_un_professionnel_connecte_voit_les_contacts_reserves_et_ses_jetons_sans_violation(
    page, site, theme, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    service = Service.objects.publies().filter(lieux__commune__departement="58").first()
    Contact.objects.create(
        service=service, libelle="ligne des professionnels", telephone="03 86 99 12 34",
        visibilite=Contact.Visibilite.PROFESSIONNELS,
    )  # fmt: skip
    # Un superutilisateur : sous `available_apps` sans `territoires`, Django ne sait plus
    # précharger les communes des rôles (relation inverse cachée « + ») ; les droits par rôle
    # sont vérifiés par les tests de pages, ce test-ci regarde le rendu et l'accessibilité.
    professionnel = UtilisateurFactory(is_superuser=True)
    client = Client()
    client.force_login(professionnel)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])

    page.goto(f"{site}/services/{service.pk}/")
    section = page.get_by_role("region", name="Contacts réservés aux professionnels")
    expect(section).to_contain_text("03 86 99 12 34")
    expect(section).to_contain_text("Ne communiquez pas ces coordonnées au public")
    _sans_violation(page)

    page.goto(f"{site}/professionnels/jetons/")
    page.get_by_label("À quoi servira ce jeton ?").fill("logiciel du CLIC")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.get_by_role("status")).to_contain_text("aut_")
    _sans_violation(page)
