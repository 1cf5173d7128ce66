"""Mesure la pertinence de la recherche sur le jeu de requêtes jugées du dépôt.

Charge dans une base SQLite jetable (ou celle de DATABASE_URL, ou --base, gardée d'un
passage à l'autre) les établissements FINESS de la Nièvre et d'Ille-et-Vilaine et les fiches
de démonstration, passe chaque requête de `repertoire/tests/data/pertinence/requetes.toml`
par l'API publique de recherche (client de test de Django, comme un client HTTP) et la juge
d'après les sources (catégories FINESS, besoins et zones déclarés, haversine depuis la
mairie). Affiche P@5, rappel dans le rayon (sur une page de 20), nDCG@10, taux de zéro
résultat quand une réponse existe, résultats hors du rayon sans zone qui couvre la commune ;
-v : une ligne par requête. Chiffres affichés, pas vérifiés (le test vérifie des planchers).

    .venv/bin/python bench/pertinence.py [-v] [--base var/pertinence.sqlite3]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste
# On mesure la recherche, pas la limitation de débit (qui répondrait 429 au-delà de 120/min).
os.environ.setdefault("API_LIMITE_PAR_MINUTE", "0")


def _f(valeur: float | None) -> str:
    return "  -  " if valeur is None else f"{valeur:.2f}"


def afficher(evaluations: list, requetes: list, bavard: bool) -> None:
    from repertoire.pertinence import mesurer

    if bavard:
        print(f"{'requête':<34} {'pert.':>5} {'rés.':>4} {'P@5':>5} {'rapp':>5} {'nDCG':>5} hors")
        for requete, e in zip(requetes, evaluations, strict=True):
            print(
                f"{e.ident:<34} {len(e.notes):>5} {len(e.resultats):>4} {_f(e.p5):>5} "
                f"{_f(e.rappel):>5} {_f(e.ndcg):>5} {e.hors_rayon:>4}  "
                f"« {requete.q} » / « {requete.commune} » / "
                f"{'sans limite' if requete.rayon is None else f'{requete.rayon:g} km'}"
            )
    m = mesurer(evaluations)
    print(f"{m.requetes} requêtes, dont {m.avec_reponse} ont une réponse dans les données")
    print(f"P@5                         {m.p5:.3f}")
    print(f"rappel dans le rayon (@20)  {m.rappel:.3f}")
    print(f"  des réponses exactes (note 2) {m.rappel_exact:.3f}")
    print(f"nDCG@10                     {m.ndcg:.3f}")
    print(f"zéro résultat (réponse existe) {m.zero_resultat:.1%}")
    print(
        f"hors rayon sans zone        {m.hors_rayon} des {m.resultats_avec_rayon} dix premiers "
        "résultats des requêtes avec rayon"
    )
    print(
        f"sans réponse dans les données mais des résultats : {m.sans_reponse_mais_resultats} "
        f"des {m.requetes - m.avec_reponse} requêtes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="une ligne par requête")
    parser.add_argument("--base", type=Path, help="base SQLite gardée (chargée si absente)")
    arguments = parser.parse_args()
    dossier = tempfile.TemporaryDirectory(prefix="pertinence-")
    base = arguments.base or Path(dossier.name) / "pertinence.sqlite3"
    neuve = not base.exists()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{base.resolve()}")

    import django

    django.setup()
    from django.core.management import call_command

    from repertoire.tests.campagne_pertinence import charger_donnees, evaluer, lire_requetes

    debut = time.perf_counter()
    if neuve:
        call_command("migrate", verbosity=0)
        charger_donnees()
        print(f"Données chargées en {time.perf_counter() - debut:.1f} s")
    requetes = lire_requetes()
    debut = time.perf_counter()
    evaluations = evaluer(requetes)
    print(f"{len(requetes)} requêtes passées par l'API en {time.perf_counter() - debut:.1f} s")
    afficher(evaluations, requetes, arguments.verbose)
    dossier.cleanup()


if __name__ == "__main__":
    main()
