"""GET /api/v1/communes : autocomplétion paginée et fiche d'une commune."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/communes"


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    """Les comptes de requêtes ne mesurent que la page ; la limite a ses propres tests."""
    settings.API_LIMITE_PAR_MINUTE = 0


def test_la_recherche_renvoie_des_fiches_au_schema_stable(client):
    reponse = client.get(URL, {"q": "Nevers 58000"})

    assert reponse.status_code == 200
    assert reponse.json() == {
        "total": 1,
        "page": 1,
        "par_page": 20,
        "resultats": [
            {
                "code_insee": "58194",
                "nom": "Nevers",
                "libelle": "Nevers 58000 – Nièvre",
                "codes_postaux": ["58000"],
                "departement": {"code": "58", "nom": "Nièvre"},
                "epci": {
                    "code": "245804406",
                    "nom": "Communauté d'agglomération de Nevers",
                    "type": "CA",
                },
                "population": 32990,
                "latitude": pytest.approx(46.99, abs=0.01),
                "longitude": pytest.approx(3.16, abs=0.01),
            }
        ],
    }


def test_la_liste_est_paginee(client):
    premiere = client.get(URL, {"q": "saint", "par_page": 5}).json()
    seconde = client.get(URL, {"q": "saint", "par_page": 5, "page": 2}).json()

    assert premiere["total"] > 1000
    assert len(premiere["resultats"]) == len(seconde["resultats"]) == 5
    assert not {c["code_insee"] for c in premiere["resultats"]} & {
        c["code_insee"] for c in seconde["resultats"]
    }


def test_une_taille_de_page_excessive_est_refusee_en_francais(client):
    reponse = client.get(URL, {"par_page": 10_000})

    assert reponse.status_code == 422
    assert reponse.json()["erreurs"] == [
        {"parametre": "par_page", "message": "doit être inférieur ou égal à 100"}
    ]


def test_le_filtre_departement_restreint_les_resultats(client):
    reponse = client.get(URL, {"q": "saint denis", "departement": "974"})

    assert [c["code_insee"] for c in reponse.json()["resultats"]] == ["97411"]


def test_sans_recherche_la_liste_du_departement_est_alphabetique(client):
    communes = client.get(URL, {"departement": "2a", "par_page": 100}).json()

    noms = [c["nom"] for c in communes["resultats"]]
    assert communes["total"] == 124
    assert "Ajaccio" in noms
    assert all(c["departement"]["code"] == "2A" for c in communes["resultats"])


def test_une_saisie_fantaisiste_donne_une_liste_vide(client):
    reponse = client.get(URL, {"q": "'; DROP TABLE territoires_commune; --"})

    assert reponse.status_code == 200
    assert reponse.json() == {"total": 0, "page": 1, "par_page": 20, "resultats": []}


def test_une_saisie_trop_longue_est_refusee(client):
    assert client.get(URL, {"q": "x" * 10_000}).status_code == 422


def test_la_page_se_charge_en_un_nombre_fixe_de_requetes(client, django_assert_num_queries):
    # Compte, page, codes postaux : ni plus pour 100 communes que pour une.
    with django_assert_num_queries(3):
        reponse = client.get(URL, {"par_page": 100})

    assert len(reponse.json()["resultats"]) == 100


def test_la_fiche_d_une_commune(client):
    reponse = client.get(f"{URL}/75056")

    fiche = reponse.json()
    assert reponse.status_code == 200
    assert fiche["nom"] == "Paris"
    assert "75015" in fiche["codes_postaux"]
    assert fiche["codes_postaux"] == sorted(fiche["codes_postaux"])


def test_une_commune_inconnue_donne_une_erreur_404_en_francais(client):
    reponse = client.get(f"{URL}/99999")

    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Aucune commune n'a le code INSEE 99999."}
