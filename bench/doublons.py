"""Mesure la détection des doublons sur 300 000 services, dont des doublons injectés.

Deux processus, pour que la mémoire maximale (ru_maxrss) de la détection soit la sienne :
le premier crée une base SQLite jetable (communes chargées), y écrit des structures, lieux
et services synthétiques (noms de `generer_repertoire.py`, lieux tirés au prorata de la
population) par INSERT en masse, puis injecte des doublons : une copie d'un service tiré au
hasard, au nom abîmé (majuscules, accents ôtés, « Saint » abrégé, mots vides ôtés, une
lettre oubliée, mots permutés), dans la même commune, au même lieu ou à quelques dizaines de
mètres. Le second lance `detecter_doublons()` sur toute la base, puis une seconde fois
(idempotence : rien de nouveau), et affiche temps, paires trouvées, rappel des doublons
injectés et pic de RSS. Graine fixe. Chiffres affichés, pas vérifiés.

    .venv/bin/python bench/doublons.py [--services 300000] [--lieux 100000] [--injectes 3000]
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.append(str(RACINE / "bench"))  # après le dépôt : l'application doublons d'abord
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste

# Pour varier les noms : sans cela, « EHPAD Les Tilleuls » se répète des centaines de fois à
# Paris, et la détection y trouve autant de « doublons » que la génération en a fait.
SUFFIXES = [
    "Pasteur",
    "Jean Moulin",
    "Victor Hugo",
    "Jules Ferry",
    "Sainte-Anne",
    "Saint-Michel",
    "Notre-Dame",
    "Marie Curie",
    "Les Lilas",
    "Le Parc",
    "La Colline",
    "Les Vignes",
    "Le Château",
    "La Forêt",
    "Les Prés",
    "Du Lac",
    "De la Gare",
    "Du Centre",
    "Les Iris",
    "Les Acacias",
    "Les Mimosas",
    "Le Belvédère",
    "Les Sources",
    "Saint-Louis",
    "Saint-Vincent",
    "Sainte-Marthe",
    "Les Jardins",
    "Le Prieuré",
    "Les Marronniers",
    "La Providence",
    "Bon Secours",
    "Les Oliviers",
    "Les Pins",
    "La Vallée",
    "Le Mont",
    "Les Rives",
    "Le Soleil",
    "L'Orangerie",
    "Les Bruyères",
    "La Chênaie",
]


def rss_max_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def abimer(nom: str, hasard: random.Random) -> str:
    """Le nom tel qu'une autre source l'écrirait."""
    from core.texte import sans_accents

    facons = [
        str.upper,
        sans_accents,
        lambda n: n.replace("Saint", "St").replace("Sainte", "Ste"),
        lambda n: " ".join(m for m in n.split() if m.lower() not in {"de", "la", "les", "du"}),
        lambda n: _oublier_une_lettre(n, hasard),
        lambda n: " ".join(reversed(n.split(" ", 1))),
    ]
    for facon in hasard.sample(facons, 2):
        nom = facon(nom)
    return nom


def _oublier_une_lettre(nom: str, hasard: random.Random) -> str:
    mots = nom.split()
    longs = [i for i, m in enumerate(mots) if len(m) > 5]
    if not longs:
        return nom
    i = hasard.choice(longs)
    j = hasard.randrange(1, len(mots[i]) - 1)
    mots[i] = mots[i][:j] + mots[i][j + 1 :]
    return " ".join(mots)


def generer(base: Path, nb_services: int, nb_lieux: int, nb_injectes: int, graine: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from generer_repertoire import BESOINS, NOMS

    from core.ecriture_en_masse import inserer
    from repertoire.models import Lieu, Service, Structure
    from territoires.models import Commune
    from territoires.services import charger_communes

    debut = time.perf_counter()
    call_command("migrate", verbosity=0)
    charger_communes()
    print(f"base et communes : {time.perf_counter() - debut:.0f} s", flush=True)
    hasard = random.Random(graine)
    communes = list(
        Commune.objects.filter(type="COM", latitude__isnull=False).values_list(
            "code_insee", "latitude", "longitude", "population"
        )
    )
    sites = hasard.choices(communes, weights=[max(c[3], 50) for c in communes], k=nb_lieux)
    propres = NOMS.split("|")
    tirages = hasard.choices(BESOINS, weights=[b[1] for b in BESOINS], k=nb_services)
    nb_structures = nb_lieux // 2
    lieux = [
        (
            n + 1,
            n // 2 + 1,
            f"Site {n}",
            c[0],
            c[1] + hasard.gauss(0, 0.01),
            c[2] + hasard.gauss(0, 0.01),
        )
        for n, c in enumerate(sites)
    ]
    services, liens = [], []
    for n, (_, _, modeles, _) in enumerate(tirages):
        lieu = lieux[hasard.randrange(nb_lieux)]
        nom = hasard.choice(modeles).format(n=f"{hasard.choice(propres)} {hasard.choice(SUFFIXES)}")
        services.append((n + 1, lieu[1], nom[:150], "publie"))
        liens.append((n + 1, lieu[0]))
    injectes = []
    for k in range(nb_injectes):
        original = hasard.randrange(nb_services)
        pk, lieu_id = len(services) + 1, liens[original][1]
        if hasard.random() < 0.7:  # un autre lieu, à quelques dizaines de mètres
            _, structure, _, commune, lat, lon = lieux[lieu_id - 1]
            lieu_id = len(lieux) + 1
            lieux.append(
                (lieu_id, structure, f"Site bis {k}", commune,
                 lat + hasard.gauss(0, 0.0003), lon + hasard.gauss(0, 0.0003))
            )  # fmt: skip
        services.append(
            (pk, services[original][1], abimer(services[original][2], hasard), "publie")
        )
        liens.append((pk, lieu_id))
        injectes.append((original + 1, pk))
    with transaction.atomic():
        inserer(
            Structure, ("id", "nom"), [(n + 1, f"Association {n}") for n in range(nb_structures)]
        )
        inserer(Lieu, ("id", "structure_id", "nom", "commune_id", "latitude", "longitude"), lieux)
        inserer(Service, ("id", "structure_id", "nom", "statut"), services)
        inserer(Service.lieux.through, ("service_id", "lieu_id"), liens)
    (base.parent / "injectes.json").write_text(json.dumps(injectes))
    print(
        f"{len(services)} services ({nb_injectes} doublons injectés), {len(lieux)} lieux : "
        f"{time.perf_counter() - debut:.0f} s",
        flush=True,
    )


def detecter(base: Path) -> None:
    import django

    django.setup()
    from doublons.detection import detecter_doublons, detecter_doublons_de_structures
    from doublons.models import Candidat

    injectes = {
        tuple(sorted(paire)) for paire in json.loads((base.parent / "injectes.json").read_text())
    }
    debut, cpu = time.perf_counter(), time.process_time()
    rapport = detecter_doublons()
    duree, cpu = time.perf_counter() - debut, time.process_time() - cpu
    trouvees = set(Candidat.objects.values_list("service_a", "service_b"))
    retrouves = len(injectes & trouvees)
    print(
        f"détection : {duree:.1f} s d'horloge, {cpu:.1f} s de CPU, {rapport.fiches} services, "
        f"{rapport.blocs} blocs, {rapport.paires} paires ({rapport.nouvelles} nouvelles) ; "
        f"rappel des doublons injectés : {retrouves}/{len(injectes)} "
        f"({100 * retrouves / len(injectes):.1f} %) ; paires hors injectées : "
        f"{len(trouvees - injectes)} ; RSS max {rss_max_mo():.0f} Mo",
        flush=True,
    )
    debut = time.perf_counter()
    second = detecter_doublons()
    print(
        f"seconde détection (idempotence) : {time.perf_counter() - debut:.1f} s, "
        f"{second.nouvelles} nouvelles, {second.deja_proposees} déjà proposées",
        flush=True,
    )
    # Les structures (aucun doublon injecté : le temps seul, sur toutes les structures).
    debut, cpu = time.perf_counter(), time.process_time()
    structures = detecter_doublons_de_structures()
    print(
        f"détection des structures : {time.perf_counter() - debut:.1f} s d'horloge, "
        f"{time.process_time() - cpu:.1f} s de CPU, {structures.fiches} structures, "
        f"{structures.blocs} blocs, {structures.paires} paires",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300_000)
    parser.add_argument("--lieux", type=int, default=100_000)
    parser.add_argument("--injectes", type=int, default=3_000)
    parser.add_argument("--graine", type=int, default=11)
    parser.add_argument("--etape", choices=["generer", "detecter"], help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.etape == "generer":
        nb_services = arguments.services - arguments.injectes
        generer(arguments.base, nb_services, arguments.lieux, arguments.injectes, arguments.graine)
        return
    if arguments.etape == "detecter":
        detecter(arguments.base)
        return
    with tempfile.TemporaryDirectory(prefix="bench_doublons_") as dossier:
        base = Path(dossier) / "bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{base}"}
        for etape in ("generer", "detecter"):
            commande = [sys.executable, __file__, "--etape", etape, "--base", str(base)]
            commande += ["--services", str(arguments.services), "--lieux", str(arguments.lieux)]
            commande += ["--injectes", str(arguments.injectes), "--graine", str(arguments.graine)]
            subprocess.run(commande, check=True, env=env)


if __name__ == "__main__":
    main()
