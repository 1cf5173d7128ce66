"""Chaque vue dit qui peut l'ouvrir ; `autonomie/tests/test_acces.py` refuse celle qui l'oublie.

Une vue est soit publique (décorée ici par `publique`, avec la raison), soit réservée par
`comptes.acces.reservee`, qui passe par la fonction de permission unique
(`comptes.permissions.peut`). Les deux posent le même attribut, que le test lit sur chaque
adresse de l'urlconf.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

Vue = TypeVar("Vue", bound=Callable)
ATTRIBUT = "acces"


@dataclass(frozen=True)
class Acces:
    """`permission` : le nom de la permission vérifiée (`comptes.<action>`), vide si publique."""

    publique: bool
    raison: str
    permission: str = ""


def publique(raison: str) -> Callable[[Vue], Vue]:
    """Marque une vue ouverte à tous, avec la raison (lue par le test des adresses)."""

    def marquer(vue: Vue) -> Vue:
        setattr(vue, ATTRIBUT, Acces(publique=True, raison=raison))
        return vue

    return marquer


def acces_de(vue: Callable) -> Acces | None:
    return getattr(vue, ATTRIBUT, None)
