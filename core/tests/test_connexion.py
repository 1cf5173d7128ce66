"""Connexions limitées (django-axes) : l'administration et le pilotage, un même verrou."""

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command

from comptes.tests.outils import connecter_avec_double_facteur

MOT_DE_PASSE = "un-mot-de-passe-assez-long"
PAGES_DE_CONNEXION = ["/admin/login/", "/pilotage/connexion/"]


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Chaque essai hache un mot de passe : PBKDF2 rendrait ce module dix fois plus lent."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent(db):
    return get_user_model().objects.create_user(
        "agent", password=MOT_DE_PASSE, is_staff=True, is_superuser=True
    )


def tenter(client, page: str, mot_de_passe: str, ip: str = "203.0.113.7"):
    return client.post(page, {"username": "agent", "password": mot_de_passe}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("page", PAGES_DE_CONNEXION)
def test_apres_cinq_echecs_meme_le_bon_mot_de_passe_est_refuse_en_francais(client, agent, page):
    for _ in range(4):
        assert tenter(client, page, "mauvais").status_code == 200
    assert tenter(client, page, "mauvais").status_code == 429  # le cinquième bloque
    reponse = tenter(client, page, MOT_DE_PASSE)
    assert reponse.status_code == 429
    texte = reponse.content.decode()
    assert "Connexion bloquée" in texte and "15 minutes" in texte
    assert "administrateur" in texte
    assert "_auth_user_id" not in client.session


def test_les_echecs_de_l_administration_comptent_pour_le_pilotage(client, agent):
    for _ in range(5):
        tenter(client, "/admin/login/", "mauvais")
    assert tenter(client, "/pilotage/connexion/", MOT_DE_PASSE).status_code == 429


def test_un_administrateur_debloque_un_identifiant_par_une_commande(client, agent):
    for _ in range(5):
        tenter(client, "/admin/login/", "mauvais")
    call_command("axes_reset_username", "agent", verbosity=0)
    assert tenter(client, "/admin/login/", MOT_DE_PASSE).status_code == 302


def test_un_administrateur_debloque_un_identifiant_depuis_l_administration(client, agent):
    for _ in range(5):
        tenter(client, "/admin/login/", "mauvais", ip="198.51.100.9")
    tentative = AccessAttempt.objects.get(username="agent")
    chef = get_user_model().objects.create_superuser("chef", password=MOT_DE_PASSE)
    connecter_avec_double_facteur(client, chef)
    page = f"/admin/axes/accessattempt/{tentative.pk}/delete/"
    assert client.post(page, {"post": "yes"}).status_code == 302
    client.logout()
    assert tenter(client, "/admin/login/", MOT_DE_PASSE, ip="198.51.100.9").status_code == 302


def test_le_blocage_ne_vise_que_le_couple_identifiant_et_adresse(client, agent):
    """Un attaquant ne peut pas bloquer l'agent qui se connecte depuis son bureau."""
    for _ in range(5):
        tenter(client, "/admin/login/", "mauvais", ip="203.0.113.66")
    assert tenter(client, "/admin/login/", MOT_DE_PASSE, ip="192.0.2.10").status_code == 302


def test_une_connexion_reussie_remet_le_compte_d_echecs_a_zero(client, agent):
    for _ in range(4):
        tenter(client, "/admin/login/", "mauvais")
    assert tenter(client, "/admin/login/", MOT_DE_PASSE).status_code == 302
    client.logout()
    for _ in range(4):
        tenter(client, "/admin/login/", "mauvais")
    assert tenter(client, "/admin/login/", MOT_DE_PASSE).status_code == 302


def test_les_journaux_ne_contiennent_ni_identifiant_ni_adresse(client, agent, caplog):
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):
            tenter(client, "/admin/login/", "mauvais")
    assert caplog.records
    assert "agent" not in caplog.text and "203.0.113.7" not in caplog.text
