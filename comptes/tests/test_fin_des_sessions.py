"""Retirer un rôle ou désactiver un compte ferme les sessions ouvertes de la personne."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from comptes.admin import enregistrer_role
from comptes.models import TypeRole
from comptes.services import desactiver_compte, retirer_role
from comptes.tests.factories import RoleFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db
MOT_DE_PASSE = "un-mot-de-passe-assez-long"


@pytest.fixture
def connecte(client):
    """Une personne connectée par la vraie page de connexion, avec un rôle de modération."""
    role = RoleFactory(type=TypeRole.MODERATEUR, utilisateur__email="moderatrice@nievre.fr")
    donnees = {"username": "moderatrice@nievre.fr", "password": MOT_DE_PASSE}
    assert client.post("/compte/connexion/", donnees).status_code == 302
    assert client.get("/compte/").status_code == 200
    return role


def est_deconnecte(client) -> bool:
    reponse = client.get("/compte/")
    return reponse.status_code == 302 and reponse["Location"].startswith("/compte/connexion/")


def test_un_role_desactive_ferme_les_sessions_ouvertes(client, connecte):
    retirer_role(role=connecte, par=UtilisateurFactory())
    assert est_deconnecte(client)


def test_un_role_qui_finit_aujourd_hui_ferme_les_sessions_ouvertes(client, connecte):
    retirer_role(role=connecte, par=None, fin=timezone.localdate())
    assert est_deconnecte(client)


def test_un_role_qui_finira_plus_tard_laisse_la_session_ouverte(client, connecte):
    retirer_role(role=connecte, par=None, fin=timezone.localdate() + dt.timedelta(days=30))
    assert client.get("/compte/").status_code == 200


def test_un_compte_desactive_ne_garde_aucune_session(client, connecte):
    desactiver_compte(utilisateur=connecte.utilisateur, par=None)
    assert est_deconnecte(client)


def test_apres_le_retrait_on_se_reconnecte_avec_ce_qui_reste(client, connecte):
    retirer_role(role=connecte, par=None)
    assert est_deconnecte(client)
    donnees = {"username": "moderatrice@nievre.fr", "password": MOT_DE_PASSE}
    assert client.post("/compte/connexion/", donnees).status_code == 302
    assert client.get("/compte/").status_code == 200


def test_les_sessions_des_autres_ne_sont_pas_touchees(client, connecte):
    retirer_role(role=RoleFactory(), par=None)
    assert client.get("/compte/").status_code == 200


def test_l_administration_retire_un_role_par_le_meme_service(client, connecte):
    connecte.actif = False
    requete = RequestFactory().post("/admin/")
    requete.user = UtilisateurFactory(is_superuser=True)
    enregistrer_role(requete, connecte)
    assert est_deconnecte(client)
    assert [h.actif for h in connecte.historique.order_by("history_date")] == [True, False]
