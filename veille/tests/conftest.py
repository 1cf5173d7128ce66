import datetime as dt

import pytest

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from repertoire.models import ComptageRecherche, Tranche
from territoires.models import Departement


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def animateur(client):
    """Un animateur territorial du conseil départemental de la Nièvre, connecté."""
    role = RoleFactory(type=TypeRole.ANIMATEUR, institution=InstitutionFactory())
    client.force_login(role.utilisateur)
    return role.utilisateur


@pytest.fixture
def animateur_du_cher(client):
    cher = Departement.objects.get(pk="18")
    role = RoleFactory(type=TypeRole.ANIMATEUR, institution=InstitutionFactory(departement=cher))
    client.force_login(role.utilisateur)
    return role.utilisateur


def compter(
    commune: str, besoin: str, tranche: Tranche, recherches: int = 1, *, jour: dt.date
) -> ComptageRecherche:
    return ComptageRecherche.objects.create(
        jour=jour, commune=commune, besoin=besoin, tranche=tranche, recherches=recherches
    )
