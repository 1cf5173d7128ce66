import datetime as dt

import pytest

from pilotage.agregation import agreger_activite
from pilotage.alertes import (
    RegleMdphEnDifficulte,
    RegleValeurAberrante,
    delais_annuels_barometre,
    mdph_en_difficulte,
    valeurs_aberrantes,
)
from pilotage.barometres import importer_barometre, series_barometre
from pilotage.selectors import activite_annuelle
from pilotage.tests.conftest import DONNEES
from pilotage.tests.factories import DemandeFactory


def test_une_mdph_lente_deux_ans_de_suite_est_en_difficulte():
    activite = {
        "58": {2022: {"delai_mois": 6.4}, 2023: {"delai_mois": 7.1}},
        "21": {2022: {"delai_mois": 5.9}, 2023: {"delai_mois": 9.0}},
    }

    alertes = mdph_en_difficulte(activite=activite, annee=2023)

    assert [a.territoire for a in alertes] == ["58"]
    assert alertes[0].message == (
        "MDPH 58 en difficulté en 2023 d'après les demandes transmises : délai moyen "
        "supérieur à 6 mois 2 années de suite "
        "(6.4 mois en 2022, 7.1 mois en 2023)."
    )


def test_les_seuils_de_la_regle_sont_configurables():
    activite = {"21": {2022: {"delai_mois": 5.9}, 2023: {"delai_mois": 9.0}}}
    regle = RegleMdphEnDifficulte(seuil_delai_mois=5.0)

    assert [a.territoire for a in mdph_en_difficulte(activite=activite, annee=2023, regle=regle)]
    assert mdph_en_difficulte(
        activite=activite, annee=2023, regle=RegleMdphEnDifficulte(annees_consecutives=1)
    )


@pytest.mark.django_db
def test_un_stock_de_fin_d_annee_superieur_a_la_moitie_des_decisions_alerte(departements):
    for code in ("58", "21"):  # 2023, l'année de rodage de leurs données
        DemandeFactory(departement_id=code, date_depot=dt.date(2023, 3, 1), decidee=True)
    DemandeFactory.create_batch(2, departement_id="58", decidee=True, jours=30)
    DemandeFactory.create_batch(2, departement_id="58", date_depot=dt.date(2024, 11, 2))
    DemandeFactory.create_batch(4, departement_id="21", decidee=True, jours=30)
    DemandeFactory(departement_id="21", date_depot=dt.date(2024, 12, 2))
    agreger_activite()

    alertes = mdph_en_difficulte(activite=activite_annuelle(annees=[2023, 2024]), annee=2024)

    assert [a.territoire for a in alertes] == ["58"]
    assert "2 demandes en stock au 31 décembre, soit 100 % des 2 décisions" in alertes[0].message


@pytest.mark.django_db
def test_sur_le_barometre_reel_sept_mdph_depassent_six_mois_en_2020_et_2021():
    chemin = DONNEES / "etalab_barometre_dmt_aah_departements_2017_2022.csv"
    importer_barometre(chemin=chemin, indicateur="etalab-dmt-aah")
    annuel = delais_annuels_barometre(series_barometre(indicateur="etalab-dmt-aah"))

    alertes = mdph_en_difficulte(activite=annuel, annee=2021)

    assert [a.territoire for a in alertes] == ["24", "29", "31", "35", "93", "971", "972"]
    assert "(7.7 mois en 2020, 10.2 mois en 2021)" in alertes[3].message


def test_une_valeur_aberrante_construite_est_signalee():
    serie = [((2023, t), v) for t, v in enumerate([4.0, 4.2, 3.9, 4.1, 4.0, 9.5, 4.1], start=1)]

    alertes = valeurs_aberrantes(series={"58": serie})

    assert len(alertes) == 1
    assert alertes[0].message.startswith("58, 2023-T6 : 9.5 mois, nettement au-dessus")
    assert valeurs_aberrantes(series={"58": serie}, regle=RegleValeurAberrante(seuil=100)) == []


def test_une_serie_constante_ou_trop_courte_ne_signale_rien():
    constante = [((2023, t), 4.0) for t in range(1, 9)]
    courte = [((2023, 1), 4.0), ((2023, 2), 40.0)]

    assert valeurs_aberrantes(series={"58": constante, "21": courte}) == []


@pytest.mark.django_db
def test_sur_le_barometre_reel_les_pics_de_l_aube_et_du_loir_et_cher_sont_signales():
    chemin = DONNEES / "etalab_barometre_dmt_aah_departements_2017_2022.csv"
    importer_barometre(chemin=chemin, indicateur="etalab-dmt-aah")

    alertes = valeurs_aberrantes(series=series_barometre(indicateur="etalab-dmt-aah"))

    messages = [a.message for a in alertes]
    assert any(m.startswith("10, 2019-T4 : 12.8 mois, nettement au-dessus") for m in messages)
    assert any(m.startswith("41, 2022-T1 : 12.8 mois") for m in messages)
    assert all(a.regle == "valeur_aberrante" for a in alertes)
