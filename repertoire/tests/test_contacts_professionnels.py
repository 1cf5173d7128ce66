"""Les contacts réservés aux professionnels : sur la fiche pour qui en a le droit, jamais
ailleurs (API publique, exports, index, carte), et l'API des professionnels."""

import json

import pytest
from django.test import Client

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from echanges.data_inclusion import exporter_structures_et_services
from echanges.exports import csv_services, geojson_services
from repertoire.models import IndexService
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import (
    BesoinFactory,
    ContactFactory,
    LieuFactory,
    ServiceRelieFactory,
    StructureFactory,
)
from repertoire.views import url_service, url_structure

pytestmark = pytest.mark.django_db

NEVERS = "58194"
AUXERRE = "89024"
TELEPHONE_PRO = "03 86 99 12 34"
COURRIEL_PRO = "ligne-directe-pro@exemple.fr"
TELEPHONE_PRO_STRUCTURE = "03 86 77 45 67"
EMPREINTES = ("0386991234", "99 12 34", COURRIEL_PRO, "0386774567", "77 45 67")


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.API_LIMITE_PAR_MINUTE = 0


@pytest.fixture
def service():
    """Un service de Nevers, publié et indexé, avec un contact public et un réservé ; sa
    structure a aussi un contact réservé."""
    structure = StructureFactory(nom="Maison de l'autonomie")
    lieu = LieuFactory(structure=structure, commune_id=NEVERS)
    service = ServiceRelieFactory(
        structure=structure,
        nom="Plateforme de répit",
        lieux=[lieu],
        besoins=[BesoinFactory(slug="repit-de-test", libelle="Répit de test")],
    )
    ContactFactory(service=service, libelle="accueil", telephone="03 86 00 00 00")
    ContactFactory(
        service=service,
        libelle="ligne des professionnels",
        telephone=TELEPHONE_PRO,
        courriel=COURRIEL_PRO,
        visibilite="professionnels",
    )
    ContactFactory(
        service=None,
        structure=structure,
        libelle="cadre de permanence",
        telephone=TELEPHONE_PRO_STRUCTURE,
        courriel="",
        visibilite="professionnels",
    )
    indexer_services([service.pk])
    return service


def connecte(client: Client, *, role: str | None = TypeRole.PROFESSIONNEL, departement="58"):
    utilisateur = UtilisateurFactory()
    if role:
        institution = InstitutionFactory(departement_id=departement)
        RoleFactory(utilisateur=utilisateur, institution=institution, type=role)
    client.force_login(utilisateur)
    return client


def sans_contact_reserve(texte: str) -> bool:
    compact = texte.replace(" ", "").replace("\u00a0", "").replace(".", "")
    return all(e.replace(" ", "") not in compact for e in EMPREINTES) and (
        TELEPHONE_PRO not in texte
    )


# --- Sur les fiches -----------------------------------------------------------------------


def test_un_professionnel_du_territoire_voit_les_contacts_reserves_sur_la_fiche(client, service):
    html = connecte(client).get(url_service(service)).text

    assert (
        '<h2 id="titre-contacts-professionnels">Contacts réservés aux professionnels</h2>' in html
    )
    assert "Ne communiquez pas ces coordonnées au public" in html
    section = html[html.index('id="contacts-professionnels"') :]
    assert TELEPHONE_PRO in section and COURRIEL_PRO in section
    assert TELEPHONE_PRO_STRUCTURE in section  # celui de sa structure aussi
    assert not sans_contact_reserve(html)  # le détecteur de fuites les voit bien
    assert html.index('id="titre-contacts"') < html.index('id="titre-contacts-professionnels"')
    assert 'href="#contacts-professionnels"' in html


def test_la_fiche_d_une_structure_montre_ses_contacts_reserves_au_professionnel(client, service):
    html = connecte(client).get(url_structure(service.structure)).text
    assert "Contacts réservés aux professionnels" in html
    assert TELEPHONE_PRO_STRUCTURE in html
    assert TELEPHONE_PRO not in html  # celui du service reste sur la fiche du service


@pytest.mark.parametrize(
    ("role", "departement"),
    [
        (None, "58"),  # un compte sans rôle
        (TypeRole.PROFESSIONNEL, "89"),  # hors de son territoire
        (TypeRole.PILOTAGE, "58"),  # un rôle qui n'a pas ce droit
    ],
)
def test_sans_le_droit_sur_ce_territoire_la_fiche_reste_celle_du_public(
    client, service, role, departement
):
    connecte(client, role=role, departement=departement)
    for url in (url_service(service), url_structure(service.structure)):
        html = client.get(url).text
        assert "Contacts réservés aux professionnels" not in html
        assert sans_contact_reserve(html)


def test_le_public_ne_voit_jamais_les_contacts_reserves(client, service):
    for url in (url_service(service), url_structure(service.structure)):
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert "Contacts réservés aux professionnels" not in reponse.text
        assert sans_contact_reserve(reponse.text)


def test_une_fiche_vue_connecte_ne_va_dans_aucun_cache_partage(client, service):
    anonyme = client.get(url_service(service))
    assert "private" not in anonyme.get("Cache-Control", "")
    assert "Cookie" in anonyme["Vary"]
    assert not anonyme.has_header("ETag")

    connecte(client)
    for url in (url_service(service), url_structure(service.structure)):
        reponse = client.get(url)
        assert "private" in reponse["Cache-Control"]
        assert "Cookie" in reponse["Vary"]
        assert not reponse.has_header("ETag")


def test_la_fiche_d_un_professionnel_fait_un_nombre_borne_de_requetes(
    client, service, django_assert_max_num_queries
):
    connecte(client).get("/")  # la session et les rôles ne comptent pas dans la fiche
    with django_assert_max_num_queries(20):
        assert client.get(url_service(service)).status_code == 200


# --- Nulle part ailleurs ------------------------------------------------------------------


def test_aucune_sortie_publique_ne_contient_un_contact_reserve(client, service):
    sorties = {
        "API structures": client.get("/api/v1/structures").text,
        "API structure": client.get(f"/api/v1/structures/{service.structure_id}").text,
        "API services": client.get("/api/v1/services").text,
        "API service": client.get(f"/api/v1/services/{service.pk}").text,
        "API recherche": client.get("/api/v1/services/recherche?commune=Nevers").text,
        "page de recherche et carte": client.get("/recherche/?commune=Nevers").text,
        "accueil": client.get("/").text,
        "CSV": "".join(csv_services()),
        "GeoJSON": "".join(geojson_services()),
        "data·inclusion": json.dumps(exporter_structures_et_services(), default=str),
        "index de recherche": " ".join(
            f"{f.nom} {f.texte} {f.cles}" for f in IndexService.objects.all()
        ),
    }
    assert "Plateforme de répit" in sorties["page de recherche et carte"]
    assert 'id="points-carte"' in sorties["page de recherche et carte"]
    assert "03 86 00 00 00" in sorties["CSV"]  # le contact public, lui, sort
    fuites = [nom for nom, texte in sorties.items() if not sans_contact_reserve(texte)]
    assert fuites == []


def test_la_recherche_d_un_professionnel_connecte_ne_montre_pas_non_plus_les_contacts(
    client, service
):
    html = connecte(client).get("/recherche/?commune=Nevers").text
    assert "Plateforme de répit" in html
    assert sans_contact_reserve(html)


def test_le_site_n_a_ni_plan_du_site_ni_flux_qui_pourraient_les_publier(client):
    for adresse in ("/sitemap.xml", "/flux/", "/feed/", "/rss/"):
        assert client.get(adresse).status_code == 404


# --- L'API des professionnels ---------------------------------------------------------------


def test_l_api_des_professionnels_refuse_le_public_avec_un_401_en_francais(client, service):
    for adresse in (
        f"/api/v1/pro/services/{service.pk}",
        f"/api/v1/pro/structures/{service.structure_id}",
    ):
        reponse = client.get(adresse)
        assert reponse.status_code == 401
        assert "Connexion requise" in reponse.json()["detail"]
        assert sans_contact_reserve(reponse.text)


@pytest.mark.parametrize(
    ("role", "departement"),
    [(None, "58"), (TypeRole.PROFESSIONNEL, "89"), (TypeRole.PILOTAGE, "58")],
)
def test_l_api_des_professionnels_refuse_hors_territoire_ou_sans_droit_avec_un_403(
    client, service, role, departement
):
    connecte(client, role=role, departement=departement)
    reponse = client.get(f"/api/v1/pro/services/{service.pk}")
    assert reponse.status_code == 403
    assert "hors du territoire de vos rôles" in reponse.json()["detail"]
    assert sans_contact_reserve(reponse.text)


def test_l_api_des_professionnels_donne_la_fiche_et_tous_ses_contacts(client, service):
    connecte(client)
    reponse = client.get(f"/api/v1/pro/services/{service.pk}")
    assert reponse.status_code == 200
    assert "private" in reponse["Cache-Control"] and "no-store" in reponse["Cache-Control"]
    fiche = reponse.json()
    assert fiche["nom"] == "Plateforme de répit"
    assert [(c["libelle"], c["visibilite"]) for c in fiche["contacts"]] == [
        ("accueil", "public"),
        ("ligne des professionnels", "professionnels"),
    ]
    assert fiche["contacts_structure"][0]["telephone"] == TELEPHONE_PRO_STRUCTURE

    structure = client.get(f"/api/v1/pro/structures/{service.structure_id}").json()
    assert structure["contacts"] == [
        {
            "libelle": "cadre de permanence",
            "telephone": TELEPHONE_PRO_STRUCTURE,
            "courriel": "",
            "visibilite": "professionnels",
        }
    ]


def test_l_api_des_professionnels_repond_404_pour_une_fiche_inconnue(client, service):
    connecte(client)
    assert client.get("/api/v1/pro/services/999999").status_code == 404
    assert client.get("/api/v1/pro/structures/999999").status_code == 404


def test_l_api_des_professionnels_n_est_pas_ouverte_aux_autres_sites(client, service):
    connecte(client)
    reponse = client.get(f"/api/v1/pro/services/{service.pk}", HTTP_ORIGIN="https://ailleurs.fr")
    assert not reponse.has_header("Access-Control-Allow-Origin")
    publique = client.get("/api/v1/besoins", HTTP_ORIGIN="https://ailleurs.fr")
    assert publique["Access-Control-Allow-Origin"] == "*"


def test_l_api_des_professionnels_est_documentee_en_francais(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/pro/services/{service_id}"]["get"]
    assert operation["tags"] == ["professionnels"]
    assert "contacts réservés aux professionnels" in operation["summary"]
    assert {"401", "403", "404"} <= set(operation["responses"])
    assert operation["security"]
    assert "/api/v1/pro/structures/{structure_id}" in schema["paths"]
    publique = schema["paths"]["/api/v1/services/{service_id}"]["get"]
    assert "security" not in publique
