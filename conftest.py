"""Les référentiels (communes, thésaurus) sont chargés une fois par session de test."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from repertoire.services import synchroniser_referentiels
    from territoires.services import charger_communes

    with django_db_blocker.unblock():
        charger_communes()
        synchroniser_referentiels()


@pytest.fixture(autouse=True)
def _memoires_vides():
    """Un test annulé laisse en mémoire des communes ou des besoins qui n'existent plus."""
    from core.memoire import vider_memoires

    vider_memoires()
    yield
    vider_memoires()
