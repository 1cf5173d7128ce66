"""FINESS ne publie pas la clientèle d'un établissement dans son stock ; son nom la dit
souvent (« SSEFIS » : enfants sourds, « SAAAIS » : aveugles, « TSA » : autisme)."""

import pytest

from echanges.finess import publics_du_nom_finess
from repertoire.referentiels import CATEGORIES_FINESS

SESSAD = CATEGORIES_FINESS["182"]
EHPAD = CATEGORIES_FINESS["500"]


@pytest.mark.parametrize(
    ("nom", "public"),
    [
        ("SSEFIS KERVEIZA", "handicap-auditif"),
        ("SAAAIS CENTRE ANGELE VANNIER", "handicap-visuel"),
        ("SESSAD TSA LES LUCIOLES", "autisme-tsa"),
        ("SESSAD Déficients auditifs", "handicap-auditif"),
        ("SESSAD POLYHANDICAP", "polyhandicap"),
    ],
)
def test_le_nom_d_un_etablissement_pour_personnes_handicapees_dit_son_public(nom, public):
    publics = publics_du_nom_finess(SESSAD, nom)
    assert public in publics
    assert set(SESSAD.publics) <= set(publics)


def test_un_nom_sans_indice_garde_les_publics_de_la_categorie():
    assert publics_du_nom_finess(SESSAD, "SESSAD LE GACET") == SESSAD.publics


def test_seuls_les_etablissements_pour_personnes_handicapees_sont_lus():
    assert publics_du_nom_finess(EHPAD, "EHPAD RESIDENCE DES SOURDS") == EHPAD.publics
