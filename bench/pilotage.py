"""Banc d'essai du pilotage : génération d'activité, agrégation complète, rafraîchissement.

    .venv/bin/python bench/pilotage.py --evenements 1000000
    .venv/bin/python bench/pilotage.py --evenements 10000000   # cible : 101 MDPH, 6 ans

Base SQLite dédiée (var/bench_pilotage.sqlite3, recréée) sauf si DATABASE_URL est fourni.
Chaque étape tourne dans son propre processus pour mesurer son pic de mémoire (RSS).
Les chiffres sont affichés, pas vérifiés ; cibles à 10 M d'événements : agrégation ≤ 30 s et
≤ 2 Go, rafraîchissement d'un département-trimestre ≤ 1 s ; à 1 M d'événements, page du
baromètre d'une MDPH ≤ 100 ms (temps serveur, client de test de Django).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
EVENEMENTS_PAR_DEMANDE = 4.93  # moyenne observée du générateur


def _django(base: str) -> None:
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
    os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{base}")
    import django

    django.setup()


def _pic_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _departements() -> list[str]:
    """Départements du référentiel ; à défaut, créés d'après la table de repli (base de banc)."""
    from pilotage.generation import POPULATIONS
    from territoires.models import Departement, Region

    if Departement.objects.count() < len(POPULATIONS):
        region, _ = Region.objects.get_or_create(code="00", defaults={"nom": "Banc d'essai"})
        for code in POPULATIONS:
            Departement.objects.get_or_create(
                code=code, defaults={"nom": f"Département {code}", "region": region}
            )
    return list(POPULATIONS)


def generer(evenements: int, annees: list[int]) -> None:
    from django.core.management import call_command

    from pilotage.generation import generer_activite, populations

    call_command("migrate", verbosity=0)
    codes = _departements()
    habitants = sum(populations(codes).values())
    taux = evenements / EVENEMENTS_PAR_DEMANDE / len(annees) / habitants * 1000
    debut = time.perf_counter()
    totaux = generer_activite(departements=codes, annees=annees, graine=1, taux_pour_mille=taux)
    duree = time.perf_counter() - debut
    print(
        f"génération : {totaux['demandes']:,} demandes, {totaux['evenements']:,} événements, "
        f"{len(codes)} MDPH, {len(annees)} ans (taux {taux:.2f} ‰) en {duree:.1f} s "
        f"({totaux['evenements'] / duree:,.0f} événements/s) ; pic RSS {_pic_mo():.0f} Mo"
    )


def agreger() -> None:
    from pilotage.agregation import agreger_activite

    debut = time.perf_counter()
    lignes = agreger_activite()
    print(
        f"agrégation complète : {lignes:,} lignes en {time.perf_counter() - debut:.1f} s ; "
        f"pic RSS {_pic_mo():.0f} Mo"
    )


def rafraichir(annee: int) -> None:
    from pilotage.agregation import rafraichir_trimestre
    from pilotage.selectors import delai_traitement

    durees = []
    for departement in ("59", "58", "75"):
        debut = time.perf_counter()
        rafraichir_trimestre(departement=departement, annee=annee, trimestre=2)
        durees.append(time.perf_counter() - debut)
    print(
        "rafraîchissement d'un département-trimestre : "
        + ", ".join(f"{d * 1000:.0f} ms" for d in durees)
        + " (59, 58, 75)"
    )
    debut = time.perf_counter()
    national = delai_traitement(annee=annee)
    print(
        f"délai national {annee} (Σ jours / Σ décisions) : {national:.2f} mois, lu en "
        f"{(time.perf_counter() - debut) * 1000:.0f} ms"
    )


def barometre(departement: str = "58", repetitions: int = 5) -> None:
    """Temps serveur de /pilotage/mdph/<code>/ (client de test, utilisateur connecté)."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    from comptes.tests.outils import connecter_avec_double_facteur

    setup_test_environment()  # ALLOWED_HOSTS de test, sans toucher à la base
    utilisateur, _ = User.objects.get_or_create(username="banc", defaults={"is_superuser": True})
    client = Client()
    # Un superutilisateur passe le double facteur avant le pilotage (comptes.double_facteur).
    connecter_avec_double_facteur(client, utilisateur)
    url = f"/pilotage/mdph/{departement}/"
    assert client.get(url).status_code == 200  # premier appel : chargements paresseux
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        client.get(url)
        durees.append((time.perf_counter() - debut) * 1000)
    durees.sort()
    print(
        f"page du baromètre {url} : médiane {durees[len(durees) // 2]:.0f} ms, "
        f"min {durees[0]:.0f} ms, max {durees[-1]:.0f} ms sur {repetitions} appels "
        "(cible ≤ 100 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evenements", type=int, default=1_000_000)
    parser.add_argument("--annees", default="2019-2024")
    parser.add_argument("--base", default=str(RACINE / "var" / "bench_pilotage.sqlite3"))
    parser.add_argument(
        "--etape", choices=["generer", "agreger", "rafraichir", "barometre"], default=""
    )
    options = parser.parse_args()
    premiere, derniere = (int(a) for a in options.annees.split("-"))
    annees = list(range(premiere, derniere + 1))
    if options.etape:
        _django(options.base)
        {
            "generer": lambda: generer(options.evenements, annees),
            "agreger": agreger,
            "rafraichir": lambda: rafraichir(derniere),
            "barometre": barometre,
        }[options.etape]()
        return
    if "DATABASE_URL" not in os.environ:
        for suffixe in ("", "-wal", "-shm"):
            Path(options.base + suffixe).unlink(missing_ok=True)
    for etape in ("generer", "agreger", "rafraichir", "barometre"):
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--etape", etape], check=True)
    if "DATABASE_URL" not in os.environ:
        print(f"taille de la base : {Path(options.base).stat().st_size / 2**20:,.0f} Mo")


if __name__ == "__main__":
    main()
