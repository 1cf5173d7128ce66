"""Page des résultats de satisfaction d'une MDPH avec un million de réponses en base (issue 12).

Les résultats ne lisent que les comptes (`Comptage`) : le script crée une base SQLite jetable
(ou `DATABASE_URL`) par les migrations, la remplit au pire cas d'une année, toutes les
combinaisons existantes (≈ 1,9 M lignes ; ≈ 1 M de questionnaires au total dans les lignes
`_repondants`, avec les vraies signatures des questions de la version 1), puis mesure par le
client de test de Django, connecté comme administrateur, la page entière (requêtes, calcul,
gabarit) : une MDPH, le national (à froid puis en mémoire) et la page publique du baromètre.
Cible : ≤ 200 ms pour la page d'une MDPH. Chiffres affichés, pas vérifiés.

    .venv/bin/python bench/satisfaction_resultats.py        # ≈ 3 à 8 min (remplissage)
    export DATABASE_URL=sqlite:///var/bench_resultats.sqlite3   # base gardée : remplie
    .venv/bin/python bench/satisfaction_resultats.py        # la première fois seulement
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
_base = Path(tempfile.mkdtemp()) / "bench_resultats.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_base}")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("AUTONOMIE_TERRITOIRE", "national")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from core.memoire import vider_memoires  # noqa: E402
from satisfaction.models import Comptage, Question, TypeQuestion, Version  # noqa: E402
from territoires.models import Departement, Region  # noqa: E402

MOIS = [f"2026-{m:02d}-01" for m in range(1, 13)]
NIVEAUX = ("tres_satisfait", "satisfait", "insatisfait", "tres_insatisfait", "non_concerne")


def preparer() -> list[str]:
    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="00", defaults={"nom": "Région"})
    codes = [f"{i:02d}" for i in range(1, 102)]
    for code in codes:
        Departement.objects.get_or_create(code=code, defaults={"nom": code, "region": region})
    return codes


def lignes(codes: list[str]):
    """Toutes les combinaisons d'une année ; ≈ 400 questionnaires par MDPH × mois × origine
    × sous-groupe « tous » en moyenne, soit ≈ 1 M de questionnaires."""
    questions = list(Version.objects.get(numero=1).questions.all())
    echelles = [q for q in questions if q.type == TypeQuestion.ECHELLE]
    croisees = [(q, code) for q in questions if q.croisee for code, _ in q.choix]
    segments = ["tous", *(f"{q.cle}={code}" for q, code in croisees)]
    alea = random.Random(1)
    for dep, mois, origine in itertools.product(codes, MOIS, ("en_ligne", "papier")):
        for segment in segments:
            n = alea.randint(1, 800) if segment == "tous" else alea.randint(1, 300)
            yield (dep, mois, origine, segment, "_repondants", "", "", n)
            for q, niveau in itertools.product(echelles, NIVEAUX):
                yield (
                    dep,
                    mois,
                    origine,
                    segment,
                    q.cle,
                    q.signature,
                    niveau,
                    alea.randint(0, 200),
                )
            if segment == "tous":
                for q, code in croisees:
                    yield (dep, mois, origine, segment, q.cle, q.signature, code, 9)


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


def mesurer(client: Client, nom: str, url: str, *, froid: bool = False, tours: int = 5) -> None:
    meilleure = float("inf")
    for _ in range(tours):
        if froid:
            vider_memoires()
        debut = time.perf_counter()
        reponse = client.get(url)
        meilleure = min(meilleure, time.perf_counter() - debut)
        assert reponse.status_code == 200, (url, reponse.status_code)
    print(f"{nom} : {meilleure * 1000:.0f} ms (meilleure de {tours}) — {url}")


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    debut = time.perf_counter()
    codes = preparer()
    if Comptage.objects.exists():
        print(f"{Comptage.objects.count()} lignes de comptage déjà en base")
    else:
        total = remplir(codes)
        print(f"{total} lignes de comptage écrites en {time.perf_counter() - debut:.0f} s")
    repondants = Comptage.objects.filter(segment="tous", question="_repondants")
    print(f"{sum(repondants.values_list('nombre', flat=True))} questionnaires comptés")
    assert Question.objects.exists()
    admin, _ = get_user_model().objects.get_or_create(
        username="banc", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    page = "/satisfaction/resultats/mdph/58/?periode=2026"
    client.get(page)  # gabarits compilés, connexion ouverte
    mesurer(client, "Résultats d'une MDPH (2026 comparé à 2025)", page)
    mesurer(
        client,
        "Résultats d'une MDPH, un trimestre",
        "/satisfaction/resultats/mdph/58/?periode=2026-T2",
    )
    national = "/satisfaction/resultats/national/?periode=2026"
    mesurer(client, "Résultats nationaux, à froid (mémoire vidée)", national, froid=True, tours=3)
    mesurer(client, "Résultats nationaux, en mémoire", national)
    mesurer(
        client, "Baromètre public d'une MDPH, à froid", "/barometre/mdph/58/", froid=True, tours=3
    )
    mesurer(client, "Baromètre public d'une MDPH, en mémoire", "/barometre/mdph/58/")


if __name__ == "__main__":
    main()
