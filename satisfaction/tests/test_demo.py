import pytest

from satisfaction.demo import charger_demo_satisfaction
from satisfaction.models import CLE_REPONDANTS, Comptage, Reponse, ResultatPublie

pytestmark = pytest.mark.django_db


def test_la_demo_donne_des_reponses_a_quelques_mdph_et_se_recharge_a_l_identique(version):
    totaux = charger_demo_satisfaction(departements=("58", "89"), par_mois=4)
    assert totaux["reponses"] == Reponse.objects.count() > 0
    assert set(Reponse.objects.values_list("departement", flat=True)) == {"58", "89"}
    repondants = Comptage.objects.filter(segment="tous", question=CLE_REPONDANTS)
    assert sum(repondants.values_list("nombre", flat=True)) == totaux["reponses"]
    assert ResultatPublie.objects.filter(annee=2022, code="FR").count() == 5
    assert charger_demo_satisfaction(departements=("58", "89"), par_mois=4) == totaux
    assert Reponse.objects.count() == totaux["reponses"]
