"""Construit un répertoire à l'échelle nationale pour le banc d'essai de la recherche.

Services, lieux et structures synthétiques mais plausibles : lieux posés près des mairies
(tirées au prorata de la population), noms et descriptions en français du domaine, besoins
tirés selon une répartition proche de FINESS (aide à domicile et EHPAD en tête). Insertion
par lots, puis un seul `indexer_services()`. Graine fixe : deux générations sont identiques.

    DATABASE_URL=sqlite:///bench/out/repertoire.sqlite3 python bench/generer_repertoire.py
    python bench/generer_repertoire.py --services 300000 --lieux 100000
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
SORTIE = RACINE / "bench" / "out"
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SORTIE / 'repertoire.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste

# (slug du besoin, poids, modèles de nom, accueil à domicile ?) ; poids ≈ FINESS 2021 + DI.
BESOINS = [
    (
        "aide-a-domicile",
        30,
        ["Service d'aide à domicile {n}", "SAAD {n}", "Aide et services {n}"],
        1,
    ),
    ("ehpad", 22, ["EHPAD {n}", "Maison de retraite {n}", "Résidence médicalisée {n}"], 0),
    ("residence-autonomie", 7, ["Résidence autonomie {n}", "MARPA {n}", "Foyer-logement {n}"], 0),
    ("soins-infirmiers-a-domicile", 6, ["SSIAD {n}", "Soins infirmiers à domicile {n}"], 1),
    ("sessad", 5, ["SESSAD {n}"], 1),
    ("esat", 4, ["ESAT {n}", "Atelier protégé {n}"], 0),
    ("ime", 4, ["IME {n}", "Institut médico-éducatif {n}"], 0),
    ("accompagnement-vie-sociale", 3, ["SAVS {n}", "SAMSAH {n}"], 1),
    ("fam-eam", 2, ["Foyer d'accueil médicalisé {n}"], 0),
    ("mas", 2, ["Maison d'accueil spécialisée {n}"], 0),
    ("accueil-de-jour", 2, ["Accueil de jour {n}", "Halte répit Alzheimer {n}"], 0),
    ("accueil-temporaire", 1, ["Hébergement temporaire {n}"], 0),
    ("portage-de-repas", 2, ["Portage de repas {n}", "Repas à domicile {n}"], 1),
    ("teleassistance", 1, ["Téléassistance {n}"], 1),
    ("mdph", 1, ["Maison départementale de l'autonomie {n}", "Antenne MDPH {n}"], 0),
    ("apa", 1, ["Point info APA {n}"], 0),
    ("soutien-des-aidants", 2, ["Café des aidants {n}", "Plateforme d'accompagnement {n}"], 0),
    ("lutte-contre-isolement", 2, ["Visites de convivialité {n}", "Monalisa {n}"], 1),
    ("ateliers-prevention", 2, ["Atelier équilibre {n}", "Atelier mémoire {n}"], 0),
    ("aide-aux-demarches", 1, ["Permanence administrative {n}", "France services {n}"], 0),
]
PHRASES = [
    "Accompagnement des personnes âgées et de leurs proches aidants.",
    "Interventions du lundi au samedi, week-end sur demande.",
    "Aide au lever, au coucher, à la toilette et aux repas.",
    "Entretien du logement, courses, préparation des repas, aide ménagère.",
    "Accueil de personnes atteintes de la maladie d'Alzheimer ou apparentée.",
    "Équipe pluridisciplinaire : infirmiers, aides-soignants, psychologue, ergothérapeute.",
    "Accompagnement d'adultes en situation de handicap psychique ou moteur.",
    "Prise en charge possible au titre de l'APA ou de la PCH.",
    "Habilité à l'aide sociale à l'hébergement.",
    "Soutien scolaire et éducatif d'enfants et d'adolescents handicapés.",
    "Information sur les droits, aide à la constitution du dossier MDPH.",
    "Jardin thérapeutique, animations et sorties adaptées.",
    "Transport adapté et accompagnement aux rendez-vous médicaux.",
    "Répit pour les aidants : quelques heures ou quelques jours.",
]
NOMS = (
    "Les Tilleuls|Les Glycines|Le Clos fleuri|Saint-Joseph|Les Cèdres|La Source|Le Verger|"
    "Les Hirondelles|Bel Air|Les Peupliers|La Roseraie|Le Moulin|Les Charmilles|Val de Loire"
)


def analyser() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300_000)
    parser.add_argument("--lieux", type=int, default=100_000)
    parser.add_argument("--graine", type=int, default=2021)
    return parser.parse_args()


def generer(nb_services: int, nb_lieux: int, graine: int) -> None:
    from django.db import transaction

    from repertoire.models import Besoin, Lieu, PlageHoraire, Service, Structure
    from repertoire.models import ZoneIntervention as Zone
    from territoires.models import Commune

    hasard = random.Random(graine)
    communes = list(
        Commune.objects.filter(type="COM").values_list(
            "code_insee", "nom", "departement_id", "latitude", "longitude", "population"
        )
    )
    poids_communes = [max(c[5], 50) for c in communes]
    besoins = dict(Besoin.objects.values_list("slug", "pk"))
    noms_propres = NOMS.split("|")
    debut = time.perf_counter()
    with transaction.atomic():
        structures = Structure.objects.bulk_create(
            [
                Structure(nom=f"Association {hasard.choice(noms_propres)} {n}")
                for n in range(nb_lieux // 2)
            ],
            batch_size=5000,
        )
        sites = hasard.choices(communes, weights=poids_communes, k=nb_lieux)
        lieux = Lieu.objects.bulk_create(
            [
                Lieu(
                    structure=structures[n // 2],
                    nom=f"Site de {c[1]}",
                    commune_id=c[0],
                    code_postal=c[0][:5],
                    adresse=f"{n % 90 + 1} rue de la République",
                    latitude=c[3] + hasard.gauss(0, 0.01),
                    longitude=c[4] + hasard.gauss(0, 0.01),
                )
                for n, c in enumerate(sites)
            ],
            batch_size=5000,
        )
        print(f"{len(lieux)} lieux en {time.perf_counter() - debut:.0f} s", flush=True)
        tirages = hasard.choices(BESOINS, weights=[b[1] for b in BESOINS], k=nb_services)
        services, lieux_de, besoins_de, zones, plages = [], [], [], [], []
        for slug, _, modeles, domicile in tirages:
            lieu = lieux[hasard.randrange(nb_lieux)]
            services.append(
                Service(
                    structure_id=lieu.structure_id,
                    nom=hasard.choice(modeles).format(n=hasard.choice(noms_propres)),
                    description=" ".join(hasard.sample(PHRASES, 3)),
                    accueil_sur_place=not domicile or hasard.random() < 0.3,
                    accueil_a_domicile=bool(domicile),
                    accueil_a_distance=hasard.random() < 0.03,
                    modes_acces=hasard.sample(["libre", "sur-rendez-vous", "evaluation-apa"], 1),
                    statut="publie" if hasard.random() < 0.97 else "brouillon",
                )
            )
            lieux_de.append(lieu)
            besoins_de.append(
                [besoins[slug]]
                + ([besoins[hasard.choice(BESOINS)[0]]] if hasard.random() < 0.3 else [])
            )
        Service.objects.bulk_create(services, batch_size=5000)
        print(f"{len(services)} services en {time.perf_counter() - debut:.0f} s", flush=True)
        departement_de = {c[0]: c[2] for c in communes}
        for service, lieu in zip(services, lieux_de, strict=True):
            if service.accueil_a_domicile:
                zones.append(
                    Zone(service=service, type="departement", code=departement_de[lieu.commune_id])
                )
            elif service.accueil_a_distance and hasard.random() < 0.5:
                zones.append(Zone(service=service, type="france", code=""))
            if hasard.random() < 0.5:
                plages += [
                    PlageHoraire(service=service, jour=j, ouverture="09:00", fermeture="17:00")
                    for j in range(5)
                ]
        Service.lieux.through.objects.bulk_create(
            [
                Service.lieux.through(service_id=s.pk, lieu_id=lieu.pk)
                for s, lieu in zip(services, lieux_de, strict=True)
            ],
            batch_size=10000,
        )
        Service.besoins.through.objects.bulk_create(
            [
                Service.besoins.through(service_id=s.pk, besoin_id=b)
                for s, liste in zip(services, besoins_de, strict=True)
                for b in set(liste)
            ],
            batch_size=10000,
        )
        Zone.objects.bulk_create(zones, batch_size=10000)
        PlageHoraire.objects.bulk_create(plages, batch_size=10000)
    print(f"liens, zones et horaires en {time.perf_counter() - debut:.0f} s", flush=True)


def main() -> None:
    import django

    arguments = analyser()
    SORTIE.mkdir(exist_ok=True)
    django.setup()
    from django.core.management import call_command

    from repertoire.models import Service
    from repertoire.recherche.index import indexer_services
    from repertoire.services import synchroniser_referentiels
    from territoires.services import charger_communes

    call_command("migrate", verbosity=0)
    charger_communes()
    synchroniser_referentiels()
    if Service.objects.count() >= arguments.services:
        print(f"Répertoire déjà présent ({Service.objects.count()} services).")
        return
    generer(arguments.services, arguments.lieux, arguments.graine)
    debut = time.perf_counter()
    print(f"{indexer_services()} services indexés en {time.perf_counter() - debut:.0f} s")


if __name__ == "__main__":
    main()
