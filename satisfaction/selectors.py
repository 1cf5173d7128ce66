"""Lire les comptes : des distributions poolées (sommes de réponses), jamais des moyennes de
taux. Ce que les résultats (issue 12, § 2) et le baromètre liront."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from satisfaction.models import (
    CLE_REPONDANTS,
    NIVEAUX_EXPRIMES,
    NIVEAUX_SATISFAITS,
    SEGMENT_TOUS,
    Comptage,
)


@dataclass(frozen=True)
class Distribution:
    """Les réponses d'une question (une série : même clé, même signature) sur un groupe."""

    question: str
    signature: str
    niveaux: dict[str, int] = field(default_factory=dict)

    @property
    def exprimees(self) -> int:
        """Le dénominateur du taux : les quatre niveaux, « non concerné » exclu."""
        return sum(self.niveaux.get(n, 0) for n in NIVEAUX_EXPRIMES)

    @property
    def taux_satisfaction(self) -> float | None:
        """Taux de satisfaction de la mesure « Ma MDPH, mon avis » (CNSA) : (très satisfaits
        + satisfaits) / (très satisfaits + satisfaits + insatisfaits + très insatisfaits),
        « non concerné » hors du dénominateur ; None sans réponse exprimée."""
        if not self.exprimees:
            return None
        return sum(self.niveaux.get(n, 0) for n in NIVEAUX_SATISFAITS) / self.exprimees


def _comptes(
    *,
    departements: Iterable[str] | None,
    debut: dt.date,
    fin: dt.date,
    segment: str,
    origine: str | None,
):
    comptes = Comptage.objects.filter(segment=segment, mois__range=(debut, fin))
    if departements is not None:
        comptes = comptes.filter(departement__in=list(departements))
    if origine is not None:
        comptes = comptes.filter(origine=origine)
    return comptes


def distributions(
    *,
    departements: Iterable[str] | None = None,
    debut: dt.date,
    fin: dt.date,
    segment: str = SEGMENT_TOUS,
    origine: str | None = None,
) -> dict[tuple[str, str], Distribution]:
    """{(question, signature): Distribution} poolée sur ces départements (None : tous) et ces
    mois (bornes comprises), en une requête."""
    lignes = (
        _comptes(departements=departements, debut=debut, fin=fin, segment=segment, origine=origine)
        .exclude(question=CLE_REPONDANTS)
        .values_list("question", "signature", "niveau")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    resultat: dict[tuple[str, str], Distribution] = {}
    for question, signature, niveau, nombre in lignes:
        cle = (question, signature)
        resultat.setdefault(cle, Distribution(question, signature)).niveaux[niveau] = nombre
    return resultat


def repondants(
    *,
    departements: Iterable[str] | None = None,
    debut: dt.date,
    fin: dt.date,
    segment: str = SEGMENT_TOUS,
    origine: str | None = None,
) -> int:
    """Le nombre de questionnaires (pour le seuil de publication d'un groupe)."""
    comptes = _comptes(
        departements=departements, debut=debut, fin=fin, segment=segment, origine=origine
    )
    total = comptes.filter(question=CLE_REPONDANTS).aggregate(n=Sum("nombre"))["n"]
    return total or 0
