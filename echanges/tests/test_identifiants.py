"""Identifiants des sources dans l'API et dans chaque export (issue 13, § 7 ; ADR 0014) : une
fiche importée de FINESS montre son ET et son EJ, et le lien de sa fiche nationale."""

import csv
import io
import json
from pathlib import Path

import pytest
from data_inclusion.schema import v1

from echanges.data_inclusion import exporter_structures_et_services, importer_data_inclusion
from echanges.exports import csv_services, geojson_services
from echanges.finess import importer_finess
from repertoire.models import Provenance, Service, lien_fiche_finess

pytestmark = pytest.mark.django_db

DONNEES = Path(__file__).parent / "data"
ET, EJ = "580000768", "920030186"  # EHPAD ARPAGE SAINT GENEST (Nevers), extrait DREES 2021
LIEN_ET = f"https://finess.esante.gouv.fr/fininter/jsp/actionDetailEtablissement.do?noFiness={ET}"


@pytest.fixture
def ehpad() -> Service:
    importer_finess(DONNEES / "finess_reels.csv")
    return Service.objects.get(lieux__finess_et=ET)


def test_le_lien_d_une_fiche_finess_mene_a_la_fiche_nationale_de_son_numero():
    assert lien_fiche_finess(ET) == LIEN_ET
    assert lien_fiche_finess("") == ""


def test_la_fiche_api_d_un_service_finess_montre_son_et_son_ej_et_sa_fiche_nationale(client, ehpad):
    fiche = client.get(f"/api/v1/services/{ehpad.pk}").json()

    assert fiche["identifiants"]["finess_et"] == ET
    assert fiche["identifiants"]["finess_ej"] == EJ
    assert fiche["identifiants"]["lien_source"] == LIEN_ET
    assert fiche["identifiants"]["sources"] == [
        {"source": "finess", "identifiant": ET, "lien": LIEN_ET}
    ]
    assert fiche["sources"][0]["lien"] == LIEN_ET


def test_la_liste_et_la_recherche_de_l_api_portent_les_identifiants(client, ehpad):
    liste = client.get("/api/v1/services", {"par_page": 50}).json()["resultats"]
    recherche = client.get("/api/v1/services/recherche", {"q": "ehpad arpage"}).json()

    par_id = {s["id"]: s["identifiants"] for s in liste}
    assert par_id[ehpad.pk]["finess_et"] == ET
    trouve = next(r for r in recherche["resultats"] if r["service"]["id"] == ehpad.pk)
    assert trouve["service"]["identifiants"]["finess_ej"] == EJ
    assert trouve["service"]["identifiants"]["lien_source"] == LIEN_ET


def test_la_fiche_api_d_une_structure_finess_mene_a_la_fiche_nationale_de_son_ej(client, ehpad):
    fiche = client.get(f"/api/v1/structures/{ehpad.structure_id}").json()
    liste = client.get("/api/v1/structures", {"par_page": 50}).json()["resultats"]

    assert fiche["identifiants"]["finess_ej"] == EJ
    assert fiche["identifiants"]["finess_et"] == ""
    assert fiche["identifiants"]["lien_source"] == lien_fiche_finess(EJ)
    assert {s["identifiants"]["finess_ej"] for s in liste} >= {EJ}


def test_le_csv_et_le_geojson_portent_l_et_l_ej_et_le_lien_source(ehpad):
    texte = "".join(csv_services()).removeprefix("\ufeff")
    lignes = {
        ligne["service_id"]: ligne for ligne in csv.DictReader(io.StringIO(texte), delimiter=";")
    }
    geojson = json.loads("".join(geojson_services()))

    ligne = lignes[str(ehpad.pk)]
    assert (ligne["finess_et"], ligne["finess_ej"], ligne["lien_source"]) == (ET, EJ, LIEN_ET)
    assert ligne["sources"] == f"finess:{ET}"
    point = next(f for f in geojson["features"] if f["properties"]["service_id"] == ehpad.pk)
    assert point["properties"]["finess_et"] == ET
    assert point["properties"]["finess_ej"] == EJ


def test_l_export_data_inclusion_porte_les_numeros_finess_et_reste_valide(ehpad):
    export = exporter_structures_et_services()

    service = next(s for s in export["services"] if s["id"].endswith(f"--{ehpad.pk}"))
    assert (service["finess_et"], service["finess_ej"], service["lien_source"]) == (ET, EJ, LIEN_ET)
    assert service["identifiants_sources"] == [
        {"source": "finess", "identifiant": ET, "lien": LIEN_ET}
    ]
    structure = next(s for s in export["structures"] if s["id"] == service["structure_id"])
    assert structure["finess_ej"] == EJ
    for s in export["structures"]:
        v1.Structure.model_validate(s, context={"ignore_warnings": False})
    for s in export["services"]:
        v1.Service.model_validate(s, context={"ignore_warnings": False})


def test_un_service_data_inclusion_garde_le_lien_source_de_son_producteur(tmp_path):
    donnees = json.loads((DONNEES / "data_inclusion_ccas_nievre.json").read_text("utf-8"))
    lien = "https://producteur.example.org/services/portage"
    donnees["services"][0]["lien_source"] = lien
    chemin = tmp_path / "envoi.json"
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")

    importer_data_inclusion(chemin)

    provenance = Provenance.objects.get(identifiant=donnees["services"][0]["id"])
    assert provenance.lien == lien
    service = next(
        s
        for s in exporter_structures_et_services()["services"]
        if s["id"].endswith(f"--{provenance.object_id}")
    )
    assert service["lien_source"] == lien
    assert service["identifiants_sources"][0]["source"] == "data-inclusion:cd58"
