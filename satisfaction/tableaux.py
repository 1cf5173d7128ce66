"""Les tableaux des résultats : ce que montre la page, et ce qu'écrivent les exports CSV et
XLSX (les mêmes cellules ; « non publié » écrit en toutes lettres, jamais un zéro)."""

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from core.tableurs import ajouter_ligne_xlsx, cellule_csv, ecrivain_csv
from satisfaction.models import NIVEAUX_EXPRIMES, Niveau
from satisfaction.resultats import (
    DEFINITION_TAUX,
    Comparaison,
    Resultats,
    non_publie,
)


@dataclass
class Tableau:
    slug: str
    titre: str
    entetes: list[str]
    lignes: list[list] = field(default_factory=list)
    note: str = ""


def _pc(valeur: float | None, publie: bool = True) -> str | float:
    if not publie or valeur is None:
        return non_publie()
    return valeur


def _dont_papier(n: int) -> str:
    return f"dont {n} sur papier" if n else "aucune sur papier"


def tableau_distributions(r: Resultats) -> Tableau:
    entetes = ["Question", "Taux de satisfaction (%)"]
    entetes += [f"{Niveau(n).label} (%)" for n in NIVEAUX_EXPRIMES]
    entetes += ["Réponses exprimées", "Non concerné", "Sur papier"]
    tableau = Tableau(
        "distributions",
        f"Satisfaction par question, {r.territoire.nom}, {r.periode.libelle}",
        entetes,
        note=DEFINITION_TAUX,
    )
    for ligne in r.lignes:
        publie = r.publie and ligne.publiee
        tableau.lignes.append(
            [
                ligne.info.libelle,
                _pc(ligne.taux, publie),
                *(_pc(ligne.part(n), publie) for n in NIVEAUX_EXPRIMES),
                ligne.exprimees if r.publie else non_publie(),
                ligne.non_concerne if r.publie else non_publie(),
                ligne.papier if r.publie else non_publie(),
            ]
        )
    return tableau


def tableau_croisements(r: Resultats, libelle_question: str) -> Tableau:
    tableau = Tableau(
        "croisements",
        f"Taux de satisfaction « {libelle_question} » selon la présentation, "
        f"{r.territoire.nom}, {r.periode.libelle}",
        ["Question de présentation", "Réponse", "Répondants", "Taux de satisfaction (%)"],
        note="Une personne peut donner plusieurs motifs : elle compte dans chacun. "
        + DEFINITION_TAUX,
    )
    for c in r.croisements:
        tableau.lignes.append(
            [c.libelle_question, c.libelle, c.repondants if r.publie else non_publie(), _pc(c.taux)]
        )
    return tableau


def tableau_comparaison(avant: Resultats, apres: Resultats, lignes: list[Comparaison]) -> Tableau:
    tableau = Tableau(
        "comparaison",
        f"Taux de satisfaction, {avant.periode.libelle} et {apres.periode.libelle}, "
        f"{apres.territoire.nom}",
        [
            "Question",
            f"{avant.periode.libelle} (%)",
            f"{apres.periode.libelle} (%)",
            "Écart (points)",
        ],
        note=f"Répondants : {avant.repondants} puis {apres.repondants}. " + DEFINITION_TAUX,
    )
    for c in lignes:
        ecart = c.ecart
        tableau.lignes.append(
            [c.libelle, _pc(c.avant), _pc(c.apres), "—" if ecart is None else ecart]
        )
    return tableau


def _csv_valeur(valeur) -> str:
    if isinstance(valeur, float):
        return f"{valeur:.1f}".replace(".", ",")
    return cellule_csv(valeur)


def en_csv(tableau: Tableau) -> bytes:
    """UTF-8 avec BOM, séparateur `;`, virgule décimale : ce qu'ouvre un tableur français."""
    flux = io.StringIO()
    ecrivain = ecrivain_csv(flux)
    ecrivain.writerow(cellule_csv(e) for e in tableau.entetes)
    for ligne in tableau.lignes:
        ecrivain.writerow(_csv_valeur(v) for v in ligne)
    if tableau.note:
        ecrivain.writerow([])
        ecrivain.writerow([cellule_csv(tableau.note)])
    return ("\ufeff" + flux.getvalue()).encode("utf-8")


def en_xlsx(tableau: Tableau) -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = tableau.slug[:31]
    ajouter_ligne_xlsx(feuille, [tableau.titre])
    ajouter_ligne_xlsx(feuille, tableau.entetes)
    for cellule in feuille[2]:
        cellule.font = Font(bold=True)
    for ligne in tableau.lignes:
        ajouter_ligne_xlsx(feuille, ligne)
    if tableau.note:
        feuille.append([])
        ajouter_ligne_xlsx(feuille, [tableau.note])
    flux = io.BytesIO()
    classeur.save(flux)
    return flux.getvalue()
