"""Connexion, double facteur et invitation dans Chromium : axe-core, CSP, parcours au clavier.

Les outils (Chromium de Debian, serveur `live_server`, demo) sont ceux des tests de navigateur
du répertoire ; voir repertoire/tests/test_navigateur.py et docs/tests.md.
"""

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from comptes.models import Invitation, TypeRole, empreinte_jeton
from comptes.tests.factories import RoleFactory, UtilisateurFactory
from repertoire.tests import test_navigateur as navigateur

# Les fixtures du répertoire (site de démonstration servi, onglet sans sortie réseau, thème) ;
# Chromium est dans le conftest racine, partagé par tous les tests de navigateur.
site, page, theme = navigateur.site, navigateur.page, navigateur.theme
APPLICATIONS_REMISES_A_ZERO = navigateur.APPLICATIONS_REMISES_A_ZERO
_sans_violation = navigateur._sans_violation

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, available_apps=APPLICATIONS_REMISES_A_ZERO),
]
MOT_DE_PASSE = "un-mot-de-passe-assez-long"


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def violations_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and violations.append(m.text),
    )
    return violations


def test_la_page_de_connexion_et_son_erreur_passent_axe_core(page, site, theme):
    csp = violations_csp(page)
    page.goto(site + "/compte/connexion/")
    _sans_violation(page)
    page.get_by_label("Adresse électronique").fill("personne@nievre.fr")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
    _sans_violation(page)
    assert csp == []


def test_une_administratrice_active_son_double_facteur_puis_entre(page, site):
    # Un superutilisateur, et l'on ne va pas jusqu'à l'index de l'administration : sans
    # `territoires` dans available_apps, ni les communes d'un rôle ni la liste des
    # applications de l'administration ne se lisent dans ces tests.
    utilisateur = UtilisateurFactory(email="pilote@nievre.fr", is_superuser=True)
    csp = violations_csp(page)
    page.goto(site + "/admin/")
    page.get_by_label("Adresse électronique").fill("pilote@nievre.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("h1")).to_have_text("Activer le double facteur")
    expect(page.get_by_role("img", name="QR code à scanner")).to_be_visible()
    _sans_violation(page)
    appareil = TOTPDevice.objects.get(user=utilisateur)
    code = totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits)
    page.get_by_label("Code affiché par l'application").fill(f"{code:06d}")
    page.get_by_role("button", name="Activer").click()

    expect(page.locator("h1")).to_contain_text("codes de secours")
    expect(page.locator(".codes-de-secours li")).to_have_count(10)
    _sans_violation(page)
    lien = page.get_by_role("link", name="J'ai noté mes codes, continuer")
    expect(lien).to_have_attribute("href", "/admin/")
    assert csp == []


def test_le_code_a_usage_unique_se_demande_dans_une_page_accessible(page, site):
    utilisateur = UtilisateurFactory(email="pro@nievre.fr")
    TOTPDevice.objects.create(user=utilisateur, name="téléphone", confirmed=True)
    page.goto(site + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("pro@nievre.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Code à usage unique")
    expect(page.get_by_label("Code à usage unique")).to_have_attribute(
        "autocomplete", "one-time-code"
    )
    _sans_violation(page)


def test_la_page_d_invitation_passe_axe_core(page, site):
    role = RoleFactory(type=TypeRole.ANIMATEUR)
    Invitation.objects.create(
        adresse="nouvelle@nievre.fr",
        institution=role.institution,
        type=TypeRole.PROFESSIONNEL,
        jeton_empreinte=empreinte_jeton("jeton-de-test"),
        expire_le=timezone.now() + dt.timedelta(days=7),
    )
    page.goto(site + "/compte/invitation/jeton-de-test/")
    expect(page.locator("h1")).to_contain_text("Invitation")
    _sans_violation(page)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator(".erreur-champ").first).to_be_visible()
    _sans_violation(page)
