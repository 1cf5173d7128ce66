"""Veille des besoins : chaque recherche (page et API) est comptée, sans donnée personnelle."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from repertoire.models import ComptageRecherche, ComptageRechercheQuerySet, Tranche
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


def test_deux_premieres_recherches_simultanees_comptent_deux(monkeypatch):
    """La seconde trouve la ligne créée par la première entre son UPDATE et son INSERT : la
    contrainte unique la refuse, elle incrémente alors la ligne au lieu d'en créer une."""
    cle = {"jour": dt.date(2026, 1, 5), "besoin": "", "public": "", "commune": "58194"}
    cle |= {"rayon_km": 0, "tranche": Tranche.AUCUN}
    ajouter = ComptageRechercheQuerySet.ajouter
    appels = []

    def concurrente_passee_avant(queryset, **kwargs):
        if not appels:  # la première a déjà créé la ligne, que cet UPDATE n'a pas vue
            appels.append(1)
            ComptageRecherche.objects.create(**cle, resultats=0)
            return 0
        return ajouter(queryset, **kwargs)

    monkeypatch.setattr(ComptageRechercheQuerySet, "ajouter", concurrente_passee_avant)
    ComptageRecherche.objects.compter(resultats=0, **cle)

    assert ComptageRecherche.objects.get().recherches == 2


def test_deux_increments_font_deux():
    cle = {"jour": dt.date(2026, 1, 5), "commune": "58194", "tranche": Tranche.AUCUN}
    ComptageRecherche.objects.compter(resultats=0, **cle)
    ComptageRecherche.objects.compter(resultats=0, **cle)

    assert ComptageRecherche.objects.get().recherches == 2
