import datetime as dt

import pytest

from accompagnement.simulation import Debit, ajouter_mois, simuler

JANVIER = dt.date(2025, 1, 1)


def test_avec_des_renforts_le_stock_excedentaire_est_resorbe_au_debit_mesure():
    # 10 ETP font 1 000 décisions par mois : 100 par agent ; 1 000 entrées par mois.
    debit = Debit(stock=6_000, entrees_mois=1_000, sorties_mois=1_000, etp=10)

    simulation = simuler(debit=debit, agents=5, mois_renfort=12, delai_cible_mois=4, depuis=JANVIER)

    # Cible 4 000 ; 5 agents × 100 = 500 de plus par mois : 2 000 en 4 mois.
    assert simulation.stock_cible == 4_000
    assert simulation.mois == 4
    assert simulation.date == dt.date(2025, 5, 1)
    assert simulation.trajectoire == [6_000, 5_500, 5_000, 4_500, 4_000]


def test_sans_renfort_assez_long_le_stock_ne_baisse_plus():
    debit = Debit(stock=6_000, entrees_mois=1_000, sorties_mois=1_000, etp=10)

    simulation = simuler(debit=debit, agents=5, mois_renfort=2, delai_cible_mois=4, depuis=JANVIER)

    assert simulation.mois is None
    assert "n'atteint pas la cible" in simulation.message


def test_sans_effectif_connu_la_simulation_le_demande():
    with pytest.raises(ValueError, match="effectif actuel"):
        simuler(
            debit=Debit(stock=10, entrees_mois=1, sorties_mois=1),
            agents=1,
            mois_renfort=1,
            delai_cible_mois=1,
            depuis=JANVIER,
        )


def test_un_stock_deja_sous_la_cible_est_dit():
    debit = Debit(stock=100, entrees_mois=1_000, sorties_mois=1_000, etp=10)

    assert (
        simuler(debit=debit, agents=0, mois_renfort=0, delai_cible_mois=4, depuis=JANVIER).mois == 0
    )


def test_ajouter_des_mois_passe_l_annee():
    assert ajouter_mois(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 1)
