"""Mesure l'import FINESS : extrait national (27 981 ET), un fichier de 95 000 ET, et la seule
lecture (validation) d'un gros fichier.

Chaque mesure tourne dans son propre processus, pour que la mémoire maximale (ru_maxrss) soit
celle de cette mesure seule. Chaque import se fait dans une base jetable neuve (fichier SQLite
temporaire, ou base `<base de DATABASE_URL>_bench_finess` créée sur son serveur puis
détruite), communes et référentiels chargés, puis est rejoué tel quel (idempotence : tout doit
être inchangé). Sur SQLite, un écrivain concurrent (une session enregistrée toutes les 20 ms,
comme une connexion au site) mesure son attente la plus longue pendant l'import.

    .venv/bin/python bench/import_finess.py [../shared/data/finess_2021-01_autonomie_metropole.csv]
        [--lignes 95000] [--gros 600000]
    DATABASE_URL=postgres://… .venv/bin/python bench/import_finess.py
"""

import argparse
import cProfile
import os
import pstats
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from echanges.finess import importer_finess, lire_fichier  # noqa: E402
from repertoire.recherche.index import indexer_services  # noqa: E402
from repertoire.services import synchroniser_referentiels  # noqa: E402
from territoires.services import charger_communes  # noqa: E402

EXTRAIT = Path("shared") / "data" / "finess_2021-01_autonomie_metropole.csv"
# Le dossier partagé est à côté du dépôt, ou au-dessus d'un arbre de travail (git worktree).
SOURCE_PAR_DEFAUT = next(
    (d / EXTRAIT for d in RACINE.parents if (d / EXTRAIT).exists()), RACINE.parent / EXTRAIT
)


def generer(source: Path, sortie: Path, lignes: int | None) -> None:
    commande = [sys.executable, str(RACINE / "bench" / "generer_finess.py"), str(source)]
    commande += ["-o", str(sortie), *(["--lignes", str(lignes)] if lignes else [])]
    subprocess.run(commande, check=True, stdout=subprocess.DEVNULL)


def rss_max_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class EcrivainConcurrent(threading.Thread):
    """Ce que vit le site pendant l'import : une petite écriture (une session) toutes les
    20 ms, sur sa propre connexion ; retient l'attente la plus longue et les échecs."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.arret = base, threading.Event()
        self.attente_max, self.ecritures, self.echecs = 0.0, 0, 0

    def run(self) -> None:
        lien = sqlite3.connect(self.base, timeout=5, isolation_level=None)
        while not self.arret.wait(0.02):
            debut = time.perf_counter()
            try:
                lien.execute("BEGIN IMMEDIATE")
                lien.execute(
                    "INSERT OR REPLACE INTO django_session VALUES (?, '', datetime('now'))",
                    [f"bench{self.ecritures % 50}"],
                )
                lien.execute("COMMIT")
                self.ecritures += 1
            except sqlite3.OperationalError:  # « database is locked » après 5 s
                self.echecs += 1
            self.attente_max = max(self.attente_max, time.perf_counter() - debut)
        lien.close()


def mesurer(chemin: Path, dossier: Path, *, profiler: bool = False) -> None:
    """Base neuve, import chronométré, ré-import chronométré, base détruite."""
    sqlite = connection.vendor == "sqlite"
    # Nommée d'après la base de DATABASE_URL : deux bancs sur un même serveur ne se gênent pas.
    nom = (
        str(dossier / "bench.sqlite3")
        if sqlite
        else f"{connection.settings_dict['NAME']}_bench_finess"
    )
    connection.settings_dict["TEST"]["NAME"] = nom
    ancien_nom = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        charger_communes()
        synchroniser_referentiels()
        for passage in ("import", "ré-import"):
            ecrivain = EcrivainConcurrent(nom) if sqlite else None
            if ecrivain:
                ecrivain.start()
            profil = cProfile.Profile() if profiler and passage == "import" else None
            debut, cpu = time.perf_counter(), time.process_time()
            if profil:
                profil.enable()
            rapport = importer_finess(chemin)
            if profil:
                profil.disable()
            duree, cpu = time.perf_counter() - debut, time.process_time() - cpu
            if ecrivain:
                ecrivain.arret.set()
                ecrivain.join()
            if (rapport.creees, rapport.inchangees) not in ((rapport.lues, 0), (0, rapport.lues)):
                raise SystemExit(f"Import non idempotent : {rapport.resume()}")
            concurrent = (
                f"  écrivain concurrent : {ecrivain.ecritures} écritures, attente max "
                f"{ecrivain.attente_max:.3f} s, {ecrivain.echecs} échecs"
                if ecrivain
                else ""
            )
            print(
                f"{connection.vendor:10} {chemin.name:22} {passage:9} {rapport.lues:6} lignes "
                f"{duree:6.2f} s (CPU {cpu:6.2f} s) {rapport.lues / duree:6.0f} lignes/s  "
                f"RSS max {rss_max_mo():4.0f} Mo  pauses {rapport.pauses:5.2f} s, hors pauses "
                f"{duree - rapport.pauses:6.2f} s ({rapport.lues / (duree - rapport.pauses):6.0f} "
                f"lignes/s)  {rapport.lots} lots, transaction max "
                f"{rapport.transaction_max:.3f} s{concurrent}",
                flush=True,
            )
            if profil:
                pstats.Stats(profil).sort_stats("cumulative").print_stats(30)
                pstats.Stats(profil).sort_stats("tottime").print_stats(20)
        # L'import indexe ce qu'il écrit ; cette part, mesurée seule, se retranche du total.
        debut, cpu = time.perf_counter(), time.process_time()
        indexes = indexer_services()
        print(
            f"{connection.vendor:10} {chemin.name:22} reindexer {indexes:6} fiches "
            f"{time.perf_counter() - debut:6.2f} s (CPU {time.process_time() - cpu:6.2f} s) "
            "(reconstruction complète par `reindexer`, qui relit la base)",
            flush=True,
        )
    finally:
        connection.creation.destroy_test_db(ancien_nom, verbosity=0)


def lire(chemin: Path) -> None:
    """La seule validation (lecture en flux), tous les ET retenus : la mémoire de la lecture."""
    avant = rss_max_mo()
    debut = time.perf_counter()
    fichier = lire_fichier(chemin)
    duree = time.perf_counter() - debut
    taille = chemin.stat().st_size / 1024**2
    print(
        f"lecture    {chemin.name:28} {taille:5.0f} Mo {fichier.lignes_structureet:7} ET "
        f"{duree:6.2f} s {fichier.lignes_structureet / duree:6.0f} lignes/s  "
        f"RSS max {rss_max_mo():4.0f} Mo (avant lecture {avant:.0f} Mo)",
        flush=True,
    )


def dans_un_processus(mode: str, chemin: Path, *options: str) -> None:
    subprocess.run([sys.executable, __file__, mode, str(chemin), *options], check=True)


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("source", type=Path, nargs="?", default=SOURCE_PAR_DEFAUT)
    parseur.add_argument("--lignes", type=int, default=95_000, help="taille du grand fichier")
    parseur.add_argument("--gros", type=int, default=0, help="ET du fichier lu seulement")
    parseur.add_argument(
        "--taille",
        choices=("les-deux", "national", "grand"),
        default="les-deux",
        help="fichiers mesurés : l'extrait national, le grand fichier, ou les deux",
    )
    parseur.add_argument(
        "--profil", action="store_true", help="cProfile du premier import (30 lignes)"
    )
    parseur.add_argument("--mesurer", type=Path, help=argparse.SUPPRESS)
    parseur.add_argument("--lire", type=Path, help=argparse.SUPPRESS)
    args = parseur.parse_args()
    if args.mesurer or args.lire:
        with tempfile.TemporaryDirectory(prefix="bench_finess_base_") as temporaire:
            if args.mesurer:
                mesurer(args.mesurer, Path(temporaire), profiler=args.profil)
            else:
                lire(args.lire)
        return
    with tempfile.TemporaryDirectory(prefix="bench_finess_") as temporaire:
        dossier = Path(temporaire)
        national, grand = dossier / "finess_national.csv", dossier / f"finess_{args.lignes}.csv"
        print(f"RSS max avant import : {rss_max_mo():.0f} Mo (Django, pyproj)", flush=True)
        options = ["--profil"] if args.profil else []
        if args.taille in ("les-deux", "national"):
            generer(args.source, national, None)
            dans_un_processus("--mesurer", national, *options)
        if args.taille in ("les-deux", "grand"):
            generer(args.source, grand, args.lignes)
            dans_un_processus("--mesurer", grand, *options)
        if args.gros:
            gros = dossier / f"finess_{args.gros}.csv"
            generer(args.source, gros, args.gros)
            dans_un_processus("--lire", gros)


if __name__ == "__main__":
    main()
