"""Connexion par adresse électronique, sous le même verrou django-axes que les identifiants."""

import pytest
from django.db import IntegrityError

from comptes.backends import ConnexionParCourriel
from comptes.models import Institution, Role, TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from territoires.perimetres import Niveau

pytestmark = pytest.mark.django_db
MOT_DE_PASSE = "un-mot-de-passe-assez-long"


def connecter(identifiant: str):
    return ConnexionParCourriel().authenticate(None, username=identifiant, password=MOT_DE_PASSE)


def tenter(client, identifiant: str, mot_de_passe: str = MOT_DE_PASSE):
    donnees = {"username": identifiant, "password": mot_de_passe}
    return client.post("/pilotage/connexion/", donnees, REMOTE_ADDR="203.0.113.7")


def test_une_personne_se_connecte_par_son_adresse_sans_tenir_compte_de_la_casse(client):
    UtilisateurFactory(email="Claire.Martin@Nievre.fr")
    assert tenter(client, "claire.martin@nievre.FR").status_code == 302
    assert "_auth_user_id" in client.session


def test_l_identifiant_des_comptes_d_avant_marche_encore(client):
    UtilisateurFactory(username="agent", email="")
    assert tenter(client, "agent").status_code == 302


def test_deux_comptes_ne_peuvent_pas_partager_une_adresse_meme_en_changeant_la_casse():
    UtilisateurFactory(email="accueil@ccas.fr")
    with pytest.raises(IntegrityError):
        UtilisateurFactory(email="ACCUEIL@ccas.fr")


def test_plusieurs_comptes_sans_adresse_restent_permis():
    UtilisateurFactory(email="")
    UtilisateurFactory(email="")


def test_un_compte_desactive_ne_se_connecte_pas():
    UtilisateurFactory(email="parti@nievre.fr", is_active=False)
    assert (
        ConnexionParCourriel().authenticate(None, username="parti@nievre.fr", password=MOT_DE_PASSE)
        is None
    )


def test_les_echecs_par_adresse_bloquent_comme_les_autres(client):
    UtilisateurFactory(email="claire@nievre.fr")
    for _ in range(4):
        assert tenter(client, "claire@nievre.fr", "mauvais").status_code == 200
    assert tenter(client, "claire@nievre.fr", "mauvais").status_code == 429
    assert tenter(client, "claire@nievre.fr").status_code == 429


def test_une_institution_departementale_sans_departement_est_refusee_par_la_base():
    with pytest.raises(IntegrityError):
        Institution.objects.create(type="mdph", nom="MDPH", niveau=Niveau.DEPARTEMENT)


def test_un_role_hors_du_territoire_de_son_institution_est_refuse():
    from django.core.exceptions import ValidationError

    from territoires.models import Departement

    role = RoleFactory.build(
        utilisateur=UtilisateurFactory(),
        institution=InstitutionFactory(),
        niveau=Niveau.DEPARTEMENT,
        departement=Departement.objects.get(pk="21"),
    )
    with pytest.raises(ValidationError, match="dans celui de l'institution"):
        role.clean()


def test_desactiver_un_role_garde_son_historique():
    role = RoleFactory(type=TypeRole.PILOTAGE)
    role.actif = False
    role.save()
    assert [h.actif for h in role.historique.order_by("history_date")] == [True, False]
    assert Role.objects.actifs().count() == 0
