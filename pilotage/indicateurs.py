"""Règles de calcul pures (sans base) : trimestres, mois, statistiques, taux d'avancement DITP.

Convention des mois : un mois vaut 365,25 / 12 = 30,4375 jours. Le baromètre CNSA publie le
délai en mois avec une décimale ; cette convention reproduit ses valeurs à partir des jours.
"""

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median

JOURS_PAR_MOIS = 365.25 / 12  # 30,4375


def en_mois(jours: float) -> float:
    """Convertit des jours en mois de 30,4375 jours (convention documentée dans FORMAT.md)."""
    return jours / JOURS_PAR_MOIS


def trimestre_de(jour: dt.date) -> tuple[int, int]:
    return jour.year, (jour.month - 1) // 3 + 1


def bornes_trimestre(annee: int, trimestre: int) -> tuple[dt.date, dt.date]:
    debut = dt.date(annee, 3 * trimestre - 2, 1)
    fin = dt.date(annee + 1, 1, 1) if trimestre == 4 else dt.date(annee, 3 * trimestre + 1, 1)
    return debut, fin - dt.timedelta(days=1)


def percentile(valeurs: list[float], rang: float) -> float:
    """Percentile par interpolation linéaire (méthode « inclusive » des tableurs)."""
    ordonnees = sorted(valeurs)
    position = (len(ordonnees) - 1) * rang
    bas, haut = math.floor(position), math.ceil(position)
    return ordonnees[bas] + (ordonnees[haut] - ordonnees[bas]) * (position - bas)


STATISTIQUES = {
    "moyenne": lambda v: sum(v) / len(v),
    "mediane": median,
    "p90": lambda v: percentile(v, 0.9),
}


@dataclass(frozen=True)
class DefinitionDelai:
    """Un délai de traitement : de quel événement à quel événement, et quelle statistique.

    Par défaut, la définition du baromètre CNSA : de la date où la demande est recevable
    (dossier complet) à la date de la décision CDAPH, moyenne sur les demandes décidées dans
    la période, en mois de 30,4375 jours.
    """

    debut: str = "recevable"  # depose | recevable
    fin: str = "decision"  # decision | notification
    statistique: str = "moyenne"  # moyenne | mediane | p90

    def __post_init__(self) -> None:
        if self.debut not in ("depose", "recevable"):
            raise ValueError(f"Début de délai inconnu : {self.debut}")
        if self.fin not in ("decision", "notification"):
            raise ValueError(f"Fin de délai inconnue : {self.fin}")
        if self.statistique not in STATISTIQUES:
            raise ValueError(f"Statistique inconnue : {self.statistique}")

    @property
    def est_cnsa(self) -> bool:
        return (self.debut, self.fin, self.statistique) == ("recevable", "decision", "moyenne")


DELAI_CNSA = DefinitionDelai()


def taux_avancement(*, initiale: float, actuelle: float, cible: float, sens: str) -> float:
    """Taux d'avancement DITP : TA = 100 × (VA − VI) / (VC − VI), borné à 0–100.

    Selon le sens de l'indicateur (un délai doit baisser) : la cible atteinte vaut 100 ; si la
    valeur initiale respectait déjà la cible et que la valeur actuelle ne la respecte plus, le
    taux vaut 0 (c'est ce que publie la DITP, contrôlé sur IND-296 et IND-297).
    """
    atteinte = actuelle <= cible if sens == "baisse" else actuelle >= cible
    if atteinte:
        return 100.0
    deja_atteinte = initiale <= cible if sens == "baisse" else initiale >= cible
    if deja_atteinte or cible == initiale:
        return 0.0
    taux = 100 * (actuelle - initiale) / (cible - initiale)
    return round(min(100.0, max(0.0, taux)), 2)


def scores_robustes(valeurs: list[float]) -> list[float | None]:
    """Score z robuste d'Iglewicz et Hoaglin : 0,6745 × (x − médiane) / MAD.

    MAD = médiane des écarts absolus à la médiane. Si la MAD est nulle (série presque
    constante), le score n'est pas défini : None.
    """
    centre = median(valeurs)
    mad = median(abs(v - centre) for v in valeurs)
    if mad == 0:
        return [None] * len(valeurs)
    return [0.6745 * (v - centre) / mad for v in valeurs]
