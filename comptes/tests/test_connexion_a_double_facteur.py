"""Une page de connexion pour tout le site ; double facteur exigé du pilotage et de
l'administration, facultatif ailleurs ; codes de secours ; essais freinés."""

import re

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptes import double_facteur
from comptes.models import TypeRole
from comptes.tests.factories import RoleFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db
MOT_DE_PASSE = "un-mot-de-passe-assez-long"


def code_de(appareil: TOTPDevice, decalage: int = 0) -> str:
    appareil.refresh_from_db()
    valeur = totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits, decalage)
    return f"{valeur:0{appareil.digits}d}"


def se_connecter(client, adresse: str, suite: str = ""):
    donnees = {"username": adresse, "password": MOT_DE_PASSE, "next": suite}
    return client.post("/compte/connexion/", donnees, REMOTE_ADDR="203.0.113.7")


def avec_appareil(utilisateur) -> TOTPDevice:
    return TOTPDevice.objects.create(user=utilisateur, name="téléphone", confirmed=True)


def test_la_page_de_connexion_est_accessible_et_sans_javascript(client):
    page = client.get("/compte/connexion/").content.decode()
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert '<label class="etiquette" for="id_username">' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_une_erreur_de_connexion_est_annoncee_en_francais(client):
    UtilisateurFactory(email="claire@nievre.fr")
    page = se_connecter(client, "claire@nievre.fr", "").content.decode()
    page = client.post("/compte/connexion/", {"username": "claire@nievre.fr", "password": "x"})
    assert "Adresse électronique ou mot de passe incorrect." in page.content.decode()
    assert 'role="alert"' in page.content.decode()


def test_un_champ_en_erreur_est_relie_a_son_message(client):
    page = client.post("/compte/connexion/", {"username": "", "password": ""}).content.decode()
    assert 'aria-describedby="id_username_error"' in page
    assert 'id="id_username_error"' in page


def test_sans_double_facteur_la_connexion_mene_a_la_page_demandee(client):
    UtilisateurFactory(email="pro@nievre.fr")
    reponse = se_connecter(client, "pro@nievre.fr", "/compte/")
    assert reponse.status_code == 302 and reponse["Location"] == "/compte/"
    assert client.get("/compte/").status_code == 200


def test_une_page_suivante_d_un_autre_site_est_ignoree(client):
    UtilisateurFactory(email="pro@nievre.fr")
    reponse = se_connecter(client, "pro@nievre.fr", "https://ailleurs.example/")
    assert reponse["Location"] == "/compte/"


def test_avec_un_appareil_le_code_est_demande_avant_d_ouvrir_la_session(client):
    appareil = avec_appareil(UtilisateurFactory(email="pro@nievre.fr"))
    reponse = se_connecter(client, "pro@nievre.fr", "/compte/")
    assert reponse["Location"] == "/compte/connexion/code/?next=%2Fcompte%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(reponse["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page
    reponse = client.post(
        "/compte/connexion/code/", {"code": code_de(appareil), "next": "/compte/"}
    )
    assert reponse.status_code == 302 and reponse["Location"] == "/compte/"
    assert "_auth_user_id" in client.session


def test_un_mauvais_code_est_refuse_puis_les_essais_sont_freines(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 600
    appareil = avec_appareil(UtilisateurFactory(email="pro@nievre.fr"))
    se_connecter(client, "pro@nievre.fr")
    page = client.post("/compte/connexion/code/", {"code": "000000"}).content.decode()
    assert "Ce code est incorrect" in page
    page = client.post("/compte/connexion/code/", {"code": code_de(appareil)}).content.decode()
    assert "attendez quelques secondes" in page
    assert "_auth_user_id" not in client.session


def test_un_code_de_secours_sert_une_seule_fois(client):
    utilisateur = UtilisateurFactory(email="pro@nievre.fr")
    avec_appareil(utilisateur)
    codes = double_facteur._nouveaux_codes_de_secours(utilisateur)
    se_connecter(client, "pro@nievre.fr")
    assert client.post("/compte/connexion/code/", {"code": codes[0]}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert StaticToken.objects.count() == len(codes) - 1


def test_le_code_sans_mot_de_passe_ne_mene_nulle_part(client):
    reponse = client.get("/compte/connexion/code/")
    assert reponse.status_code == 302 and reponse["Location"].startswith("/compte/connexion/")


@pytest.mark.parametrize(
    ("type_", "exige"),
    [(type_, type_ in {TypeRole.ADMINISTRATEUR, TypeRole.PILOTAGE}) for type_ in TypeRole],
)
def test_le_double_facteur_est_exige_des_roles_qui_voient_le_pilotage_ou_administrent(type_, exige):
    assert double_facteur.exige(RoleFactory(type=type_).utilisateur) is exige


def test_le_double_facteur_est_exige_d_un_superutilisateur_et_pas_d_un_compte_sans_role():
    assert double_facteur.exige(UtilisateurFactory(is_superuser=True))
    assert not double_facteur.exige(UtilisateurFactory())


@pytest.mark.parametrize("page", ["/pilotage/", "/admin/"])
def test_sans_appareil_le_pilotage_et_l_administration_envoient_l_activer(client, page):
    utilisateur = RoleFactory(type=TypeRole.ADMINISTRATEUR).utilisateur
    client.force_login(utilisateur)
    reponse = client.get(page)
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/compte/double-facteur/?next={page}"


def test_avec_un_appareil_non_verifie_le_pilotage_demande_le_code(client):
    utilisateur = RoleFactory(type=TypeRole.PILOTAGE).utilisateur
    avec_appareil(utilisateur)
    client.force_login(utilisateur)
    assert client.get("/pilotage/")["Location"].startswith("/compte/connexion/code/")


def test_activer_le_double_facteur_montre_le_qr_code_puis_les_codes_de_secours_une_fois(client):
    utilisateur = RoleFactory(type=TypeRole.PILOTAGE).utilisateur
    client.force_login(utilisateur)
    page = client.get("/compte/double-facteur/?next=/pilotage/").content.decode()
    assert "<svg " in page and 'aria-label="QR code à scanner"' in page
    appareil = TOTPDevice.objects.get(user=utilisateur, confirmed=False)
    assert double_facteur.cle_base32(appareil) in page
    reponse = client.post(
        "/compte/double-facteur/", {"code": code_de(appareil), "next": "/pilotage/"}
    )
    page = reponse.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == double_facteur.NOMBRE_CODES_DE_SECOURS
    assert "ne seront plus jamais affichés" in page
    assert TOTPDevice.objects.get(user=utilisateur).confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get().persistent_id
    assert codes[0] not in client.get("/compte/").content.decode()


def test_un_mauvais_code_n_active_rien(client):
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)
    client.get("/compte/double-facteur/")
    page = client.post("/compte/double-facteur/", {"code": "000000"}).content.decode()
    assert "Ce code est incorrect" in page
    assert not double_facteur.est_active(utilisateur)


def test_un_mot_de_passe_seul_ne_remplace_pas_un_appareil_confirme(client):
    utilisateur = UtilisateurFactory()
    avec_appareil(utilisateur)
    client.force_login(utilisateur)
    assert client.get("/compte/double-facteur/")["Location"].startswith("/compte/connexion/code/")


def test_le_double_facteur_facultatif_se_desactive_et_l_exige_non(client):
    from comptes.tests.outils import connecter_avec_double_facteur

    libre = UtilisateurFactory()
    connecter_avec_double_facteur(client, libre)
    client.post("/compte/double-facteur/desactiver/")
    assert not double_facteur.est_active(libre)
    tenu = RoleFactory(type=TypeRole.PILOTAGE).utilisateur
    connecter_avec_double_facteur(client, tenu)
    client.post("/compte/double-facteur/desactiver/")
    assert double_facteur.est_active(tenu)


def test_la_connexion_du_pilotage_est_celle_du_site_et_mene_au_pilotage(client):
    UtilisateurFactory(email="pro@nievre.fr")
    assert "Se connecter" in client.get("/pilotage/connexion/").content.decode()
    reponse = client.post(
        "/pilotage/connexion/", {"username": "pro@nievre.fr", "password": MOT_DE_PASSE}
    )
    assert reponse["Location"] == "/pilotage/"


def test_la_deconnexion_se_confirme_et_ferme_la_session(client):
    client.force_login(UtilisateurFactory())
    assert "Se déconnecter" in client.get("/compte/deconnexion/").content.decode()
    assert client.post("/compte/deconnexion/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_les_echecs_restent_freines_par_axes_sur_la_page_du_site(client):
    UtilisateurFactory(email="claire@nievre.fr")
    for _ in range(4):
        reponse = client.post(
            "/compte/connexion/", {"username": "claire@nievre.fr", "password": "non"}
        )
        assert reponse.status_code == 200
    dernier = client.post("/compte/connexion/", {"username": "claire@nievre.fr", "password": "n"})
    assert dernier.status_code == 429


def test_le_code_calcule_par_verifier_site_est_accepte_par_django_otp():
    """verifier_site (core/visite.py) calcule le code sans importer django-otp."""
    from core.visite import code_totp

    appareil = avec_appareil(UtilisateurFactory())
    assert appareil.verify_token(code_totp(double_facteur.cle_base32(appareil)))


def test_les_journaux_de_connexion_ne_contiennent_ni_adresse_ni_ip(client, caplog):
    import logging

    from comptes.services import retirer_role

    role = RoleFactory(utilisateur__email="secret@nievre.fr")
    with caplog.at_level(logging.DEBUG):
        se_connecter(client, "secret@nievre.fr")
        client.post("/compte/connexion/", {"username": "secret@nievre.fr", "password": "x"})
        retirer_role(role=role, par=None)
    assert caplog.records
    assert "secret@nievre.fr" not in caplog.text and "203.0.113.7" not in caplog.text
