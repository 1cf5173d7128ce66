"""Jetons personnels de l'API des professionnels : créés par la personne, hachés, révocables."""

import re

import pytest

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from repertoire.jetons import creer_jeton, empreinte, revoquer_jeton
from repertoire.models import JetonApi
from repertoire.tests.factories import ContactFactory, LieuFactory, ServiceRelieFactory

pytestmark = pytest.mark.django_db

NEVERS = "58194"


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.API_LIMITE_PAR_MINUTE = 0


@pytest.fixture
def professionnel():
    utilisateur = UtilisateurFactory()
    RoleFactory(utilisateur=utilisateur, institution=InstitutionFactory(departement_id="58"))
    return utilisateur


@pytest.fixture
def service():
    lieu = LieuFactory(commune_id=NEVERS)
    service = ServiceRelieFactory(structure=lieu.structure, lieux=[lieu])
    ContactFactory(service=service, professionnels=True)
    return service


def test_le_jeton_n_est_garde_que_par_son_empreinte(professionnel):
    jeton, texte = creer_jeton(utilisateur=professionnel, nom="logiciel du CLIC")
    assert texte.startswith("aut_") and len(texte) > 40
    jeton.refresh_from_db()
    assert jeton.empreinte == empreinte(texte) != texte
    assert texte not in str(JetonApi.objects.values().get())
    assert jeton.debut == texte[:10]


def test_un_logiciel_lit_la_fiche_avec_le_jeton_de_la_personne(client, professionnel, service):
    jeton, texte = creer_jeton(utilisateur=professionnel, nom="logiciel du CLIC")
    reponse = client.get(f"/api/v1/pro/services/{service.pk}", HTTP_AUTHORIZATION=f"Bearer {texte}")
    assert reponse.status_code == 200
    assert "03 53 01 99 99" in reponse.text
    jeton.refresh_from_db()
    assert jeton.utilise_le is not None


def test_le_jeton_ne_donne_pas_plus_que_les_droits_de_la_personne(client, service):
    ailleurs = UtilisateurFactory()
    RoleFactory(utilisateur=ailleurs, institution=InstitutionFactory(departement_id="89"))
    _, texte = creer_jeton(utilisateur=ailleurs, nom="autre")
    reponse = client.get(f"/api/v1/pro/services/{service.pk}", HTTP_AUTHORIZATION=f"Bearer {texte}")
    assert reponse.status_code == 403


def test_un_jeton_revoque_faux_ou_d_un_compte_desactive_ne_sert_plus(
    client, professionnel, service
):
    adresse = f"/api/v1/pro/services/{service.pk}"
    jeton, texte = creer_jeton(utilisateur=professionnel, nom="ancien")
    revoquer_jeton(jeton=jeton)
    assert client.get(adresse, HTTP_AUTHORIZATION=f"Bearer {texte}").status_code == 401
    assert client.get(adresse, HTTP_AUTHORIZATION="Bearer aut_invente").status_code == 401

    _, texte = creer_jeton(utilisateur=professionnel, nom="nouveau")
    professionnel.is_active = False
    professionnel.save()
    assert client.get(adresse, HTTP_AUTHORIZATION=f"Bearer {texte}").status_code == 401


def test_la_personne_cree_son_jeton_sur_une_page_qui_ne_le_montre_qu_une_fois(
    client, professionnel
):
    client.force_login(professionnel)
    page = client.get("/professionnels/jetons/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert '<label class="' in page.text and 'for="id_nom"' in page.text

    reponse = client.post("/professionnels/jetons/", {"nom": "logiciel du CLIC"})
    texte = re.search(r"aut_[\w-]+", reponse.text).group()
    assert "il ne sera plus jamais affiché" in reponse.text
    assert JetonApi.objects.get().empreinte == empreinte(texte)
    assert texte not in client.get("/professionnels/jetons/").text

    refus = client.post("/professionnels/jetons/", {"nom": ""})
    assert "Donnez un nom à ce jeton." in refus.text


def test_la_personne_revoque_son_jeton_et_pas_celui_d_une_autre(client, professionnel):
    jeton, _ = creer_jeton(utilisateur=professionnel, nom="à révoquer")
    autre, _ = creer_jeton(utilisateur=UtilisateurFactory(), nom="d'une autre")
    client.force_login(professionnel)

    assert client.post("/professionnels/jetons/", {"revoquer": autre.pk}).status_code == 404
    assert client.post("/professionnels/jetons/", {"revoquer": jeton.pk}).status_code == 302
    jeton.refresh_from_db(), autre.refresh_from_db()
    assert jeton.revoque_le is not None and autre.revoque_le is None
    assert "révoqué le" in client.get("/professionnels/jetons/").text


def test_la_page_des_jetons_demande_une_connexion_et_un_role_de_professionnel(client):
    assert client.get("/professionnels/jetons/").status_code == 302
    sans_role = UtilisateurFactory()
    RoleFactory(utilisateur=sans_role, type=TypeRole.PILOTAGE)
    client.force_login(sans_role)
    refus = client.get("/professionnels/jetons/")
    assert refus.status_code == 403
    assert "Aucun de vos rôles" in refus.text


def test_le_schema_openapi_documente_les_deux_authentifications(client):
    schema = client.get("/api/v1/openapi.json").json()
    securite = schema["paths"]["/api/v1/pro/services/{service_id}"]["get"]["security"]
    noms = {nom for exigence in securite for nom in exigence}
    assert noms == {"SessionAuth", "JetonPersonnel"}
    jeton = schema["components"]["securitySchemes"]["JetonPersonnel"]
    assert jeton["scheme"] == "bearer"
    assert "Jeton personnel" in jeton["description"]
