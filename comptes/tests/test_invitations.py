"""Invitations par courriel : qui invite qui, lien à usage unique qui expire, compte créé
ou rôle ajouté au compte de cette adresse."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from comptes.models import Invitation, Role, TypeRole, empreinte_jeton
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def animatrice(client):
    role = RoleFactory(type=TypeRole.ANIMATEUR)
    client.force_login(role.utilisateur)
    return role


def inviter(client, institution, adresse="nouvelle@ccas-nevers.fr", type_=TypeRole.PILOTAGE):
    donnees = {"adresse": adresse, "institution": institution.pk, "type": type_, "niveau": ""}
    return client.post("/compte/inviter/", donnees)


def lien_du_courriel() -> str:
    return re.search(r"https?://[^/]+(/compte/invitation/[^/\s]+/)", mail.outbox[-1].body)[1]


def test_une_invitation_part_par_courriel_en_francais_texte_et_html(client, animatrice):
    assert inviter(client, animatrice.institution).status_code == 302
    courriel = mail.outbox[0]
    assert courriel.to == ["nouvelle@ccas-nevers.fr"]
    assert "invitation comme pilotage" in courriel.subject
    assert "Vous êtes invité(e)" in courriel.body
    assert courriel.alternatives[0].mimetype == "text/html"


def test_le_jeton_n_est_garde_qu_en_empreinte(client, animatrice):
    inviter(client, animatrice.institution)
    jeton = lien_du_courriel().rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.jeton_empreinte == empreinte_jeton(jeton) != jeton
    assert invitation.invitee_par == animatrice.utilisateur


def test_l_invitation_expire_apres_le_nombre_de_jours_regle(client, animatrice, settings):
    settings.COMPTES_INVITATION_JOURS = 3
    inviter(client, animatrice.institution)
    ecart = Invitation.objects.get().expire_le - timezone.now()
    assert dt.timedelta(days=2, hours=23) < ecart <= dt.timedelta(days=3)


def test_une_nouvelle_personne_cree_son_compte_avec_un_mot_de_passe_valide(client, animatrice):
    inviter(client, animatrice.institution)
    lien = lien_du_courriel()
    client.logout()
    page = client.get(lien).content.decode()
    assert 'autocomplete="new-password"' in page
    faible = client.post(lien, {"mot_de_passe": "12345678", "confirmation": "12345678"})
    assert "entièrement numérique" in faible.content.decode()
    bon = "une-phrase-de-passe-solide"
    assert client.post(lien, {"mot_de_passe": bon, "confirmation": bon}).status_code == 302
    role = Role.objects.get(utilisateur__email="nouvelle@ccas-nevers.fr")
    assert role.type == TypeRole.PILOTAGE and role.institution == animatrice.institution
    assert role.utilisateur.check_password(bon)
    assert Invitation.objects.get().acceptee_le is not None


def test_une_personne_qui_a_deja_un_compte_recoit_le_role_en_plus(client, animatrice):
    existante = UtilisateurFactory(email="Deja@Nievre.fr")
    inviter(client, animatrice.institution, adresse="deja@nievre.fr", type_=TypeRole.MODERATEUR)
    lien = lien_du_courriel()
    client.logout()
    assert "Un compte existe déjà" in client.get(lien).content.decode()
    assert client.post(lien).status_code == 302
    assert existante.roles.get().type == TypeRole.MODERATEUR


def test_un_lien_deja_utilise_le_dit_et_dit_quoi_faire(client, animatrice):
    inviter(client, animatrice.institution)
    lien = lien_du_courriel()
    bon = "une-phrase-de-passe-solide"
    client.post(lien, {"mot_de_passe": bon, "confirmation": bon})
    reponse = client.get(lien)
    assert reponse.status_code == 410
    assert "déjà été acceptée" in reponse.content.decode()
    assert "réinitialisez votre mot de passe" in reponse.content.decode()


def test_un_lien_expire_le_dit_et_dit_quoi_faire(client, animatrice):
    inviter(client, animatrice.institution)
    Invitation.objects.update(expire_le=timezone.now() - dt.timedelta(minutes=1))
    reponse = client.get(lien_du_courriel())
    assert reponse.status_code == 410
    assert "a expiré" in reponse.content.decode()
    assert "nouvelle invitation" in reponse.content.decode()
    assert client.post(lien_du_courriel(), {}).status_code == 410
    assert not Role.objects.filter(type=TypeRole.PILOTAGE).exists()


def test_un_lien_inconnu_repond_404_en_francais(client):
    reponse = client.get("/compte/invitation/nimporte-quoi/")
    assert reponse.status_code == 404 and "Lien d'invitation inconnu" in reponse.content.decode()


def test_un_animateur_n_invite_pas_hors_de_son_territoire_ni_un_administrateur(client, animatrice):
    from territoires.models import Departement

    ailleurs = InstitutionFactory(departement=Departement.objects.get(pk="21"))
    assert "Vous ne pouvez pas inviter" in inviter(client, ailleurs).content.decode()
    refus = inviter(client, animatrice.institution, type_=TypeRole.ADMINISTRATEUR)
    assert "Vous ne pouvez pas inviter" in refus.content.decode()
    assert not mail.outbox


def test_un_professionnel_ne_peut_pas_inviter(client):
    client.force_login(RoleFactory(type=TypeRole.PROFESSIONNEL).utilisateur)
    assert client.get("/compte/inviter/").status_code == 403


def test_une_invitation_en_attente_ne_se_double_pas(client, animatrice):
    inviter(client, animatrice.institution)
    page = inviter(client, animatrice.institution, adresse="NOUVELLE@ccas-nevers.fr")
    assert "attend déjà une réponse" in page.content.decode()
    assert len(mail.outbox) == 1


def test_un_identifiant_deja_pris_ne_bloque_pas_la_creation_du_compte(client, animatrice):
    UtilisateurFactory(username="nouvelle@ccas-nevers.fr", email="autre@nievre.fr")
    inviter(client, animatrice.institution)
    bon = "une-phrase-de-passe-solide"
    client.post(lien_du_courriel(), {"mot_de_passe": bon, "confirmation": bon})
    cree = Role.objects.get(type=TypeRole.PILOTAGE).utilisateur
    assert cree.email == "nouvelle@ccas-nevers.fr" and cree.username == "nouvelle@ccas-nevers.fr-2"
