"""Les mesures de pertinence sur de petits exemples calculés à la main."""

import math

import pytest

from repertoire.pertinence import (
    Evaluation,
    Fiche,
    Lieu,
    Regle,
    a_portee,
    distance_km,
    jugements,
    mesurer,
    ndcg_a_k,
    precision_a_k,
    rappel_a_n,
)

NEVERS = Lieu(insee="58194", latitude=46.9878, longitude=3.1576, departement="58", epci="245804406")


def test_la_precision_compte_les_pertinents_parmi_les_k_premiers():
    notes = {"a": 2, "b": 1, "c": 1, "d": 2, "e": 1, "f": 1}
    assert precision_a_k(["a", "x", "b", "y", "c"], notes, 5) == pytest.approx(3 / 5)


def test_la_precision_se_rapporte_au_nombre_de_pertinents_quand_il_y_en_a_moins_que_k():
    assert precision_a_k(["a", "x", "y"], {"a": 2, "b": 1}, 5) == pytest.approx(1 / 2)
    assert precision_a_k(["a", "b"], {"a": 2, "b": 1}, 5) == 1


def test_sans_pertinent_la_precision_et_le_ndcg_ne_sont_pas_definis():
    assert precision_a_k(["a"], {}, 5) is None
    assert ndcg_a_k(["a"], {}, 10) is None


def test_le_rappel_compte_les_pertinents_trouves_dans_les_n_premiers():
    notes = {"a": 1, "b": 1, "c": 1, "d": 1}
    assert rappel_a_n(["x", "a", "y", "b", "c"], notes, 3) == pytest.approx(1 / 3)
    assert rappel_a_n(["x", "a", "y", "b", "c"], notes, 20) == pytest.approx(3 / 4)


def test_le_ndcg_vaut_un_pour_le_classement_ideal():
    notes = {"a": 2, "b": 1}
    assert ndcg_a_k(["a", "b", "x"], notes, 10) == pytest.approx(1)


def test_le_ndcg_penalise_un_bon_resultat_classe_trop_bas():
    # Gains 2^note − 1 : a vaut 3, b vaut 1. Idéal : 3/log2(2) + 1/log2(3).
    notes = {"a": 2, "b": 1}
    ideal = 3 + 1 / math.log2(3)
    assert ndcg_a_k(["b", "a"], notes, 10) == pytest.approx((1 + 3 / math.log2(3)) / ideal)
    assert ndcg_a_k(["x", "a"], notes, 10) == pytest.approx((3 / math.log2(3)) / ideal)
    assert ndcg_a_k(["x", "y"], notes, 10) == 0


def test_le_ndcg_ne_regarde_que_les_k_premiers():
    assert ndcg_a_k(["x", "a"], {"a": 2}, 1) == 0


def test_la_distance_nevers_chateau_chinon_est_d_environ_59_km():
    assert distance_km((46.9878, 3.1576), (47.0646, 3.9326)) == pytest.approx(59.4, abs=0.5)


def test_une_fiche_est_a_portee_dans_le_rayon_ou_par_une_zone_declaree():
    proche = Fiche(cle="p", points=((46.99, 3.16),))
    loin = Fiche(cle="l", points=((47.0646, 3.9326),))
    loin_avec_zone = Fiche(cle="z", points=((47.0646, 3.9326),), zones=(("departement", "58"),))
    zone_ailleurs = Fiche(cle="y", points=((47.0646, 3.9326),), zones=(("departement", "35"),))
    assert a_portee(proche, NEVERS, 10)
    assert not a_portee(loin, NEVERS, 10)
    assert a_portee(loin, NEVERS, None)  # sans limite
    assert a_portee(loin_avec_zone, NEVERS, 10)
    assert not a_portee(zone_ailleurs, NEVERS, 10)
    assert not a_portee(Fiche(cle="sans-lieu"), NEVERS, 10)


def test_la_regle_donne_la_meilleure_note_de_la_categorie_des_besoins_ou_de_la_fiche():
    regle = Regle(categories={"500": 2, "202": 1}, besoins={"apa": 2}, fiches={"demo:x": 1})
    ehpad = Fiche(cle="finess:1", categorie="500", points=((46.99, 3.16),))
    residence = Fiche(cle="finess:2", categorie="202", points=((46.99, 3.16),))
    apa = Fiche(cle="demo:apa", besoins=frozenset({"apa", "ash"}), zones=(("epci", "245804406"),))
    saad = Fiche(cle="finess:3", categorie="460", points=((46.99, 3.16),))
    fiches = [ehpad, residence, apa, saad]
    assert jugements(regle, fiches, NEVERS, 10) == {"finess:1": 2, "finess:2": 1, "demo:apa": 2}


def test_les_mesures_du_jeu_moyennent_les_requetes_qui_ont_une_reponse():
    evaluations = [
        Evaluation("ideal", ["a", "b"], {"a": 2, "b": 1}, avec_rayon=True),
        Evaluation("rien-trouve", [], {"a": 2}, avec_rayon=True),
        Evaluation("rien-n-existe", ["z"], {}, hors_rayon=1, avec_rayon=True),
    ]
    mesures = mesurer(evaluations)
    assert mesures.avec_reponse == 2
    assert mesures.p5 == pytest.approx(0.5)
    assert mesures.ndcg == pytest.approx(0.5)
    assert mesures.zero_resultat == pytest.approx(0.5)
    assert mesures.sans_reponse_mais_resultats == 1
    assert (mesures.hors_rayon, mesures.resultats_avec_rayon) == (1, 3)
