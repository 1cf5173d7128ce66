"""La page de résultats et l'API de recherche donnent la même première page (mêmes services,
même ordre, même total) pour les mêmes paramètres (issue 13, § 2), sur les données de
démonstration : FINESS de la Nièvre et fiches écrites à la main.

La page lit un formulaire (`forms_recherche.RechercheForm`), l'API un schéma
(`schemas.RechercheServices`) : deux lectures des mêmes paramètres, qui ne doivent pas
diverger. Seuls les noms diffèrent (`rayon` sur la page, `rayon_km` dans l'API ; la case
`ouvert=on` contre `ouvert=true`). Une saisie mal formée n'est pas comparée : la page l'écarte
en le disant et cherche quand même, l'API répond 422.
"""

import pytest

from echanges.demo import FICHES, FINESS, charger_fiches
from echanges.finess import importer_finess
from repertoire.recherche.index import indexer_services

pytestmark = pytest.mark.django_db

PAGE = "/recherche/"
API = "/api/v1/services/recherche"

# Les paramètres de la page, tels qu'une adresse partagée ou le formulaire les donne.
RECHERCHES: list[dict[str, str]] = [
    {"q": "aide à domicile"},
    {"q": "  ehpad  "},
    {"besoin": "aide-a-domicile", "commune": "Nevers", "rayon": "20"},
    {"besoin": "etre-heberge", "commune": "58120"},  # code postal, rayon par défaut
    {"q": "ehpad", "public": "personnes-agees", "commune": "Nevers"},
    {"q": "maisons de retraite", "commune": "Cosne-Cours-sur-Loire", "rayon": "30"},
    {"q": "ehpda", "commune": "nevers"},  # fautes de frappe
    {"q": "acceuil de jour", "commune": "Chateau Chinnon", "rayon": "50"},
    {"q": "mon père perd la mémoire", "commune": "Clamecy"},
    {"q": "mon fils autiste de 6 ans", "commune": "58000", "rayon": "100"},
    {"besoin": "ehpad", "commune": "Decize", "rayon": "200"},  # le plus loin
    {"besoin": "ehpad", "commune": "Decize", "rayon": "25"},  # hors de la liste
    {"besoin": "ehpad", "commune": "Decize", "rayon": "0.5"},
    {"besoin": "ehpad", "commune": "Nevers", "rayon": "50", "page": "2"},
    {"q": "ehpad", "commune": "Nevers", "rayon": "50", "tri": "distance"},
    {"q": "ehpad", "commune": "Nevers", "rayon": "50", "tri": "nom"},
    {"q": "aide", "tri": "nom", "page": "2"},
    {"mode": "a-domicile", "commune": "Nevers"},
    {"acces": "orientation-mdph", "commune": "Nevers", "rayon": "100"},
    {"q": "aide", "ouvert": "on"},
    {"public": "personnes-handicapees", "commune": "Nevers", "rayon": "50"},
    {"q": "portage de repas", "commune": "Saint-Pierre-le-Moûtier"},
    {"q": "curatelle"},
    {"q": "apa", "commune": "Nevers"},
    {"commune": "Nevers"},
    {"commune": "Xyzzyville", "q": "ehpad"},  # commune inconnue : page vide et message
    {"q": "ehpad", "page": "500"},  # au-delà de la dernière page
    # L'adresse que fait le formulaire du site, champs vides compris : vides = absents.
    {"q": "aide", "besoin": "", "commune": "Nevers", "rayon": "", "public": "", "mode": ""}
    | {"acces": "", "tri": "pertinence"},
    {"q": "aide", "page": "", "tri": ""},
    {"besoin": "ehpad", "commune": "Nevers", "rayon": "12,5"},  # virgule décimale
    {"q": "aide", "ouvert": "0"},  # non, pour l'une comme pour l'autre
]


def parametres_api(page: dict[str, str]) -> dict[str, str]:
    renommes = {"rayon": "rayon_km"}
    api = {renommes.get(nom, nom): valeur for nom, valeur in page.items()}
    if api.get("ouvert") == "on":
        api["ouvert"] = "true"
    return api


@pytest.fixture
def demonstration(settings):
    settings.API_LIMITE_PAR_MINUTE = 0
    importer_finess(FINESS, departements=["58"])
    charger_fiches(FICHES)
    indexer_services()


def premiere_page_html(client, parametres: dict[str, str]) -> tuple[list[int], int, str]:
    reponse = client.get(PAGE, parametres)
    assert reponse.status_code == 200, parametres
    page = reponse.context["page"]
    return [r.service.pk for r in page.resultats], page.total, page.message


def premiere_page_api(client, parametres: dict[str, str]) -> tuple[list[int], int, str]:
    reponse = client.get(API, parametres_api(parametres))
    assert reponse.status_code == 200, (parametres, reponse.content)
    page = reponse.json()
    return [r["service"]["id"] for r in page["resultats"]], page["total"], page["message"]


def test_la_page_et_l_api_donnent_les_memes_resultats_pour_les_memes_parametres(
    client, demonstration
):
    ecarts = []
    for parametres in RECHERCHES:
        html, api = premiere_page_html(client, parametres), premiere_page_api(client, parametres)
        if html != api:
            ecarts.append(f"{parametres} : page {html} ; API {api}")

    assert not ecarts, "\n".join(ecarts)


def test_le_jeu_de_parite_couvre_des_pages_pleines_et_vides(client, demonstration):
    totaux = [premiere_page_api(client, parametres)[1] for parametres in RECHERCHES]

    assert sum(1 for total in totaux if total > 20) >= 5  # des pages 2 qui existent
    assert 0 in totaux


@pytest.mark.parametrize("rayon", ["0.05", "0", "250", "loin", "1e999"])
def test_un_rayon_que_la_page_refuse_l_api_le_refuse_aussi(client, settings, rayon):
    settings.API_LIMITE_PAR_MINUTE = 0
    page = client.get(PAGE, {"commune": "Nevers", "rayon": rayon})
    api = client.get(API, {"commune": "Nevers", "rayon_km": rayon})

    assert "rayon" in page.context["form"].errors
    assert api.status_code == 422
    assert api.json()["erreurs"][0]["parametre"] == "rayon_km"
