import datetime as dt

import pytest

from pilotage.agregation import agreger_activite, rafraichir_trimestre
from pilotage.generation import generer_activite
from pilotage.indicateurs import DefinitionDelai, en_mois
from pilotage.models import AgregatTrimestriel
from pilotage.selectors import delai_traitement, departements_de
from pilotage.tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db


def test_le_delai_national_est_une_moyenne_poolee_et_non_une_moyenne_de_moyennes(departements):
    # Nièvre : 1 décision en 30 jours ; Côte-d'Or : 3 décisions en 300 jours.
    DemandeFactory(departement_id="58", decidee=True, jours=30)
    DemandeFactory.create_batch(3, departement_id="21", decidee=True, jours=300)
    agreger_activite()

    national = delai_traitement(annee=2024)
    moyenne_des_moyennes = (en_mois(30) + en_mois(300)) / 2

    assert national == pytest.approx(en_mois((30 + 3 * 300) / 4))
    assert national != pytest.approx(moyenne_des_moyennes)
    region = delai_traitement(annee=2024, departements=departements_de(maille="REG", code="27"))
    assert region == pytest.approx(national)
    assert delai_traitement(annee=2024, departements=["58"]) == pytest.approx(30 / 30.4375)


def test_le_stock_de_fin_de_trimestre_exclut_les_demandes_decidees_ou_annulees(departements):
    DemandeFactory(date_depot=dt.date(2024, 1, 5))  # en attente
    DemandeFactory(date_depot=dt.date(2024, 1, 5), decidee=True, jours=20)  # décidée en T1
    DemandeFactory(date_depot=dt.date(2024, 2, 5), decidee=True, jours=80)  # décidée en T2
    DemandeFactory(date_depot=dt.date(2024, 3, 1), annulee=True)  # annulée le 31 mars
    agreger_activite()

    t1 = AgregatTrimestriel.objects.get(annee=2024, trimestre=1)
    t2 = AgregatTrimestriel.objects.get(annee=2024, trimestre=2)
    assert (t1.nouvelles_demandes, t1.decisions, t1.stock_fin) == (4, 1, 2)
    assert (t2.nouvelles_demandes, t2.decisions, t2.stock_fin) == (0, 1, 1)
    assert (t2.jours_traitement, t2.decisions_sans_limitation) == (80, 0)


def test_le_rafraichissement_d_un_trimestre_egale_l_agregation_complete(departements):
    generer_activite(departements=["58", "21"], annees=[2022, 2023], graine=7, taux_pour_mille=2)
    agreger_activite()
    complet = _lignes()

    AgregatTrimestriel.objects.filter(departement_id="58", annee=2023, trimestre=3).delete()
    AgregatTrimestriel.objects.filter(departement_id="21", annee=2022, trimestre=1).update(
        decisions=0, stock_fin=0
    )
    for departement in ("58", "21"):
        for annee in (2022, 2023):
            for trimestre in (1, 2, 3, 4):
                rafraichir_trimestre(departement=departement, annee=annee, trimestre=trimestre)

    assert _lignes() == complet
    assert len(complet) > 40


def _lignes() -> set[tuple]:
    return set(
        AgregatTrimestriel.objects.values_list(
            "departement_id",
            "annee",
            "trimestre",
            "famille",
            "public",
            "nouvelles_demandes",
            "decisions",
            "decisions_mesurees",
            "jours_traitement",
            "decisions_sans_limitation",
            "stock_fin",
        )
    )


def test_la_definition_par_defaut_reproduit_le_delai_cnsa(departements):
    for jours in (10, 20, 30, 40, 300):
        DemandeFactory(decidee=True, jours=jours)
    agreger_activite()

    cnsa = delai_traitement(annee=2024)
    calcule = delai_traitement(
        annee=2024, definition=DefinitionDelai(statistique="moyenne", fin="decision")
    )

    assert cnsa == pytest.approx(80 / 30.4375)
    assert delai_traitement(annee=2024, definition=DefinitionDelai(statistique="mediane")) == (
        pytest.approx(30 / 30.4375)
    )
    assert delai_traitement(annee=2024, definition=DefinitionDelai(statistique="p90")) == (
        pytest.approx(196 / 30.4375)
    )
    assert calcule == pytest.approx(cnsa)


def test_le_delai_peut_partir_du_depot(departements):
    DemandeFactory(decidee=True, jours=50)  # recevable 10 jours après le dépôt
    agreger_activite()

    depuis_depot = delai_traitement(annee=2024, definition=DefinitionDelai(debut="depose"))

    assert depuis_depot == pytest.approx(60 / 30.4375)


def test_une_definition_inconnue_est_refusee():
    with pytest.raises(ValueError, match="Statistique inconnue"):
        DefinitionDelai(statistique="mode")
