import pytest

from core import memoire as module
from core.memoire import Memoire, vider_memoires


@pytest.fixture
def appels():
    return []


@pytest.fixture
def carre(appels):
    def calcul(n: int) -> int:
        appels.append(n)
        return n * n

    return Memoire(calcul, taille=2)


def test_une_valeur_n_est_calculee_qu_une_fois(carre, appels):
    assert (carre(3), carre(3)) == (9, 9)
    assert appels == [3]


def test_la_valeur_la_moins_recemment_lue_part_d_abord(carre, appels):
    carre(1), carre(2), carre(1), carre(3)  # 2 est la moins récemment lue
    carre(1), carre(2)

    assert appels == [1, 2, 3, 2]


def test_une_valeur_expiree_est_recalculee(carre, appels, settings, monkeypatch):
    settings.REFERENTIELS_MEMOIRE_SECONDES = 300
    horloge = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: horloge[0])
    carre(4)
    horloge[0] += 299
    carre(4)
    horloge[0] += 2
    carre(4)

    assert appels == [4, 4]


def test_vider_memoires_vide_toutes_les_memoires(carre, appels):
    carre(5)
    vider_memoires()
    carre(5)

    assert appels == [5, 5]
