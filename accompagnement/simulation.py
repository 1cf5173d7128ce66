"""Résorption du stock d'une MDPH avec des renforts : un calcul pur, au débit mesuré.

Productivité mesurée p = décisions des 12 derniers mois / (ETP × 12) (décisions par agent et
par mois). Avec N agents de plus pendant M mois, chaque mois t :

    stock(t + 1) = stock(t) + entrées − sorties − (N × p si t < M, sinon 0)

où entrées et sorties sont les moyennes mensuelles des 12 derniers mois. Le stock est résorbé
le premier mois où il atteint le stock cible = entrées × délai cible (loi de Little : un
stock égal à d mois d'entrées fait un délai de d mois).
"""

import datetime as dt
from dataclasses import dataclass

HORIZON_MOIS = 120


@dataclass(frozen=True)
class Debit:
    """Le débit mesuré d'une MDPH sur les 12 derniers mois."""

    stock: int
    entrees_mois: float
    sorties_mois: float
    etp: float | None = None

    @property
    def productivite(self) -> float | None:
        """Décisions par agent (ETP) et par mois ; None sans effectif connu."""
        if not self.etp or self.etp <= 0:
            return None
        return self.sorties_mois / self.etp


@dataclass(frozen=True)
class Simulation:
    stock_cible: float
    mois: int | None  # mois jusqu'à la résorption ; None : pas dans l'horizon
    date: dt.date | None
    trajectoire: list[float]
    message: str


def ajouter_mois(jour: dt.date, mois: int) -> dt.date:
    annee, m = divmod(jour.month - 1 + mois, 12)
    return dt.date(jour.year + annee, m + 1, 1)


def simuler(
    *, debit: Debit, agents: float, mois_renfort: int, delai_cible_mois: float, depuis: dt.date
) -> Simulation:
    """Avec `agents` ETP de plus pendant `mois_renfort` mois, quand le stock atteint-il la
    cible ? Exige l'effectif actuel (`debit.etp`) pour la productivité mesurée."""
    if agents < 0 or mois_renfort < 0 or delai_cible_mois <= 0:
        raise ValueError("Agents, mois et délai cible doivent être positifs.")
    productivite = debit.productivite
    if productivite is None:
        raise ValueError("L'effectif actuel (ETP) de la MDPH est nécessaire pour la simulation.")
    cible = debit.entrees_mois * delai_cible_mois
    stock, trajectoire = float(debit.stock), [float(debit.stock)]
    for t in range(HORIZON_MOIS):
        if stock <= cible:
            return _resultat(cible, t, depuis, trajectoire)
        renfort = agents * productivite if t < mois_renfort else 0.0
        stock = max(0.0, stock + debit.entrees_mois - debit.sorties_mois - renfort)
        trajectoire.append(stock)
    if stock <= cible:
        return _resultat(cible, HORIZON_MOIS, depuis, trajectoire)
    return Simulation(
        cible,
        None,
        None,
        trajectoire,
        f"Le stock n'atteint pas la cible de {cible:.0f} demande(s) en {HORIZON_MOIS // 12} ans.",
    )


def _resultat(cible: float, mois: int, depuis: dt.date, trajectoire: list[float]) -> Simulation:
    date = ajouter_mois(depuis, mois)
    message = (
        f"Le stock atteint la cible de {cible:.0f} demande(s) en {mois} mois, vers {date:%m/%Y}."
        if mois
        else f"Le stock est déjà sous la cible de {cible:.0f} demande(s)."
    )
    return Simulation(cible, mois, date, trajectoire, message)
