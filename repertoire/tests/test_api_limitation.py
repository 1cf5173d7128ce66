"""Limitation du débit de l'API publique : 429 en français, Retry-After, par adresse IP."""

from types import SimpleNamespace

import pytest

from core import limitation
from core.models import CompteurDebit

pytestmark = pytest.mark.django_db

URL = "/api/v1/besoins"


@pytest.fixture(autouse=True)
def limite_de_trois(settings, monkeypatch):
    # Horloge figée au milieu d'une minute : les requêtes d'un test tombent dans la même fenêtre.
    monkeypatch.setattr(limitation, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.API_LIMITE_PAR_MINUTE = 3
    settings.API_ENTETE_IP_CLIENT = ""


def test_au_dela_de_la_limite_l_api_repond_429_en_francais(client):
    statuts = [client.get(URL).status_code for _ in range(4)]
    reponse = client.get(URL)

    assert statuts == [200, 200, 200, 429]
    assert reponse.status_code == 429
    assert reponse["Content-Type"] == "application/json; charset=utf-8"
    assert reponse.json()["detail"].startswith("Trop de requêtes depuis votre adresse")
    assert 1 <= int(reponse["Retry-After"]) <= 60


def test_chaque_adresse_a_sa_propre_limite(client):
    for _ in range(3):
        client.get(URL, REMOTE_ADDR="192.0.2.1")

    assert client.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(URL, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_derriere_un_mandataire_l_adresse_vient_de_son_entete(client, settings):
    settings.API_ENTETE_IP_CLIENT = "X-Forwarded-For"
    # Le client peut inventer le début de la liste ; seule la dernière adresse est sûre.
    for faux in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        client.get(URL, HTTP_X_FORWARDED_FOR=f"{faux}, 198.51.100.7")

    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_une_limite_nulle_desactive_la_limitation(client, settings):
    settings.API_LIMITE_PAR_MINUTE = 0

    assert {client.get(URL).status_code for _ in range(5)} == {200}


def test_un_compteur_indisponible_laisse_passer_les_requetes(client, monkeypatch, caplog):
    monkeypatch.setattr(CompteurDebit._meta, "db_table", "table_absente")

    assert {client.get(URL).status_code for _ in range(4)} == {200}
    assert "Limitation de débit indisponible" in caplog.text
