"""Les dépendances entre applications vont dans un seul sens (ARCHITECTURE.md).

Lu dans le code (imports, même placés dans une fonction), hors tests : un test peut
s'appuyer sur plusieurs applications, le code non.
"""

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
# Ce que chaque application peut importer parmi les autres.
PERMIS: dict[str, set[str]] = {
    "core": set(),
    "territoires": {"core"},
    "comptes": {"territoires", "core"},
    "repertoire": {"comptes", "territoires", "core"},
    "doublons": {"repertoire", "comptes", "territoires", "core"},
    "echanges": {"doublons", "repertoire", "comptes", "territoires", "core"},
    "pilotage": {"satisfaction", "comptes", "territoires", "core"},
    "accompagnement": {"pilotage", "satisfaction", "comptes", "territoires", "core"},
    "contribution": {"repertoire", "comptes", "territoires", "core"},
    "fraicheur": {"contribution", "repertoire", "comptes", "territoires", "core"},
    "veille": {"repertoire", "comptes", "territoires", "core"},
    "satisfaction": {"comptes", "territoires", "core"},
}


def applications_importees(application: str) -> dict[str, set[str]]:
    """{application importée : fichiers qui l'importent}."""
    trouvees: dict[str, set[str]] = {}
    for fichier in (RACINE / application).rglob("*.py"):
        if "tests" in fichier.relative_to(RACINE).parts:
            continue
        for noeud in ast.walk(ast.parse(fichier.read_text(encoding="utf-8"))):
            if isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
                modules = [noeud.module]
            elif isinstance(noeud, ast.Import):
                modules = [alias.name for alias in noeud.names]
            else:
                continue
            for module in modules:
                tete = module.split(".")[0]
                if tete in PERMIS and tete != application:
                    trouvees.setdefault(tete, set()).add(str(fichier.relative_to(RACINE)))
    return trouvees


@pytest.mark.parametrize("application", PERMIS)
def test_chaque_application_n_importe_que_ce_qui_est_sous_elle(application):
    interdites = {
        importee: fichiers
        for importee, fichiers in applications_importees(application).items()
        if importee not in PERMIS[application]
    }
    assert interdites == {}
