import importlib

import pytest
from django.apps import apps

from satisfaction.models import Version

MIGRATION_VERSION_1 = "satisfaction.migrations.0002_questionnaire_version_1"

# Des réponses valides, étape par étape, comme un navigateur les envoie.
ETAPE_1 = {
    "mdph_commune": "Nevers",
    "mdph_departement": "",
    "pour_qui": "proche",
    "motifs": ["cmi", "pch"],
    "etat": "decision",
}
ECHELLE_ETAPE_2 = {
    "globale": "satisfait",
    "acces": "tres_satisfait",
    "contact": "insatisfait",
    "accueil": "satisfait",
    "ecoute": "satisfait",
    "comprehension_droits": "non_concerne",
    "besoins_souhaits": "satisfait",
    "reponses_questions": "tres_insatisfait",
    "qui_contacter": "satisfait",
}
ETAPE_3 = {"delai": "insatisfait", "aides_besoins": "satisfait"}
ETAPE_4 = {"commentaire": "Le formulaire de renouvellement est trop long."}


def creer_version_1() -> Version:
    """La version 1, écrite par sa migration (les tests « transaction » vident les tables)."""
    importlib.import_module(MIGRATION_VERSION_1).creer_version_1(apps, None)
    return Version.objects.get(numero=1)


@pytest.fixture
def version(db) -> Version:
    return creer_version_1()


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SATISFACTION_REPONSES_PAR_MINUTE = 5
    settings.SATISFACTION_DOUBLON_MINUTES = 30
