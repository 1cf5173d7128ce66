import pytest

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from repertoire.tests.factories import LieuFactory, ServiceRelieFactory, StructureFactory

NEVERS = "58194"
AUXERRE = "89024"


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def structure_a(code_insee: str, **kwargs):
    structure = StructureFactory(**kwargs)
    LieuFactory(structure=structure, commune_id=code_insee)
    return structure


def service_a(code_insee: str, **kwargs):
    structure = StructureFactory(**kwargs)
    lieu = LieuFactory(structure=structure, commune_id=code_insee)
    return ServiceRelieFactory(structure=structure, lieux=[lieu])


def moderateur_de(departement: str):
    institution = InstitutionFactory(departement_id=departement)
    return RoleFactory(institution=institution, type=TypeRole.MODERATEUR).utilisateur


def gestionnaire_de(structure):
    institution = InstitutionFactory()
    structure.institution = institution
    structure.save()
    return RoleFactory(institution=institution, type=TypeRole.GESTIONNAIRE).utilisateur


@pytest.fixture
def structure_nievre(db):
    return structure_a(NEVERS, nom="CLIC de Nevers")


@pytest.fixture
def moderateur_nievre(db):
    return moderateur_de("58")


@pytest.fixture
def moderateur_yonne(db):
    return moderateur_de("89")
