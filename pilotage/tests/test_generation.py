import datetime as dt
from collections import Counter

import pytest

from pilotage.demandes import Transition, dates_de_demande
from pilotage.generation import POPULATIONS, delai_moyen_mdph, generer_activite, populations
from pilotage.models import Demande, Evenement

pytestmark = pytest.mark.django_db


def test_le_generateur_est_reproductible(departements):
    generer_activite(departements=["58"], annees=[2023], graine=3, taux_pour_mille=5)
    premiere = list(Demande.objects.order_by("reference").values_list("reference", "date_depot"))

    generer_activite(departements=["58"], annees=[2023], graine=3, taux_pour_mille=5)

    assert (
        list(Demande.objects.order_by("reference").values_list("reference", "date_depot"))
        == premiere
    )


def test_le_volume_suit_la_population_et_le_taux(departements):
    totaux = generer_activite(departements=["58"], annees=[2023], graine=1, taux_pour_mille=26)

    attendu = round(populations(["58"])["58"] * 26 / 1000)
    assert totaux["demandes"] == attendu == Demande.objects.count()
    assert totaux["evenements"] == Evenement.objects.count()
    assert 3.5 < totaux["evenements"] / totaux["demandes"] < 5.5


def test_les_dates_denormalisees_egalent_celles_du_journal(departements):
    generer_activite(departements=["21"], annees=[2022, 2023], graine=2, taux_pour_mille=2)

    for demande in Demande.objects.prefetch_related("evenements")[:300]:
        journal = [
            Transition(e.type, e.date, e.type_decision, e.sans_limitation, e.duree_mois)
            for e in demande.evenements.all()
        ]
        attendu = dates_de_demande(journal)
        assert {champ: getattr(demande, champ) for champ in attendu} == attendu


def test_le_melange_de_prestations_et_de_publics_est_realiste(departements):
    generer_activite(departements=["21"], annees=[2023], graine=4, taux_pour_mille=10)

    prestations = Counter(Demande.objects.values_list("prestation", flat=True))
    total = sum(prestations.values())
    assert len(prestations) == 11
    assert 0.08 < prestations["aah"] / total < 0.16
    assert not Demande.objects.filter(prestation="aeeh", public="adulte").exists()
    assert not Demande.objects.filter(prestation="aah", public="enfant").exists()
    assert Demande.objects.filter(prestation="pch", public="enfant").exists()
    # Aucune transition après la fin de la période : un stock reste en attente.
    assert not Evenement.objects.filter(date__gt=dt.date(2023, 12, 31)).exists()
    assert Demande.objects.filter(date_sortie__isnull=True).exists()


def test_les_delais_propres_aux_mdph_vont_de_1_5_a_12_mois():
    delais = [delai_moyen_mdph(graine=1, departement=code) for code in POPULATIONS]

    assert min(delais) >= 1.5 and max(delais) <= 12
    assert max(delais) / min(delais) > 3


def test_l_ete_ralentit_les_decisions(departements):
    generer_activite(departements=["21"], annees=[2023], graine=5, taux_pour_mille=10)

    par_mois = Counter(
        d.month
        for d in Demande.objects.filter(date_decision__year=2023).values_list(
            "date_decision", flat=True
        )
    )
    assert par_mois[8] < par_mois[9]


def test_la_table_de_repli_couvre_les_101_departements():
    assert len(POPULATIONS) == 101
    assert 64_000_000 < sum(POPULATIONS.values()) < 70_000_000
