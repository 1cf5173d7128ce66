import csv
import io

from openpyxl import load_workbook

from pilotage.tableaux import Colonne, Tableau, en_csv, en_xlsx

CHARGES = ("=1+1", "-2+3+cmd|' /C calc'!A0", "+1", "@SUM(1)", "\t=1")


def _tableau() -> Tableau:
    """Libellés piégés (un nom venu d'une saisie), nombres négatifs et valeur manquante."""
    return Tableau(
        slug="essai",
        titre='=HYPERLINK("http://x")',
        colonnes=[Colonne("Territoire"), Colonne("Écart", "mois", decimales=1), Colonne("n")],
        lignes=[[charge, -3.5, -12] for charge in CHARGES] + [["Nièvre", None, 4]],
        note="@note",
    )


def test_le_csv_d_un_tableau_neutralise_les_formules_et_garde_les_nombres_negatifs():
    texte = en_csv(_tableau()).decode("utf-8-sig")

    lignes = list(csv.reader(io.StringIO(texte, newline=""), delimiter=";"))[1:]

    assert [ligne[0] for ligne in lignes] == ["'" + c for c in CHARGES] + ["Nièvre"]
    assert {(ligne[1], ligne[2]) for ligne in lignes[:-1]} == {("-3,5", "-12")}
    assert lignes[-1] == ["Nièvre", "", "4"]


def test_le_xlsx_d_un_tableau_n_ecrit_aucune_formule_et_garde_les_nombres_numeriques():
    feuille = load_workbook(io.BytesIO(en_xlsx(_tableau()))).active

    cellules = [c for ligne in feuille.iter_rows() for c in ligne if c.value is not None]
    assert "f" not in {c.data_type for c in cellules}
    assert feuille["A1"].value == '=HYPERLINK("http://x")'
    assert [feuille.cell(row=3 + i, column=1).value for i in range(5)] == list(CHARGES)
    assert all(feuille.cell(row=3 + i, column=1).quotePrefix for i in range(5))
    assert (feuille["B3"].value, feuille["B3"].data_type) == (-3.5, "n")
    assert (feuille["C3"].value, feuille["C3"].data_type) == (-12, "n")
