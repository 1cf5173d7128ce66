"""Référentiels lus à chaque recherche (thésaurus, communes), gardés en mémoire du processus.

Une requête ORM coûte ≈ 0,3 ms de Python avant même d'atteindre la base ; relire le
thésaurus ou la commune saisie à chaque recherche en coûtait plus que la recherche.
Ces tables ne changent que par `charger_referentiels` ou l'admin : une valeur gardée
`REFERENTIELS_MEMOIRE_SECONDES` secondes est au pire aussi vieille, dans un autre processus.
Dans celui qui écrit, les signaux de sauvegarde vident la mémoire aussitôt. Elles se
calculent sur la base principale, même quand la requête lit sur une réplique (core/bases.py).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from core.bases import lire_sur_la_principale

V = TypeVar("V")

_MEMOIRES: list["Memoire"] = []


class Memoire(Generic[V]):
    """Au plus `taille` valeurs de `calcul`, chacune gardée un temps borné ; les moins
    récemment lues partent d'abord."""

    def __init__(self, calcul: Callable[..., V], *, taille: int = 1) -> None:
        self.calcul = calcul
        self.taille = taille
        self._valeurs: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._verrou = threading.Lock()
        _MEMOIRES.append(self)

    def __call__(self, *cle: Hashable) -> V:
        maintenant = time.monotonic()
        with self._verrou:
            garde = self._valeurs.get(cle)
            if garde is not None and garde[0] > maintenant:
                self._valeurs.move_to_end(cle)
                return garde[1]
        # Sur la principale : une réplique en retard relue juste après le vidage par un
        # signal garderait l'ancienne valeur tout le délai. Une lecture par délai, peu coûteuse.
        with lire_sur_la_principale():
            valeur = self.calcul(*cle)
        with self._verrou:
            self._valeurs[cle] = (maintenant + settings.REFERENTIELS_MEMOIRE_SECONDES, valeur)
            self._valeurs.move_to_end(cle)
            while len(self._valeurs) > self.taille:
                self._valeurs.popitem(last=False)
        return valeur

    def vider(self) -> None:
        with self._verrou:
            self._valeurs.clear()


def memoire(*, taille: int = 1) -> Callable[[Callable[..., V]], Memoire[V]]:
    return lambda calcul: Memoire(calcul, taille=taille)


def vider_memoires(*_args, **_kwargs) -> None:
    """Toutes les mémoires ; branché sur les signaux des référentiels, appelé entre deux tests."""
    for memoire_ in _MEMOIRES:
        memoire_.vider()


def vider_a_chaque_modification(*modeles) -> None:
    """Une ligne de ces modèles modifiée dans ce processus (admin) n'attend pas la fin du
    délai de la mémoire."""
    for modele in modeles:
        for signal in (post_save, post_delete):
            signal.connect(vider_memoires, sender=modele, dispatch_uid=f"memoire_{modele}")
