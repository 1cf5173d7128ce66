"""MDPH en difficulté sur toutes les sources : demandes transmises, baromètres Etalab puis
DITP lus comme une seule série (extraits réels du Calvados, de la Dordogne, de la Nièvre)."""

import pytest
from django.core.management import call_command

from pilotage.alertes import SOURCE_DEMANDES, mdph_en_difficulte
from pilotage.barometres import importer_barometre
from pilotage.series_publiees import (
    AnneePubliee,
    delais_annuels_publies,
    fusionner_series,
    series_publiees,
)
from pilotage.tableaux_de_bord import tableau_alertes, verifier_alertes
from pilotage.tests.conftest import DONNEES

pytestmark = pytest.mark.django_db


@pytest.fixture
def barometres(departements):
    importer_barometre(
        chemin=DONNEES / "extrait_etalab_dmt_aah_14_24_58.csv", indicateur="etalab-dmt-aah"
    )
    importer_barometre(chemin=DONNEES / "extrait_ditp_ind-297_14_24_58.csv")


def test_etalab_puis_ditp_forment_une_seule_serie_qui_dit_sa_source_annee_par_annee(barometres):
    fusion = fusionner_series(series_publiees())

    dordogne = fusion["24"]
    assert dordogne[2017] == AnneePubliee(2017, 4.0, "Etalab", "etalab-dmt-aah")
    assert dordogne[2021] == AnneePubliee(2021, 7.8, "Etalab", "etalab-dmt-aah")
    assert dordogne[2022] == AnneePubliee(2022, 6.08, "DITP", "IND-297")
    assert dordogne[2023].delai_mois == 7.0
    # Le 0.0 publié (valeur manquante) de la Nièvre ne fait pas d'année.
    assert sorted(fusion["58"]) == [2017, 2021, 2022, 2023]


def test_quand_les_deux_publient_la_meme_annee_la_ditp_l_emporte():
    series = {
        "etalab-dmt-aah": {"2B": [((2022, 2), 2.2), ((2022, 4), 2.2)]},
        "IND-297": {"2B": [((2022, 4), 2.6)]},
    }

    assert fusionner_series(series)["2B"][2022] == AnneePubliee(2022, 2.6, "DITP", "IND-297")


def test_la_dordogne_est_en_difficulte_d_apres_le_barometre_sur_les_deux_editeurs(barometres):
    alertes = mdph_en_difficulte(activite=delais_annuels_publies(), annee=2022)

    assert [a.territoire for a in alertes] == ["24"]
    assert alertes[0].source == "d'après le baromètre publié (Etalab 2021, DITP 2022)"
    assert alertes[0].message == (
        "MDPH 24 en difficulté en 2022 d'après le baromètre publié (Etalab 2021, DITP 2022) : "
        "délai moyen supérieur à 6 mois 2 années de suite (7.8 mois en 2021, 6.1 mois en 2022)."
    )


def test_le_calvados_n_entre_en_difficulte_qu_en_2023(barometres):
    annuel = delais_annuels_publies()

    assert [a.territoire for a in mdph_en_difficulte(activite=annuel, annee=2022)] == ["24"]
    assert [a.territoire for a in mdph_en_difficulte(activite=annuel, annee=2023)] == ["14", "24"]


def test_verifier_alertes_juge_les_barometres_sans_aucune_demande_chargee(barometres):
    annee, alertes = verifier_alertes()

    difficultes = [a for a in alertes if a.regle == "mdph_en_difficulte"]
    assert annee == 2023
    assert [a.territoire for a in difficultes] == ["14", "24"]
    assert all(a.source.startswith("d'après le baromètre publié (DITP") for a in difficultes)


def test_le_tableau_des_alertes_a_une_colonne_source(barometres):
    _, alertes = verifier_alertes(annee=2022)

    tableau = tableau_alertes(alertes)

    assert [c.libelle for c in tableau.colonnes][3] == "Source"
    assert tableau.lignes[0][3] == "d'après le baromètre publié (Etalab 2021, DITP 2022)"


def test_une_annee_plus_recente_que_les_barometres_les_juge_sur_leur_derniere_annee(barometres):
    _, alertes = verifier_alertes(annee=2030)

    assert [a.message[:30] for a in alertes if a.regle == "mdph_en_difficulte"] == [
        "MDPH 14 en difficulté en 2023 ",
        "MDPH 24 en difficulté en 2023 ",
    ]


def test_la_commande_dit_la_source_de_chaque_alerte(barometres, capsys):
    call_command("verifier_alertes", "--annee", "2022")

    sortie = capsys.readouterr().out
    assert "MDPH 24 en difficulté en 2022 d'après le baromètre publié (Etalab 2021, DITP 2022)" in (
        sortie
    )


def test_sur_les_demandes_l_alerte_dit_qu_elle_vient_des_demandes_transmises():
    activite = {"58": {2023: {"delai_mois": 6.4}, 2024: {"delai_mois": 7.1}}}

    alerte = mdph_en_difficulte(activite=activite, annee=2024)[0]

    assert alerte.source == SOURCE_DEMANDES
    assert alerte.message.startswith("MDPH 58 en difficulté en 2024 d'après les demandes")


def test_une_annee_de_rodage_n_est_pas_jugee():
    """La première année des données n'a pas le stock des demandes plus anciennes : ses
    décisions sont peu nombreuses, son stock paraît énorme en proportion."""
    activite = {
        "58": {
            2022: {"delai_mois": 6.5, "decisions": 100, "stock_fin": 90, "rodage": True},
            2023: {"delai_mois": 6.8, "decisions": 200, "stock_fin": 80},
        }
    }

    assert mdph_en_difficulte(activite=activite, annee=2022) == []
    assert mdph_en_difficulte(activite=activite, annee=2023) == []


def test_la_page_des_alertes_montre_la_source_de_chaque_alerte(barometres, professionnel):
    page = professionnel.get("/pilotage/alertes/?annee=2022").content.decode()

    assert '<th scope="col">Source</th>' in page
    assert "d&#x27;après le baromètre publié (Etalab 2021, DITP 2022)" in page


def test_le_rapport_departemental_dit_la_source_de_l_alerte(barometres, professionnel):
    from pilotage.tests.factories import DepartementFactory

    DepartementFactory(code="24")

    page = professionnel.get("/pilotage/rapports/24/2022/").content.decode()

    assert "MDPH 24 en difficulté en 2022 d&#x27;après le baromètre publié" in page
