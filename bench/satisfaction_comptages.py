"""Lecture des comptes du questionnaire de satisfaction (issue 12) au pire cas de remplissage.

La table `Comptage` ne grandit pas avec le nombre de réponses mais avec leurs combinaisons :
101 MDPH × 12 mois × 2 origines × 14 sous-groupes × (questionnaires + 11 questions × 5
niveaux, + 13 codes des questions croisées dans « tous »), ≈ 1,9 M lignes pour une année
entière où toutes les combinaisons existent (ce qu'un million de réponses par an atteint).
Le script remplit une base SQLite jetable (ou `DATABASE_URL`) avec ces lignes, puis mesure,
par l'ORM, les lectures que fera la page des résultats : une MDPH (tous ses sous-groupes,
12 mois) et le national (un sous-groupe, 12 mois). Chiffres affichés, pas vérifiés.

    .venv/bin/python bench/satisfaction_comptages.py        # ≈ 2 à 7 min (remplissage)
    export DATABASE_URL=sqlite:///var/bench_satisfaction.sqlite3   # base gardée : remplie
    .venv/bin/python bench/satisfaction_comptages.py        # la première fois seulement
"""

import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE))
_base = Path(tempfile.mkdtemp()) / "bench_satisfaction.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_base}")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

from satisfaction.models import Comptage  # noqa: E402
from territoires.models import Departement, Region  # noqa: E402

MOTIFS = ("aah", "pch", "cmi", "travail", "scolarisation", "etablissement", "aeeh", "autre")
ETATS = ("en_cours", "decision", "ne_sais_pas")
SEGMENTS = (
    "tous", "pour_qui=moi", "pour_qui=proche", *(f"motifs={m}" for m in MOTIFS),
    *(f"etat={e}" for e in ETATS),
)  # fmt: skip
ECHELLES = (
    "globale", "acces", "contact", "accueil", "ecoute", "comprehension_droits",
    "besoins_souhaits", "reponses_questions", "qui_contacter", "delai", "aides_besoins",
)  # fmt: skip
NIVEAUX = ("tres_satisfait", "satisfait", "insatisfait", "tres_insatisfait", "non_concerne")
CROISEES = (
    *(("pour_qui", c) for c in ("moi", "proche")), *(("motifs", m) for m in MOTIFS),
    *(("etat", e) for e in ETATS),
)  # fmt: skip
MOIS = [f"2026-{m:02d}-01" for m in range(1, 13)]


def creer_tables() -> list[str]:
    with connection.schema_editor() as editeur:
        for modele in (Region, Departement, Comptage):
            editeur.create_model(modele)
    Region.objects.create(code="00", nom="Région")
    codes = [f"{i:02d}" for i in range(1, 102)]
    Departement.objects.bulk_create(Departement(code=c, nom=c, region_id="00") for c in codes)
    return codes


def lignes(codes: list[str]):
    alea = random.Random(1)
    for dep, mois, origine in itertools.product(codes, MOIS, ("en_ligne", "papier")):
        for segment in SEGMENTS:
            yield (dep, mois, origine, segment, "_repondants", "", "", alea.randint(1, 800))
            for question, niveau in itertools.product(ECHELLES, NIVEAUX):
                n = alea.randint(0, 200)
                yield (dep, mois, origine, segment, question, "abcdef0123456789", niveau, n)
            if segment == "tous":
                for question, code in CROISEES:
                    yield (dep, mois, origine, segment, question, "0123456789abcdef", code, 9)


def remplir(codes: list[str]) -> int:
    table = Comptage._meta.db_table
    colonnes = "departement_id, mois, origine, segment, question, signature, niveau, nombre"
    sql = f"INSERT INTO {table} ({colonnes}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.executemany(sql, list(lignes(codes)))
    if connection.vendor == "sqlite":
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")
    return Comptage.objects.count()


def mesurer(nom: str, requete) -> None:
    meilleure = float("inf")
    for _ in range(5):
        debut = time.perf_counter()
        rendues = len(list(requete.all()))  # .all() : une nouvelle requête à chaque tour
        meilleure = min(meilleure, time.perf_counter() - debut)
    print(f"{nom} : {rendues} lignes rendues, {meilleure * 1000:.0f} ms (meilleure de 5)")


def main() -> None:
    debut = time.perf_counter()
    if Comptage._meta.db_table in connection.introspection.table_names():
        codes = list(Departement.objects.values_list("code", flat=True))  # base gardée
        print(f"{Comptage.objects.count()} lignes de comptage déjà en base")
    else:
        codes = creer_tables()
        total = remplir(codes)
        print(f"{total} lignes de comptage écrites en {time.perf_counter() - debut:.0f} s")
    annee = {"mois__range": (MOIS[0], MOIS[-1])}
    groupes = ("segment", "question", "signature", "niveau", "origine")
    mesurer(
        "Une MDPH, 12 mois, tous ses sous-groupes",
        Comptage.objects.filter(departement="58", **annee)
        .values(*groupes).annotate(n=Sum("nombre")).order_by(),
    )  # fmt: skip
    mesurer(
        "National, 12 mois, « tous »",
        Comptage.objects.filter(segment="tous", **annee)
        .values("question", "signature", "niveau").annotate(n=Sum("nombre")).order_by(),
    )  # fmt: skip
    mesurer(
        "Région (8 départements), 12 mois, « motifs=cmi »",
        Comptage.objects.filter(segment="motifs=cmi", departement__in=codes[:8], **annee)
        .values("question", "signature", "niveau").annotate(n=Sum("nombre")).order_by(),
    )  # fmt: skip


if __name__ == "__main__":
    main()
