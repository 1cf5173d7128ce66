import pytest

from comptes.tests.factories import RoleFactory, UtilisateurFactory
from comptes.tests.outils import connecter_avec_double_facteur

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["institution/", "institution/add/", "role/", "role/add/"])
def test_l_administration_des_institutions_et_des_roles_s_affiche(client, page):
    RoleFactory()
    connecter_avec_double_facteur(client, UtilisateurFactory(is_superuser=True))
    assert client.get(f"/admin/comptes/{page}").status_code == 200


def test_un_role_ne_se_supprime_pas_depuis_l_administration(client):
    role = RoleFactory()
    connecter_avec_double_facteur(client, UtilisateurFactory(is_superuser=True))
    assert client.get(f"/admin/comptes/role/{role.pk}/delete/").status_code == 403
    assert (
        client.get(f"/admin/comptes/institution/{role.institution_id}/change/").status_code == 200
    )


def test_l_administration_est_reservee_aux_administrateurs_de_la_plateforme(client):
    from comptes.models import TypeRole

    equipe = UtilisateurFactory(is_staff=True)  # « staff » sans rôle : refusé
    connecter_avec_double_facteur(client, equipe)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    moderateur = RoleFactory(type=TypeRole.MODERATEUR).utilisateur
    connecter_avec_double_facteur(client, moderateur)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    administratrice = RoleFactory(type=TypeRole.ADMINISTRATEUR).utilisateur
    connecter_avec_double_facteur(client, administratrice)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/comptes/role/").status_code == 200


def test_la_connexion_de_l_administration_est_celle_du_site(client):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert "Se connecter" in page and 'autocomplete="username"' in page
