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
