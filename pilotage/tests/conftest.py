import datetime as dt
from pathlib import Path

import pytest

from pilotage.tests.factories import DepartementFactory, RegionFactory

DONNEES = Path(__file__).parent / "data"
ENTETE = (
    "departement;numero_demande;identifiant_personne;numero_dossier;prestation;public;nature;"
    "procedure;evenement;date;type_decision;sans_limitation;duree_mois"
)


@pytest.fixture
def departements(db):
    """Nièvre et Côte-d'Or (Bourgogne-Franche-Comté), Ain (Auvergne-Rhône-Alpes)."""
    bfc = RegionFactory(code="27", nom="Bourgogne-Franche-Comté")
    ara = RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")
    return [
        DepartementFactory(code="58", region=bfc),
        DepartementFactory(code="21", region=bfc),
        DepartementFactory(code="01", region=ara),
    ]


@pytest.fixture
def fichier_csv(tmp_path):
    """Écrit un CSV d'import de demandes (en-tête ajouté) et rend son chemin."""

    def ecrire(*lignes: str, nom: str = "demandes.csv") -> Path:
        chemin = tmp_path / nom
        chemin.write_text("\n".join([ENTETE, *lignes]) + "\n", encoding="utf-8")
        return chemin

    return ecrire


AUJOURDHUI = dt.date(2025, 1, 1)


@pytest.fixture
def activite(departements):
    """Deux ans d'activité synthétique (petit taux) pour la Nièvre et la Côte-d'Or, agrégée."""
    from pilotage.agregation import agreger_activite
    from pilotage.generation import generer_activite

    generer_activite(departements=["58", "21"], annees=[2023, 2024], graine=3, taux_pour_mille=2)
    agreger_activite()
    return departements


@pytest.fixture(autouse=True)
def deploiement_national(settings):
    """Les tests du pilotage servent le pays entier, sauf ceux qui disent un autre territoire."""
    settings.AUTONOMIE_TERRITOIRE = "national"


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Chaque fabrique de compte hache un mot de passe : PBKDF2 rendrait les tests lents."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def role_de_pilotage(**institution):
    """Un compte qui tient le rôle de pilotage d'une institution (traits de
    `InstitutionFactory` : nationale, regionale ; par défaut un conseil départemental 58)."""
    from comptes.tests.factories import InstitutionFactory, RoleFactory

    return RoleFactory(type="pilotage", institution=InstitutionFactory(**institution)).utilisateur


@pytest.fixture
def connecte(client):
    """connecte(utilisateur) : le client, connecté avec ce compte, double facteur passé."""

    from comptes.tests.outils import connecter_avec_double_facteur

    def connecter(utilisateur):
        connecter_avec_double_facteur(client, utilisateur)
        return client

    return connecter


@pytest.fixture
def professionnel(db, connecte):
    """Un client connecté avec le rôle de pilotage de la CNSA (national : il voit tout)."""
    return connecte(role_de_pilotage(nationale=True))


@pytest.fixture(params=["neutre", "dsfr"])
def theme(request, settings) -> str:
    """Chaque page doit s'afficher dans les deux thèmes."""
    settings.AUTONOMIE_THEME = request.param
    return request.param
