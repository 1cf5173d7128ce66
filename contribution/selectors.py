"""Ce que lit la modération : propositions et signalements avec leurs fiches, et le tri de
ceux qui sont dans le territoire d'un modérateur (la file, le résumé par courriel)."""

from collections.abc import Iterable
from typing import Any, TypeVar

from comptes.permissions import Action, peut
from contribution.models import (
    AvecFiche,
    Proposition,
    PropositionQuerySet,
    Signalement,
    SignalementQuerySet,
)

# Ce que `territoire_pour_permissions` lit de chaque fiche, chargé en une requête par relation.
FICHES = ("structure", "service__structure")
LIEUX_ET_ZONES = (
    "structure__lieux",
    "service__lieux",
    "service__zones",
    "service__structure__lieux",
)

E = TypeVar("E", bound=AvecFiche)


def propositions() -> PropositionQuerySet:
    return Proposition.objects.select_related(*FICHES, "auteur").prefetch_related(*LIEUX_ET_ZONES)


def signalements() -> SignalementQuerySet:
    return Signalement.objects.select_related(*FICHES).prefetch_related(*LIEUX_ET_ZONES)


def du_territoire(utilisateur: Any, elements: Iterable[E]) -> list[E]:
    """Ceux dont la fiche est dans le territoire du modérateur (`peut(…, MODERER, fiche)`) :
    `peut` est posée une fois par territoire distinct (lieux et zones préchargés), pas une
    fois par élément."""
    decisions: dict[Any, bool] = {}
    gardes = []
    for element in elements:
        territoire = element.fiche.territoire_pour_permissions()
        if territoire not in decisions:
            decisions[territoire] = peut(utilisateur, Action.MODERER, territoire)
        if decisions[territoire]:
            gardes.append(element)
    return gardes
