"""Cellules de tableur sûres : aucune valeur exportée ne devient une formule.

Un tableur exécute une cellule qui commence par `=`, `+`, `-` ou `@` (injection de formule,
« CSV injection » d'OWASP) : `-2+3+cmd|' /C calc'!A0` lance un programme sous Excel. Tout
export destiné à un tableur (CSV, XLSX) écrit ses cellules par ce module.

Règles (OWASP, « CSV Injection ») :
- un texte qui commence par `=`, `+`, `-`, `@`, une tabulation, un retour chariot ou un saut
  de ligne (ou l'une des formes pleine chasse `＝＋－＠`, que certains tableurs d'Asie de
  l'Est convertissent) est préfixé d'une apostrophe en CSV ; en XLSX, il est écrit en cellule
  texte marquée « préfixe apostrophe » (quotePrefix) : la valeur reste exacte et le tableur
  ne la réinterprète pas, même quand on édite la cellule ;
- un nombre (int, float, Decimal) reste un nombre : cellule numérique en XLSX, chiffres
  intacts en CSV (`-3.5`, longitude `-1.68`) ;
- le type décide, pas l'allure : un texte `+1` ou `-3,5` est préfixé comme tout texte (c'est
  à l'export d'écrire ses nombres en nombres) ;
- un téléphone « +33 1 23 45 67 89 » est du texte : il est préfixé (`'+33 1 23…`). Sans
  l'apostrophe, Excel l'évaluerait en formule et afficherait une erreur ; avec, il reste
  lisible tel quel.
"""

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

DECLENCHEURS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
Nombre = int | float | Decimal


def risque_formule(texte: str) -> bool:
    """Vrai si un tableur pourrait lire ce texte comme une formule."""
    return texte[:1] in DECLENCHEURS


def neutraliser(texte: str) -> str:
    """Le texte, préfixé d'une apostrophe s'il pourrait être lu comme une formule."""
    return "'" + texte if risque_formule(texte) else texte


def cellule_csv(valeur: Any) -> str:
    """Une valeur en cellule CSV : vide pour None, nombre intact, texte neutralisé."""
    if valeur is None:
        return ""
    if isinstance(valeur, Nombre):
        return str(valeur)
    return neutraliser(str(valeur))


def ecrivain_csv(flux: Any) -> Any:
    """Le CSV des exports : `;` (tableur français), fins de ligne CRLF."""
    return csv.writer(flux, delimiter=";", lineterminator="\r\n")


def cellule_xlsx(feuille: Worksheet, valeur: Any) -> Cell:
    """Une cellule XLSX typée : nombre et date tels quels, tout le reste en texte.

    openpyxl écrit en formule toute chaîne qui commence par `=` : on force le type texte
    (`data_type = "s"`), et le préfixe apostrophe pour qu'une édition ne la ranime pas.
    """
    if valeur is None or isinstance(valeur, Nombre | dt.date | dt.time):
        return Cell(feuille, value=valeur)
    texte = str(valeur)
    cellule = Cell(feuille, value=texte)
    cellule.data_type = "s"
    if risque_formule(texte):
        cellule.quotePrefix = True
    return cellule


def ajouter_ligne_xlsx(feuille: Worksheet, valeurs: Iterable[Any]) -> None:
    """`feuille.append` sans risque de formule."""
    feuille.append([cellule_xlsx(feuille, valeur) for valeur in valeurs])
