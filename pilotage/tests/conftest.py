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


@pytest.fixture
def professionnel(db, client):
    """Un client connecté avec la permission de lecture du pilotage."""
    from django.contrib.auth.models import Permission, User

    utilisateur = User.objects.create_user("pro", password="mot-de-passe-long")
    utilisateur.user_permissions.add(Permission.objects.get(codename="view_agregattrimestriel"))
    client.force_login(utilisateur)
    return client


@pytest.fixture(params=["neutre", "dsfr"])
def theme(request, settings) -> str:
    """Chaque page doit s'afficher dans les deux thèmes."""
    settings.AUTONOMIE_THEME = request.param
    return request.param
