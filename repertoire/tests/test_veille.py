"""Veille des besoins : chaque recherche (page et API) est comptée, sans donnée personnelle."""

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from repertoire.models import ComptageRecherche, Tranche
from repertoire.veille import besoin_reconnu, compter_recherche
from territoires.models import Commune

pytestmark = pytest.mark.django_db
API = "/api/v1/services/recherche"


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    settings.API_LIMITE_PAR_MINUTE = 0


def champs(ligne: ComptageRecherche) -> tuple:
    return (ligne.besoin, ligne.public, ligne.commune, ligne.rayon_km, ligne.tranche)


def test_une_recherche_de_la_page_incremente_la_bonne_ligne(client):
    reponse = client.get(
        "/recherche/",
        {"besoin": "aide-a-domicile", "public": "personnes-agees", "commune": "58194", "rayon": 10},
    )

    assert reponse.status_code == 200
    ligne = ComptageRecherche.objects.get()
    assert champs(ligne) == ("aide-a-domicile", "personnes-agees", "58194", 10, Tranche.AUCUN)
    assert (ligne.jour, ligne.recherches, ligne.resultats) == (timezone.localdate(), 1, 0)


def test_deux_recherches_identiques_le_meme_jour_font_une_ligne_de_deux(client):
    for _ in range(2):
        client.get("/recherche/", {"besoin": "aide-a-domicile", "commune": "58194"})

    assert ComptageRecherche.objects.get().recherches == 2


def test_une_recherche_de_l_api_est_comptee_aussi(client):
    reponse = client.get(API, {"besoin": "aide-a-domicile", "commune": "Nevers", "rayon_km": 20})

    assert reponse.status_code == 200
    ligne = ComptageRecherche.objects.get()
    assert champs(ligne) == ("aide-a-domicile", "", "58194", 20, Tranche.AUCUN)


def test_le_texte_saisi_n_est_pas_garde_seulement_le_besoin_reconnu(client):
    client.get("/recherche/", {"q": "aide à la toilette pour Jeanne Dupont 06 12 34 56 78"})

    ligne = ComptageRecherche.objects.get()
    assert ligne.besoin == besoin_reconnu(besoin="", texte="aide à la toilette")
    assert ligne.besoin != ""
    valeurs = " ".join(str(v) for v in ComptageRecherche.objects.values_list().get())
    assert "Dupont" not in valeurs and "Jeanne" not in valeurs and "06" not in valeurs


def test_un_besoin_ou_un_public_inconnu_du_thesaurus_n_est_pas_garde(client):
    client.get(API, {"besoin": "Jeanne Dupont", "public": "rue des Lilas"})

    assert champs(ComptageRecherche.objects.get()) == ("", "", "", 0, Tranche.AUCUN)


def test_tourner_les_pages_n_est_pas_chercher_a_nouveau(client):
    client.get("/recherche/", {"besoin": "aide-a-domicile", "page": 2})

    assert not ComptageRecherche.objects.exists()


def test_une_erreur_de_comptage_ne_casse_pas_la_recherche(client, monkeypatch, caplog):
    def en_panne(*args, **kwargs):
        raise RuntimeError("base en panne pour 58194 et Jeanne Dupont")

    monkeypatch.setattr(ComptageRecherche.objects.__class__, "compter", en_panne)
    with caplog.at_level(logging.WARNING, logger="repertoire.veille"):
        page = client.get("/recherche/", {"q": "Jeanne Dupont", "commune": "58194"})
        api = client.get(API, {"q": "Jeanne Dupont", "commune": "58194"})

    assert (page.status_code, api.status_code) == (200, 200)
    assert [r.getMessage() for r in caplog.records] == ["Recherche non comptée (RuntimeError)."] * 2


def test_le_nombre_de_resultats_est_range_en_tranches():
    tranches = [Tranche.de(n) for n in (0, 1, 2, 3, 9, 10, 1000)]
    assert tranches == ["0", "1-2", "1-2", "3-9", "3-9", "10+", "10+"]


def test_les_resultats_s_additionnent_dans_la_ligne_de_leur_tranche():
    nevers = Commune.objects.get(pk="58194")
    for resultats in (3, 5, 12):
        compter_recherche(
            besoin="aide-a-domicile", texte="", public="", commune=nevers, rayon_km=None,
            resultats=resultats,
        )  # fmt: skip

    lignes = dict(ComptageRecherche.objects.values_list("tranche", "recherches"))
    assert lignes == {"3-9": 2, "10+": 1}
    assert ComptageRecherche.objects.get(tranche="3-9").resultats == 8


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite : une base en mémoire, un seul écrivain"
)
def test_deux_premieres_recherches_simultanees_font_une_ligne_de_deux():
    """Deux connexions, chacune dans son fil, comptent la même recherche au même instant :
    une seule ligne, à 2 (l'index unique et ON CONFLICT sérialisent les deux écritures)."""
    jour = dt.date(1999, 1, 1)  # hors de toute autre ligne ; écrite hors de la transaction du test
    depart = threading.Barrier(2)

    def dans_un_fil(action):
        try:
            return action()
        finally:
            connections.close_all()

    def compter():
        depart.wait(timeout=10)
        ComptageRecherche.objects.compter(jour=jour, tranche=Tranche.AUCUN, commune="58194")

    with ThreadPoolExecutor(max_workers=2) as fils:
        list(fils.map(lambda _: dans_un_fil(compter), range(2)))
        lire = lambda: list(  # noqa: E731
            ComptageRecherche.objects.filter(jour=jour).values_list("recherches", flat=True)
        )
        lignes = fils.submit(dans_un_fil, lire).result()
        fils.submit(dans_un_fil, lambda: ComptageRecherche.objects.filter(jour=jour).delete())

    assert lignes == [2]


def test_deux_increments_font_deux():
    cle = {"jour": dt.date(2026, 1, 5), "commune": "58194", "tranche": Tranche.UN_OU_DEUX}
    ComptageRecherche.objects.compter(resultats=1, **cle)
    ComptageRecherche.objects.compter(resultats=2, **cle)

    ligne = ComptageRecherche.objects.get()
    assert (ligne.recherches, ligne.resultats) == (2, 3)
