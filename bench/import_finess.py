"""Mesure l'import FINESS : extrait national (27 981 ET) puis un fichier de 95 000 ET.

Chaque fichier est importé dans une base jetable neuve (fichier SQLite temporaire, ou base
`autonomie_bench_finess` créée sur le serveur de DATABASE_URL puis détruite), communes et
référentiels chargés, puis ré-importé tel quel (idempotence : tout doit être inchangé).

    .venv/bin/python bench/import_finess.py [../shared/data/finess_2021-01_autonomie_metropole.csv]
    DATABASE_URL=postgres://… .venv/bin/python bench/import_finess.py
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from repertoire.finess import importer_finess  # noqa: E402
from repertoire.recherche.index import indexer_services  # noqa: E402
from repertoire.services import synchroniser_referentiels  # noqa: E402
from territoires.services import charger_communes  # noqa: E402

SOURCE_PAR_DEFAUT = RACINE.parent / "shared" / "data" / "finess_2021-01_autonomie_metropole.csv"


def generer(source: Path, sortie: Path, lignes: int | None) -> None:
    commande = [sys.executable, str(RACINE / "bench" / "generer_finess.py"), str(source)]
    commande += ["-o", str(sortie), *(["--lignes", str(lignes)] if lignes else [])]
    subprocess.run(commande, check=True)


def rss_max_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mesurer(chemin: Path, dossier: Path) -> None:
    """Base neuve, import chronométré, ré-import chronométré, base détruite."""
    sqlite = connection.vendor == "sqlite"
    nom = str(dossier / "bench.sqlite3") if sqlite else "autonomie_bench_finess"
    connection.settings_dict["TEST"]["NAME"] = nom
    ancien_nom = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        charger_communes()
        synchroniser_referentiels()
        for passage in ("import", "ré-import"):
            debut, cpu = time.perf_counter(), time.process_time()
            rapport = importer_finess(chemin)
            duree, cpu = time.perf_counter() - debut, time.process_time() - cpu
            if (rapport.creees, rapport.inchangees) not in ((rapport.lues, 0), (0, rapport.lues)):
                raise SystemExit(f"Import non idempotent : {rapport.resume()}")
            print(
                f"{connection.vendor:10} {chemin.name:28} {passage:9} {rapport.lues:7} lignes "
                f"{duree:6.2f} s (CPU {cpu:6.2f} s) {rapport.lues / duree:6.0f} lignes/s  "
                f"RSS max {rss_max_mo():4.0f} Mo",
                flush=True,
            )
        # L'import indexe ce qu'il écrit ; cette part, mesurée seule, se retranche du total.
        debut = time.perf_counter()
        indexes = indexer_services()
        print(
            f"{connection.vendor:10} {chemin.name:28} dont index {indexes:7} fiches "
            f"{time.perf_counter() - debut:6.2f} s (réindexation complète seule)",
            flush=True,
        )
    finally:
        connection.creation.destroy_test_db(ancien_nom, verbosity=0)


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("source", type=Path, nargs="?", default=SOURCE_PAR_DEFAUT)
    parseur.add_argument("--lignes", type=int, default=95_000, help="taille du grand fichier")
    args = parseur.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_finess_") as temporaire:
        dossier = Path(temporaire)
        national, grand = dossier / "finess_national.csv", dossier / f"finess_{args.lignes}.csv"
        generer(args.source, national, None)
        generer(args.source, grand, args.lignes)
        print(f"RSS max avant import : {rss_max_mo():.0f} Mo (Django, pyproj)", flush=True)
        mesurer(national, dossier)
        mesurer(grand, dossier)


if __name__ == "__main__":
    main()
