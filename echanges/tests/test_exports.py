import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.texte import normaliser
from echanges.exports import BOM, COLONNES, csv_services, geojson_services
from repertoire.models import Besoin, Service
from repertoire.tests.factories import (
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    ServiceRelieFactory,
)
from territoires.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def nevers() -> Commune:
    Region.objects.get_or_create(code="27", defaults={"nom": "Bourgogne-Franche-Comté"})
    Departement.objects.get_or_create(code="58", defaults={"nom": "Nièvre", "region_id": "27"})
    return Commune.objects.get_or_create(
        code_insee="58194",
        defaults={
            "nom": "Nevers",
            "nom_normalise": normaliser("Nevers"),
            "departement_id": "58",
            "latitude": 46.9896,
            "longitude": 3.159,
        },
    )[0]


@pytest.fixture
def services(nevers) -> dict[str, Service]:
    """Un service à deux lieux (dont un sans coordonnées), un à domicile, un brouillon."""
    avec_gps = LieuFactory(nom="Accueil Nevers", commune=nevers, latitude=46.99, longitude=3.16)
    sans_gps = LieuFactory(
        structure=avec_gps.structure,
        nom="Permanence",
        commune=nevers,
        latitude=None,
        longitude=None,
    )
    deux_lieux = ServiceRelieFactory(
        structure=avec_gps.structure,
        nom="Accueil de jour « Les Tilleuls »",
        besoins=list(Besoin.objects.filter(slug__in=["portage-de-repas", "aide-a-domicile"])),
        lieux=[avec_gps, sans_gps],
    )
    PlageHoraireFactory(service=deux_lieux, jour=2)
    a_domicile = ServiceFactory(a_domicile=True, nom='=HYPERLINK("http://x")')
    ServiceFactory(brouillon=True)
    return {"deux_lieux": deux_lieux, "a_domicile": a_domicile}


def lire_csv(texte: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(texte.removeprefix(BOM)), delimiter=";"))


def test_le_csv_commence_par_un_bom_et_separe_par_des_points_virgules(services):
    texte = "".join(csv_services())

    assert texte.startswith(BOM + "service_id;service;nature;")
    assert texte.splitlines()[0].removeprefix(BOM).split(";") == list(COLONNES)


def test_le_csv_a_une_ligne_par_service_et_lieu_et_une_pour_un_service_sans_lieu(services):
    lignes = lire_csv("".join(csv_services()))

    assert len(lignes) == 3
    par_lieu = {ligne["lieu"]: ligne for ligne in lignes}
    assert set(par_lieu) == {"Accueil Nevers", "Permanence", ""}
    accueil = par_lieu["Accueil Nevers"]
    assert accueil["service"] == "Accueil de jour « Les Tilleuls »"
    assert (accueil["commune"], accueil["code_insee"]) == ("Nevers", "58194")
    assert (accueil["latitude"], accueil["longitude"]) == ("46.99", "3.16")
    assert accueil["horaires_osm"] == "We 09:00-12:00; PH off"
    assert set(accueil["besoins"].split(" | ")) == set(
        Besoin.objects.filter(slug__in=["portage-de-repas", "aide-a-domicile"]).values_list(
            "libelle", flat=True
        )
    )
    assert par_lieu["Permanence"]["latitude"] == ""


def test_le_csv_neutralise_les_formules_de_tableur(services):
    lignes = lire_csv("".join(csv_services()))

    sans_lieu = next(ligne for ligne in lignes if ligne["lieu"] == "")
    assert sans_lieu["service"] == '\'=HYPERLINK("http://x")'


def test_le_geojson_place_chaque_lieu_et_se_replie_sur_la_commune(services, nevers):
    collection = json.loads("".join(geojson_services()))

    assert collection["type"] == "FeatureCollection"
    points = {f["properties"]["lieu"]: f for f in collection["features"]}
    assert set(points) == {"Accueil Nevers", "Permanence"}
    accueil = points["Accueil Nevers"]
    assert accueil["geometry"] == {"type": "Point", "coordinates": [3.16, 46.99]}
    assert accueil["properties"]["precision"] == "adresse"
    assert accueil["properties"]["service_id"] == services["deux_lieux"].pk
    assert isinstance(accueil["properties"]["besoins"], list)
    permanence = points["Permanence"]
    assert permanence["geometry"]["coordinates"] == [nevers.longitude, nevers.latitude]
    assert permanence["properties"]["precision"] == "commune"


def test_un_geojson_vide_reste_une_collection_valide():
    assert json.loads("".join(geojson_services())) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_les_exports_restreints_a_un_queryset_ne_montrent_que_ses_services(services):
    lignes = lire_csv("".join(csv_services(Service.objects.filter(pk=services["a_domicile"].pk))))

    assert [ligne["service_id"] for ligne in lignes] == [str(services["a_domicile"].pk)]


def test_le_csv_coute_un_nombre_constant_de_requetes(nevers):
    def requetes() -> int:
        with CaptureQueriesContext(connection) as contexte:
            "".join(csv_services())
        return len(contexte)

    ServiceRelieFactory(lieux=[LieuFactory(commune=nevers)])
    peu = requetes()
    for _ in range(10):
        ServiceRelieFactory(lieux=[LieuFactory(commune=nevers)])

    assert requetes() == peu


CHARGES = ("=1+1", "-2+3+cmd|' /C calc'!A0", "+1", "@SUM(1)", "\t=1")


def test_le_csv_neutralise_toutes_les_charges_de_formule_mais_garde_les_nombres(nevers):
    lieu = LieuFactory(commune=nevers, latitude=46.99, longitude=-1.68)
    for charge in CHARGES:
        ServiceRelieFactory(nom=charge, lieux=[lieu])

    lignes = lire_csv("".join(csv_services()))

    assert sorted(ligne["service"] for ligne in lignes) == sorted("'" + c for c in CHARGES)
    assert {ligne["longitude"] for ligne in lignes} == {"-1.68"}


def test_le_geojson_est_un_echange_de_donnees_et_garde_les_textes_tels_quels(nevers):
    ServiceRelieFactory(nom="=1+1", lieux=[LieuFactory(commune=nevers)])

    collection = json.loads("".join(geojson_services()))

    assert collection["features"][0]["properties"]["service"] == "=1+1"
