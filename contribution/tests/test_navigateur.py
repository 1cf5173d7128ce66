"""Dans Chromium : signaler une erreur → la modérer → la fiche publiée est à jour, chaque page
sans violation axe-core. Même socle que repertoire/tests/test_navigateur.py (serveur de
pytest-django, communes épargnées par `available_apps`, donc un superutilisateur comme
modérateur : les droits par rôle sont vérifiés par les tests de pages)."""

from collections.abc import Iterator
from pathlib import Path

import dsfr
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from comptes.tests.factories import UtilisateurFactory
from echanges.tests.demo import charger_demo_sans_communes
from repertoire.models import Service

APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]


@pytest.fixture
def site(live_server, settings) -> str:
    settings.API_LIMITE_PAR_MINUTE = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    charger_demo_sans_communes()
    return live_server.url


@pytest.fixture
def page(chromium: Browser, site: str) -> Iterator[Page]:
    contexte = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
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


def _service() -> Service:
    return Service.objects.publies().filter(lieux__isnull=False).order_by("pk").first()


@pytest.mark.parametrize("theme", ["neutre", "dsfr"])
def test_le_formulaire_de_signalement_et_ses_erreurs_passent_axe_core(page, site, settings, theme):
    settings.AUTONOMIE_THEME = theme
    if theme == "dsfr":
        settings.STATICFILES_DIRS = [Path(dsfr.__file__).parent / "static"]
    page.goto(f"{site}/services/{_service().pk}/")
    page.get_by_role("link", name="Signaler une erreur sur cette fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une erreur")
    _sans_violation(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez ce qui est faux.")
    _sans_violation(page)


def test_un_signalement_modere_met_la_fiche_publiee_a_jour(page, site, settings):
    service = _service()
    page.goto(f"{site}/services/{service.pk}/")
    page.get_by_role("link", name="Signaler une erreur sur cette fiche").click()
    page.get_by_role("radio", name="Horaires").check()
    page.get_by_label("La bonne information").fill("Ouvert aussi le samedi matin.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre signalement")

    moderateur = UtilisateurFactory(is_superuser=True)
    client = Client()
    client.force_login(moderateur)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page.goto(f"{site}/moderation/")
    expect(page.get_by_role("region", name="Signalements d'erreur (1)")).to_contain_text(
        "Ouvert aussi le samedi matin."
    )
    _sans_violation(page)
    page.get_by_role("link", name=f"{service.nom} : horaires").click()
    _sans_violation(page)
    page.get_by_label("Description", exact=True).fill("Ouvert du lundi au samedi matin.")
    page.get_by_role("button", name="Corriger et publier").click()
    expect(page.get_by_role("status")).to_contain_text("Fiche corrigée")
    expect(page.get_by_role("region", name="Signalements d'erreur (0)")).to_be_visible()

    page.goto(f"{site}/services/{service.pk}/")
    expect(page.locator("main")).to_contain_text("Ouvert du lundi au samedi matin.")


def test_la_proposition_la_modification_et_l_historique_passent_axe_core(page, site, settings):
    from contribution import services
    from contribution.models import Proposition

    service = _service()
    moderateur = UtilisateurFactory(is_superuser=True)
    proposition = services.proposer(
        fiche=service,
        valeurs={"nom": f"{service.nom} (nouveau nom)"},
        version_lue=service.version,
        auteur=None,
        origine=Proposition.Origine.GESTIONNAIRE,
    )
    client = Client()
    client.force_login(moderateur)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])

    page.goto(f"{site}/moderation/propositions/{proposition.pk}/")
    expect(page.get_by_role("table")).to_contain_text("(nouveau nom)")
    page.get_by_role("button", name="Refuser").click()
    expect(page.locator("#id_raison_error")).to_contain_text("la raison est obligatoire")
    _sans_violation(page)
    page.get_by_role("button", name="Accepter et publier").click()
    expect(page.get_by_role("status")).to_contain_text("Proposition acceptée")

    page.goto(f"{site}/services/{service.pk}/modifier/")
    _sans_violation(page)
    page.goto(f"{site}/services/{service.pk}/historique/")
    expect(page.locator("main")).to_contain_text("moderation")
    _sans_violation(page)


def test_les_pages_d_un_gestionnaire_marchent_et_passent_axe_core(page, site, settings):
    """Chaque partie d'une fiche, et une ligne d'horaires mal saisie puis corrigée."""
    settings.CONTRIBUTION_MODERATION = "publie_puis_relu"
    service = _service()
    client = Client()
    client.force_login(UtilisateurFactory(is_superuser=True))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    for partie in ("acces", "exceptions", "permanences", "contacts"):
        page.goto(f"{site}/services/{service.pk}/modifier/{partie}/")
        _sans_violation(page)
    structure = service.structure
    for chemin in ("lieux/", "lieux/ajouter/", "modifier/contacts/"):
        page.goto(f"{site}/structures/{structure.pk}/{chemin}")
        _sans_violation(page)

    page.goto(f"{site}/services/{service.pk}/modifier/horaires/")
    nouvelle = page.get_by_role("group", name="Créneau à ajouter").first
    nouvelle.get_by_label("Jour").select_option(label="samedi")
    nouvelle.get_by_label("Ouverture").fill("12:00")
    nouvelle.get_by_label("Fermeture").fill("09:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("L'heure de fermeture doit venir après")
    _sans_violation(page)
    nouvelle = page.get_by_role("group", name="Créneau à ajouter").first
    nouvelle.get_by_label("Ouverture").fill("09:00")
    nouvelle.get_by_label("Fermeture").fill("12:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Vos modifications sont publiées")
    page.goto(f"{site}/services/{service.pk}/")
    expect(page.locator("#quand")).to_contain_text("samedi")


def test_proposer_un_service_et_ses_erreurs_passent_axe_core(page, site, settings):
    from repertoire.models import Structure

    structure = Structure.objects.filter(lieux__isnull=False).order_by("pk").first()
    client = Client()
    client.force_login(UtilisateurFactory(is_superuser=True))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])

    page.goto(f"{site}/structures/{structure.pk}/")
    page.get_by_role("link", name="Proposer un service pour cette structure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proposer un service pour")
    _sans_violation(page)
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.locator("#id_nom_error")).to_contain_text("Donnez le nom du service.")
    _sans_violation(page)
    page.get_by_label("Nom du service").fill("Café des aidants")
    page.get_by_label("Description").fill("Un temps d'échange entre aidants, chaque mois.")
    page.locator("#id_besoins input").first.check()
    page.get_by_role("checkbox", name="Intervention à domicile").check()
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci, votre proposition est envoyée"
    )
    _sans_violation(page)

    from contribution.models import Proposition

    proposition = Proposition.objects.get(origine=Proposition.Origine.NOUVEAU_SERVICE)
    page.goto(f"{site}/moderation/propositions/{proposition.pk}/")
    expect(page.get_by_role("table")).to_contain_text("Café des aidants")
    _sans_violation(page)
    page.get_by_role("button", name="Accepter et publier").click()
    expect(page.get_by_role("status")).to_contain_text("le service est publié")
