import pytest

from repertoire.models import Besoin, Lieu, Service
from repertoire.tests.factories import LieuFactory, ServiceRelieFactory, StructureFactory
from territoires.models import Commune


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUTONOMIE_ADRESSE_SITE = "https://autonomie.example.fr"


@pytest.fixture
def nevers() -> Commune:
    return Commune.objects.get(pk="58194")


@pytest.fixture
def besoin() -> Besoin:
    return Besoin.objects.filter(parent__isnull=False).order_by("pk").first()


def lieu_a(commune: Commune, **kwargs) -> Lieu:
    return LieuFactory(
        commune=commune, latitude=commune.latitude, longitude=commune.longitude, **kwargs
    )


def service_a(commune: Commune, *, courriel: str = "accueil@structure.fr", **kwargs) -> Service:
    structure = kwargs.pop("structure", None) or StructureFactory(courriel=courriel)
    lieu = lieu_a(commune, structure=structure)
    return ServiceRelieFactory(structure=structure, lieux=[lieu], **kwargs)
