"""Banc : temps et mémoire pour refuser un classeur XLSX piégé (bombe zip), puis le même
classeur lu sans garde par openpyxl. Affiche les chiffres ; rien n'est vérifié.

    .venv/bin/python bench/bombe_xlsx.py [--mo 150]
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

from core.imports import ErreursImport, verifier_classeur  # noqa: E402
from core.tests.test_imports import bombe  # noqa: E402


def rss_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parametres = argparse.ArgumentParser(description=__doc__)
    parametres.add_argument("--mo", type=int, default=150, help="Mo décompressés de la bombe")
    arguments = parametres.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        chemin = bombe(Path(dossier) / "bombe.xlsx", mo=arguments.mo)
        print(
            f"Bombe : {chemin.stat().st_size / 1024:.0f} Ko sur disque, "
            f"{arguments.mo} Mo décompressés"
        )
        debut = time.perf_counter()
        try:
            verifier_classeur(chemin)
        except ErreursImport as refus:
            print(f"Refus en {1000 * (time.perf_counter() - debut):.2f} ms : {refus}")
        print(f"RSS max après le refus : {rss_mo():.0f} Mo")
        debut = time.perf_counter()
        classeur = openpyxl.load_workbook(chemin, read_only=True, data_only=True)
        for feuille in classeur.worksheets:
            for _ in feuille.iter_rows():
                pass
        classeur.close()
        print(
            f"Sans garde, openpyxl lit tout en {time.perf_counter() - debut:.1f} s ; "
            f"RSS max {rss_mo():.0f} Mo"
        )


if __name__ == "__main__":
    main()
