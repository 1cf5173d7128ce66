import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core.tableurs import ajouter_ligne_xlsx, cellule_csv, neutraliser

CHARGES = ("=1+1", "-2+3+cmd|' /C calc'!A0", "+1", "@SUM(1)", "\t=1", "\r=1", "＝1+1")


@pytest.mark.parametrize("charge", CHARGES)
def test_un_texte_qui_commence_comme_une_formule_est_prefixe_d_une_apostrophe(charge):
    assert neutraliser(charge) == "'" + charge
    assert cellule_csv(charge) == "'" + charge


@pytest.mark.parametrize("texte", ["Nevers", "58000", "", "a=b", "'déjà"])
def test_un_texte_ordinaire_reste_intact(texte):
    assert cellule_csv(texte) == texte


def test_un_telephone_international_est_du_texte_donc_prefixe():
    assert cellule_csv("+33 3 86 00 00 00") == "'+33 3 86 00 00 00"


@pytest.mark.parametrize(
    ("nombre", "attendu"), [(-3.5, "-3.5"), (-12, "-12"), (Decimal("-1.68"), "-1.68")]
)
def test_un_vrai_nombre_negatif_reste_un_nombre_en_csv(nombre, attendu):
    assert cellule_csv(nombre) == attendu


def test_none_donne_une_cellule_vide():
    assert cellule_csv(None) == ""


def _relire(valeurs: list) -> list:
    classeur = Workbook()
    ajouter_ligne_xlsx(classeur.active, valeurs)
    flux = io.BytesIO()
    classeur.save(flux)
    return list(load_workbook(io.BytesIO(flux.getvalue())).active[1])


def test_en_xlsx_une_formule_reste_un_texte_exact_marque_d_une_apostrophe():
    cellules = _relire(list(CHARGES))

    # XML ramène le retour chariot à un saut de ligne : rien à voir avec la neutralisation.
    assert [c.value for c in cellules] == [charge.replace("\r", "\n") for charge in CHARGES]
    assert {c.data_type for c in cellules} == {"s"}
    assert all(c.quotePrefix for c in cellules)


def test_en_xlsx_les_nombres_restent_des_cellules_numeriques():
    cellules = _relire([-3.5, 42, "Nièvre", None])

    assert [c.value for c in cellules[:3]] == [-3.5, 42, "Nièvre"]
    assert [c.data_type for c in cellules[:3]] == ["n", "n", "s"]
    assert not cellules[2].quotePrefix
