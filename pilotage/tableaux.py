"""Tableaux de données des tableaux de bord, et leurs exports CSV et XLSX.

Chaque graphique est dessiné depuis un `Tableau` : la page affiche le tableau à côté du
graphique et les exports en écrivent les mêmes nombres (arrondis une fois, ici).
"""

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from core.tableurs import ajouter_ligne_xlsx, cellule_csv, ecrivain_csv


@dataclass(frozen=True)
class Colonne:
    libelle: str
    unite: str = ""
    decimales: int = 1


@dataclass
class Tableau:
    """Un tableau : la première colonne porte les libellés des lignes (en-têtes de ligne)."""

    slug: str
    titre: str
    colonnes: list[Colonne]
    lignes: list[list] = field(default_factory=list)
    note: str = ""

    def colonne(self, indice: int) -> list:
        return [ligne[indice] for ligne in self.lignes]

    def entetes(self) -> list[str]:
        return [f"{c.libelle} ({c.unite})" if c.unite else c.libelle for c in self.colonnes]


def nombre_fr(valeur, decimales: int = 1) -> str:
    """« 4,5 », « 12 345 » (espace fine insécable), « — » pour une valeur manquante."""
    if valeur is None:
        return "—"
    if isinstance(valeur, str):
        return valeur
    if isinstance(valeur, int) or decimales == 0:
        texte = f"{round(valeur):,}"
    else:
        texte = f"{valeur:,.{decimales}f}"
    return texte.replace(",", "\u202f").replace(".", ",")


def _cellule_csv(valeur, decimales: int) -> str:
    """Nombres en virgule décimale ; textes et vides par la règle commune des tableurs."""
    if isinstance(valeur, float):
        return f"{valeur:.{decimales}f}".replace(".", ",")
    return cellule_csv(valeur)


def en_csv(tableau: Tableau) -> bytes:
    """CSV pour un tableur français : UTF-8 avec BOM, séparateur `;`, virgule décimale."""
    flux = io.StringIO()
    ecrivain = ecrivain_csv(flux)
    ecrivain.writerow(cellule_csv(entete) for entete in tableau.entetes())
    for ligne in tableau.lignes:
        ecrivain.writerow(
            _cellule_csv(v, c.decimales) for v, c in zip(ligne, tableau.colonnes, strict=True)
        )
    return ("\ufeff" + flux.getvalue()).encode("utf-8")


def en_xlsx(tableau: Tableau) -> bytes:
    """Classeur d'une feuille : titre, en-têtes en gras, nombres en cellules numériques,
    textes en cellules texte (jamais en formule)."""
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = tableau.slug[:31]
    ajouter_ligne_xlsx(feuille, [tableau.titre])
    ajouter_ligne_xlsx(feuille, tableau.entetes())
    for cellule in feuille[2]:
        cellule.font = Font(bold=True)
    for ligne in tableau.lignes:
        ajouter_ligne_xlsx(feuille, ligne)
    for indice, colonne in enumerate(tableau.colonnes, start=1):
        if colonne.decimales and indice > 1:
            for (cellule,) in feuille.iter_rows(min_row=3, min_col=indice, max_col=indice):
                cellule.number_format = "0." + "0" * colonne.decimales
    if tableau.note:
        feuille.append([])
        ajouter_ligne_xlsx(feuille, [tableau.note])
    flux = io.BytesIO()
    classeur.save(flux)
    return flux.getvalue()
