"""GET /api/v1/services/recherche : les critères de la page de résultats, en JSON."""

import pytest

from repertoire.models import Besoin
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import LieuFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/recherche"
NEVERS = (46.9908, 3.1593)
CLAMECY = (47.4597, 3.5203)


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    settings.API_LIMITE_PAR_MINUTE = 0


@pytest.fixture
def services():
    """Deux aides à domicile, l'une à Nevers, l'autre à Clamecy (50 km au nord-est)."""
    crees = []
    for nom, (lat, lon) in [("SAAD de Nevers", NEVERS), ("SAAD du Haut-Nivernais", CLAMECY)]:
        service = ServiceFactory(nom=nom, description="Aide et accompagnement à domicile.")
        service.lieux.add(LieuFactory(structure=service.structure, latitude=lat, longitude=lon))
        service.besoins.set(Besoin.objects.filter(slug="aide-a-domicile"))
        crees.append(service)
    indexer_services()
    return crees


def test_la_recherche_autour_d_une_commune_donne_distance_raisons_et_lieux(client, services):
    reponse = client.get(URL, {"q": "aide à domicile", "commune": "Nevers", "rayon_km": 20})

    assert reponse.status_code == 200
    page = reponse.json()
    assert (page["total"], page["page"], page["par_page"]) == (1, 1, 20)
    assert page["commune"] == {"code_insee": "58194", "nom": "Nevers", "departement": "58"}
    assert page["message"] == ""
    [resultat] = page["resultats"]
    assert resultat["service"]["nom"] == "SAAD de Nevers"
    assert resultat["service"]["structure"]["nom"] == services[0].structure.nom
    assert resultat["distance_km"] < 1
    assert "répond au besoin « Aide à domicile »" in resultat["raisons"]
    assert resultat["lieux"][0]["point"] == {"latitude": NEVERS[0], "longitude": NEVERS[1]}


def test_le_tri_par_distance_part_du_point_donne(client, services):
    reponse = client.get(
        URL, {"lat": CLAMECY[0], "lon": CLAMECY[1], "rayon_km": 100, "tri": "distance"}
    )

    noms = [r["service"]["nom"] for r in reponse.json()["resultats"]]
    assert noms == ["SAAD du Haut-Nivernais", "SAAD de Nevers"]


@pytest.mark.parametrize(
    ("parametres", "message"),
    [
        ({"commune": "Xyzzyville"}, "Aucune commune ne correspond à « Xyzzyville »."),
        ({"lat": 47}, "Il faut une latitude et une longitude."),
    ],
)
def test_une_saisie_incomprise_donne_une_page_vide_et_un_message(
    client, services, parametres, message
):
    page = client.get(URL, parametres).json()

    assert page["total"] == 0 and page["resultats"] == []
    assert page["message"] == message


@pytest.mark.parametrize(
    ("parametres", "parametre", "message"),
    [
        ({"par_page": 0}, "par_page", "doit être supérieur ou égal à 1"),
        ({"page": "deux"}, "page", "un nombre entier est attendu"),
        ({"lat": 95, "lon": 3}, "lat", "doit être inférieur ou égal à 90"),
        ({"rayon_km": "loin"}, "rayon_km", "un nombre est attendu"),
        (
            {"tri": "prix"},
            "tri",
            "valeur inconnue ; valeurs admises : 'pertinence', 'distance' or 'nom'",
        ),
        ({"q": "a\x00b"}, "q", "contient des caractères non admis"),
    ],
)
def test_un_parametre_mal_forme_est_refuse_en_francais(client, parametres, parametre, message):
    reponse = client.get(URL, parametres)

    assert reponse.status_code == 422
    erreur = reponse.json()
    assert erreur["erreurs"] == [{"parametre": parametre, "message": message}]
    assert erreur["detail"].startswith("Requête invalide : ")


def test_la_recherche_fait_un_nombre_borne_de_requetes(
    client, services, django_assert_max_num_queries
):
    # 12 ; deux résultats, moins de cinq : le décompte à 200 km (`plus_loin`) en ajoute deux ;
    # la veille des besoins (un INSERT … ON CONFLICT, dans un point de sauvegarde parce que le
    # test tourne dans une transaction) trois ; les provenances des identifiants une.
    with django_assert_max_num_queries(18):
        reponse = client.get(
            URL, {"q": "aide", "commune": "58000", "rayon_km": 100, "par_page": 100}
        )

    assert reponse.json()["total"] == 2


def test_peu_de_resultats_disent_combien_il_y_en_a_plus_loin(client, services):
    reponse = client.get(URL, {"q": "aide", "commune": "58000", "rayon_km": 20}).json()
    assert (reponse["rayon_km"], reponse["total"]) == (20, 1)
    assert reponse["plus_loin"][-1]["total"] == 2
    assert all(p["rayon_km"] > 20 and p["total"] > 1 for p in reponse["plus_loin"])


def test_la_page_propose_les_rayons_plus_larges_et_accepte_tout_rayon_de_l_api(client, services):
    page = client.get("/recherche/", {"q": "aide", "commune": "58000", "rayon": "25"})
    texte = page.content.decode()
    assert '<option value="25" selected>25 km</option>' in texte
    assert "Peu de réponses à moins de 25 km. Plus loin :" in texte
    assert "rayon=100" in texte or "rayon=50" in texte


def test_la_recherche_est_documentee_dans_le_schema_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][URL]["get"]
    noms = {p["name"] for p in operation["parameters"]}
    assert noms == {
        "q", "besoin", "public", "mode", "acces", "commune", "lat", "lon", "rayon_km",
        "ouvert", "tri", "page", "par_page",
    }  # fmt: skip
    assert all(p.get("description") or p["name"] in {"tri"} for p in operation["parameters"])
    assert set(operation["responses"]) == {"200", "422", "429"}


def test_l_api_se_lit_depuis_un_autre_site_en_lecture_seule(client):
    origine = {"HTTP_ORIGIN": "https://www.mairie-exemple.fr"}
    lecture = client.get(URL, **origine)
    controle = client.options(URL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origine)

    assert lecture["Access-Control-Allow-Origin"] == "*"
    assert set(controle["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Origin" not in client.get("/recherche/", **origine)
