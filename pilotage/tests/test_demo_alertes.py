"""La démonstration ne lève que les alertes voulues : celles de vraies MDPH."""

import pytest

from pilotage.alertes import SOURCE_DEMANDES
from pilotage.demo import charger_demo_pilotage
from pilotage.tableaux_de_bord import verifier_alertes

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(departements):
    """L'Yonne (délai publié de 6,8 mois fin 2023) et la Nièvre (5 mois)."""
    charger_demo_pilotage(departements=("58", "89"))
    return frozenset({"58", "89"})


def test_la_demo_ne_signale_en_difficulte_que_l_yonne_comme_le_barometre_publie(demo):
    annee, alertes = verifier_alertes(demandes=demo, publies=demo)

    des_demandes = [a for a in alertes if a.source == SOURCE_DEMANDES]
    publiees = [a for a in alertes if a.source != SOURCE_DEMANDES]
    assert annee == 2024
    assert [(a.territoire, a.regle) for a in des_demandes] == [("89", "mdph_en_difficulte")]
    assert [(a.territoire, a.regle) for a in publiees] == [("89", "mdph_en_difficulte")]


def test_le_demarrage_a_vide_de_la_demo_ne_fait_ni_stock_ni_delai_aberrant(demo):
    """2022, première année générée : pas de stock de départ, des premières décisions
    rapides ; ni alerte de stock ni valeur trimestrielle aberrante."""
    _, alertes = verifier_alertes(annee=2022, demandes=demo, publies=frozenset())

    assert [a for a in alertes if a.source == SOURCE_DEMANDES] == []
