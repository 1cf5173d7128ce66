"""Fixtures de comptes partagées par les tests des applications qui en dépendent (veille,
fraicheur…), chargées par le `conftest.py` racine : un animateur territorial connecté.

Ici, dans `comptes`, le socle dont elles dépendent toutes, plutôt que dans les tests d'une
application voisine : le graphe des dépendances reste à sens unique
(`autonomie/tests/test_architecture.py`)."""

import pytest

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from territoires.models import Departement


@pytest.fixture
def animateur(client):
    """Un animateur territorial du conseil départemental de la Nièvre, connecté."""
    role = RoleFactory(type=TypeRole.ANIMATEUR, institution=InstitutionFactory())
    client.force_login(role.utilisateur)
    return role.utilisateur


@pytest.fixture
def animateur_du_cher(client):
    """Un animateur du Cher (18) : la Nièvre n'est pas son territoire."""
    cher = Departement.objects.get(pk="18")
    role = RoleFactory(type=TypeRole.ANIMATEUR, institution=InstitutionFactory(departement=cher))
    client.force_login(role.utilisateur)
    return role.utilisateur
