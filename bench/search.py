"""Banc d'essai de la recherche : un mélange réaliste, des premiers appels, et un vrai serveur.

Le mélange (`melange`) : les besoins tirés selon la fréquence à laquelle on les cherche et
l'offre qui y répond (un besoin sans offre reste cherché, rarement : ce sont les « rien
trouvé »), dits avec des mots de tous les jours (textes ci-dessous et phrases du jeu de
pertinence), les communes tirées au prorata de leur population et saisies par nom, code
postal ou code INSEE. La part des recherches sans résultat est affichée.

Sans option, dans ce processus (client de test de Django, sans HTTP) : chaque critère n'est
mesuré qu'à son premier appel (aucun passage de chauffe ; les pages de la base sont dans le
cache du système si la base vient d'être générée ou lue). Pour l'API : horloge et CPU, et
la part du CPU prise par le moteur, par le chargement des fiches et par le reste (schéma,
JSON, veille, middlewares) ; la page HTML (temps serveur, octets) sur l'autre moitié des
critères ; la recherche naïve sur `--naif` critères.

Avec `--charge` : gunicorn démarre sur la base comme en production (DEBUG=false, statiques
collectés, `MESURE_CPU_SERVEUR=true`), et `bench/charge.py`, dans un autre processus, rejoue
le mélange en HTTP à 1, 8 et 32 clients : requêtes/s, latences, erreurs, CPU serveur par
requête (en-tête Server-Timing, et CPU des workers lu dans /proc), CPU du client et de la
machine.

    python bench/generer_repertoire.py   # une fois
    python bench/search.py [--requetes 1000] [--naif 200]
    python bench/search.py --charge [--workers 4] [--clients 1,8,32]
    DATABASE_URL=postgres://… python bench/search.py [--charge]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlencode

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
from serveur import (  # noqa: E402  (bench/ : dossier du script)
    arreter,
    centiles,
    charge_machine,
    cpu_de,
    cpu_machine,
    cpu_par_processus,
    demarrer,
    environnement_de_production,
    port_libre,
    processus_postgresql,
    workers,
)

os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{RACINE / 'bench' / 'out' / 'repertoire.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste
# On mesure la recherche, pas la limitation de débit (qui répondrait 429 au-delà de 120/min).
os.environ.setdefault("API_LIMITE_PAR_MINUTE", "0")

URL_API = "/api/v1/services/recherche"
PERTINENCE = RACINE / "repertoire" / "tests" / "data" / "pertinence" / "requetes.toml"

# Besoin → (combien on le cherche, sur 100 recherches environ ; façons de le dire). La demande
# est une estimation (appels reçus par un point d'information, motifs des premières
# recherches du site) ; l'offre est lue dans la base.
DEMANDE: dict[str, tuple[float, list[str]]] = {
    "aide-a-domicile": (
        20,
        [
            "aide à domicile",
            "aide ménagère",
            "quelqu'un pour aider ma mère à la maison",
            "aide pour le ménage et les courses",
            "auxiliaire de vie",
            "aide a domicile",
            "SAAD",
            "aide pour se lever le matin",
            "aide à la toilette",
        ],
    ),
    "ehpad": (
        15,
        [
            "ehpad",
            "maison de retraite",
            "maisons de retraite",
            "EHPAD alzheimer",
            "placer mon père en maison de retraite",
            "ehpda",
            "maison de retraite médicalisée",
            "place en ehpad pour ma mère",
        ],
    ),
    "soins-infirmiers-a-domicile": (
        6,
        ["ssiad", "infirmière à domicile", "soins à domicile", "infirmier pour pansements"],
    ),
    "portage-de-repas": (
        6,
        ["portage repas", "portage de repas", "repas livrés à domicile", "livraison repas"],
    ),
    "accueil-de-jour": (
        5,
        ["accueil de jour", "accueil de jour alzheimer", "garde de jour pour mon mari"],
    ),
    "residence-autonomie": (
        5,
        ["résidence autonomie", "foyer logement", "marpa", "residence seniors"],
    ),
    "apa": (5, ["APA", "allocation personnalisée d'autonomie", "aide financière pour l'aide"]),
    "mdph": (5, ["MDPH", "dossier mdph", "reconnaissance handicap", "maison du handicap"]),
    "teleassistance": (4, ["téléassistance", "bip d'alarme pour personne âgée", "teleassistance"]),
    "soutien-des-aidants": (
        4,
        ["aidants", "soutien aux aidants", "café des aidants", "je suis aidant épuisé"],
    ),
    "repit-aidants": (3, ["répit", "repit aidant", "souffler un peu", "relayer l'aidant"]),
    "troubles-cognitifs": (
        3,
        ["alzeimer", "perte de mémoire", "mon père perd la mémoire", "troubles de mémoire"],
    ),
    "accueil-temporaire": (
        3,
        ["hébergement temporaire", "séjour temporaire", "accueil temporaire"],
    ),
    "aide-aux-demarches": (3, ["aide pour les papiers", "aide aux démarches", "france services"]),
    "lutte-contre-isolement": (2, ["isolement", "visite à domicile personne seule", "solitude"]),
    "ateliers-prevention": (2, ["atelier mémoire", "atelier équilibre", "prévention des chutes"]),
    "transport-adapte": (2, ["transport adapté", "transport fauteuil roulant", "taxi pmr"]),
    "esat": (2, ["esat", "travail protégé", "emploi handicap"]),
    "ime": (2, ["ime", "institut médico-éducatif", "mon fils autiste de 6 ans"]),
    "sessad": (2, ["sessad", "accompagnement enfant handicapé à l'école"]),
    "accompagnement-vie-sociale": (1, ["savs", "samsah", "handicap psychique"]),
    "mas": (1, ["mas", "maison d'accueil spécialisée", "polyhandicap adulte"]),
    "fam-eam": (1, ["foyer d'accueil médicalisé", "fam", "eam"]),
    "pch": (2, ["PCH", "prestation de compensation du handicap"]),
    "protection-juridique": (2, ["curatelle", "tutelle", "mandataire judiciaire"]),
    "adaptation-du-logement": (2, ["adapter la salle de bain", "aménagement du logement"]),
    "habitat-inclusif": (1, ["habitat inclusif", "colocation handicap"]),
    "clic": (2, ["clic", "point d'information personnes âgées"]),
}
# Forme de la saisie → part des recherches. Le texte dit le besoin tiré (ou, une fois sur
# quatre, une phrase du jeu de pertinence) : texte et besoin ne sont pas tirés l'un sans l'autre.
FORMES = {
    "texte+commune": 35,
    "besoin+commune": 25,
    "texte+besoin+commune": 10,
    "texte": 15,
    "commune": 10,
    "besoin": 5,
}
RAYONS = [None, None, None, None, 5, 10, 20, 30, 50]  # None : le rayon par défaut (10 km)


def _offre() -> dict[str, int]:
    """Services publiés par besoin (un thème compte ceux de ses besoins précis)."""
    from django.db.models import Count

    from repertoire.models import Besoin

    par_slug = dict(Besoin.objects.annotate(n=Count("services")).values_list("slug", "n"))
    for parent, slug in Besoin.objects.filter(parent__isnull=False).values_list(
        "parent__slug", "slug"
    ):
        par_slug[parent] = par_slug.get(parent, 0) + par_slug.get(slug, 0)
    return par_slug


def poids_des_besoins() -> dict[str, float]:
    """Demande × √(offre relative), l'offre relative ne tombant pas sous 2 % : un besoin
    qu'aucun service n'offre est encore cherché, c'est d'eux que viennent les « rien »."""
    offre = _offre()
    plus_offert = max(offre.get(slug, 0) for slug in DEMANDE) or 1
    return {
        slug: demande * max(offre.get(slug, 0) / plus_offert, 0.02) ** 0.5
        for slug, (demande, _) in DEMANDE.items()
    }


def _phrases_de_pertinence() -> list[str]:
    requetes = tomllib.loads(PERTINENCE.read_text())["requete"]
    return sorted({r["q"] for r in requetes if r.get("q")})


def _saisies_de_communes(hasard: random.Random, nombre: int) -> list[str]:
    """Communes au prorata de la population, saisies par nom (3 sur 5), code postal ou INSEE."""
    from territoires.models import CodePostal, Commune

    communes = list(
        Commune.objects.filter(type="COM").values_list("code_insee", "nom", "population")
    )
    postaux = dict(CodePostal.objects.values_list("commune_id", "code"))
    tirees = hasard.choices(communes, weights=[c[2] + 50 for c in communes], k=nombre)
    saisies = []
    for code, nom, _ in tirees:
        facon = hasard.random()
        if facon < 0.6 or (facon < 0.8 and code not in postaux):
            saisies.append(nom)
        elif facon < 0.8:
            saisies.append(postaux[code])
        else:
            saisies.append(code)
    return saisies


def melange(nombre: int, graine: int = 1000) -> list:
    """`nombre` critères tirés comme le disent DEMANDE, FORMES et RAYONS (graine fixe)."""
    from repertoire.recherche import Critere

    hasard = random.Random(graine)
    poids = poids_des_besoins()
    besoins = hasard.choices(list(poids), weights=list(poids.values()), k=nombre)
    formes = hasard.choices(list(FORMES), weights=list(FORMES.values()), k=nombre)
    communes = _saisies_de_communes(hasard, nombre)
    phrases = _phrases_de_pertinence()
    criteres = []
    for besoin, forme, commune in zip(besoins, formes, communes, strict=True):
        texte = (
            hasard.choice(phrases) if hasard.random() < 0.25 else hasard.choice(DEMANDE[besoin][1])
        )
        rayon = hasard.choice(RAYONS)
        criteres.append(
            Critere(
                q=texte if "texte" in forme else "",
                besoin=besoin if "besoin" in forme else "",
                commune=commune if "commune" in forme else "",
                rayon_km=rayon if "commune" in forme else None,
            )
        )
    return criteres


def forme(critere) -> str:
    champs = {"texte": critere.q, "besoin": critere.besoin, "commune": critere.commune}
    return "+".join(nom for nom, valeur in champs.items() if valeur) or "rien"


def parametres(critere) -> str:
    return urlencode({k: v for k, v in vars(critere).items() if v not in ("", None, "pertinence")})


def ligne(nom: str, horloge: list[float], cpu: list[float] | None = None) -> None:
    p50, p95, p99 = centiles(horloge)
    texte = f"{nom:<40} n={len(horloge):>4}  p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"
    if cpu:
        c = centiles(cpu)
        texte += f"   (CPU p50 {c[0]:5.1f}  p95 {c[1]:5.1f}  p99 {c[2]:5.1f})"
    print(texte)


# --- Dans ce processus ------------------------------------------------------------------------


class Compteur:
    """CPU passé dans quelques fonctions du moteur pendant une requête (remplacées le temps du
    banc par une enveloppe qui mesure ; appels imbriqués comptés une fois)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self._profondeur = 0

    def envelopper(self, module, nom: str, poste: str) -> None:
        originale = getattr(module, nom)

        def enveloppe(*args, **kwargs):
            if self._profondeur:
                return originale(*args, **kwargs)
            self._profondeur += 1
            debut = time.process_time()
            try:
                return originale(*args, **kwargs)
            finally:
                self._profondeur -= 1
                self.cpu[poste] = self.cpu.get(poste, 0) + (time.process_time() - debut) * 1000

        setattr(module, nom, enveloppe)


def en_processus(arguments) -> None:
    from django.db import connection
    from django.test import Client

    from repertoire.models import Service
    from repertoire.recherche import moteur
    from repertoire.recherche.naif import rechercher_naif
    from territoires.selectors import commune_saisie

    criteres = melange(arguments.requetes)
    print(
        f"Base {connection.vendor}, {Service.objects.count()} services ; {len(criteres)} "
        f"critères, {len({parametres(c) for c in criteres})} distincts, "
        f"{len({c.q for c in criteres if c.q})} textes distincts ; {charge_machine()}"
    )
    compteur = Compteur()
    for nom in ("comprendre", "executer", "plus_loin"):
        compteur.envelopper(moteur, nom, "moteur")
    compteur.envelopper(moteur, "_services", "fiches")  # la page HTML, et l'API avant
    with suppress(ImportError):
        from repertoire import resumes  # l'API : les fiches lues en valeurs

        compteur.envelopper(resumes, "charger_fiches", "fiches")
    client = Client()
    api, api_cpu, html, html_cpu, octets, parts, vides = [], [], [], [], [], [], 0
    formes: dict[str, list[tuple[float, float]]] = {}
    naif, pas = [], max(1, len(criteres) // max(1, arguments.naif))
    debut_total = time.process_time()
    for n, critere in enumerate(criteres):
        url = parametres(critere)
        compteur.cpu = {}
        debut, cpu = time.perf_counter(), time.process_time()
        if n % 2 == 0:  # premier appel de ce critère, par l'API
            reponse = client.get(f"{URL_API}?{url}")
            api.append((time.perf_counter() - debut) * 1000)
            api_cpu.append((time.process_time() - cpu) * 1000)
            vides += reponse.json()["total"] == 0
            formes.setdefault(forme(critere), []).append(
                (api_cpu[-1], compteur.cpu.get("moteur", 0))
            )
            parts.append(
                (api_cpu[-1], compteur.cpu.get("moteur", 0), compteur.cpu.get("fiches", 0))
            )
        else:  # premier appel de ce critère, par la page
            reponse = client.get(f"/recherche/?{url}")
            html.append((time.perf_counter() - debut) * 1000)
            html_cpu.append((time.process_time() - cpu) * 1000)
            octets.append(len(reponse.content))
        if arguments.naif and n % pas == 0 and len(naif) < arguments.naif:
            commune = commune_saisie(critere.commune) if critere.commune else None
            centre = (commune.latitude, commune.longitude) if commune else (None, None)
            debut = time.perf_counter()
            rechercher_naif(critere, lat=centre[0], lon=centre[1])
            naif.append((time.perf_counter() - debut) * 1000)
    print(f"CPU total du banc : {time.process_time() - debut_total:.0f} s ; {charge_machine()}")
    print("Premiers appels de chaque critère (aucune chauffe), client de test de Django :")
    ligne(f"API {URL_API}", api, api_cpu)
    ligne("page HTML /recherche/ (serveur)", html, html_cpu)
    if naif:
        ligne("naïve (ORM + Python), après l'API", naif)
    _bilan(api, api_cpu, parts, vides, html, octets, naif)
    print("CPU de l'API par forme de saisie (ms) :")
    for nom, mesures in sorted(formes.items()):
        cpu, moteur = centiles([m[0] for m in mesures]), centiles([m[1] for m in mesures])
        print(
            f"  {nom:<22} n={len(mesures):>4}  CPU p50 {cpu[0]:5.1f}  p95 {cpu[1]:5.1f}   "
            f"dont moteur p50 {moteur[0]:5.1f}  p95 {moteur[1]:5.1f}"
        )


def _bilan(api, api_cpu, parts, vides, html, octets, naif) -> None:
    total = sum(p[0] for p in parts) or 1
    moteur, fiches = sum(p[1] for p in parts), sum(p[2] for p in parts)
    print(
        f"recherches de l'API sans résultat : {vides / max(1, len(api)):.0%} ; CPU de l'API : "
        f"moteur {moteur / total:.0%}, chargement des fiches {fiches / total:.0%}, reste "
        f"(schéma, JSON, veille, middlewares) {(total - moteur - fiches) / total:.0%}"
        " (cible : moteur ≥ 50 %)"
    )
    ko = [n / 1000 for n in octets] or [0]
    print(f"page HTML : p50 {statistics.median(ko):.0f} ko, max {max(ko):.0f} ko (cible ≤ 300)")
    if naif:
        print(f"naïve / API, p50 : {centiles(naif)[0] / centiles(api)[0]:.0f}× (cible ≥ 20×)")
    cpu = centiles(api_cpu)
    print(
        f"API : CPU p50 {cpu[0]:.1f} ms (cible ≤ 8), p95 {cpu[1]:.1f} ms (cible ≤ 20) ; "
        f"horloge p95 {centiles(api)[1]:.1f} ms (cible ≤ 25) ; page HTML p95 "
        f"{centiles(html)[1]:.1f} ms (cible ≤ 60)"
    )


# --- Un vrai serveur, une vraie charge ---------------------------------------------------------


def _rejouer(port: int, clients: int, chemins: list[str]) -> dict:
    ordre = json.dumps({"port": port, "clients": clients, "chemins": chemins})
    sortie = subprocess.run(
        [sys.executable, str(RACINE / "bench" / "charge.py")],
        input=ordre,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(sortie.stdout)


def en_charge(arguments) -> None:
    from django.db import connection

    paliers = [int(n) for n in arguments.clients.split(",")]
    par_palier = {c: max(arguments.par_client * c, arguments.minimum) for c in paliers}
    chauffe = 10 * arguments.workers
    criteres = melange(chauffe + sum(par_palier.values()), graine=2000)
    chemins = [f"{URL_API}?{parametres(c)}" for c in criteres]
    print(
        f"Charge HTTP : gunicorn, {arguments.workers} workers synchrones, base "
        f"{connection.vendor} ; client asyncio dans un autre processus ; {charge_machine()}"
    )
    port = port_libre()
    with tempfile.TemporaryDirectory() as statiques:
        # On mesure la recherche, pas la limitation de débit (qui répondrait 429).
        environnement = environnement_de_production(statiques, API_LIMITE_PAR_MINUTE="0")
        serveur = demarrer(environnement, arguments.workers, port)
        try:
            pids = workers(serveur.pid)
            # Chaque worker charge une fois ses caches de processus (thésaurus, communes).
            _rejouer(port, arguments.workers, chemins[:chauffe])
            debut = chauffe
            print(
                f"{'clients':>7} {'requêtes':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
                f"{'erreurs':>7}  {'CPU serveur/req p50':>19} {'p95':>5}  {'workers/req':>11}  "
                f"{'client/req':>10}  {'autres (cœurs)':>14}"
            )
            for clients in paliers:
                lot = chemins[debut : debut + par_palier[clients]]
                debut += len(lot)
                base = cpu_par_processus(processus_postgresql())
                cpu_workers, machine = cpu_de(pids), cpu_machine()
                resultat = _rejouer(port, clients, lot)
                cpu_workers = cpu_de(pids) - cpu_workers
                # Une connexion rouverte pendant le palier (CONN_MAX_AGE) compte en entier.
                apres = cpu_par_processus(processus_postgresql())
                cpu_base = sum(cpu - base.get(pid, 0) for pid, cpu in apres.items())
                occupe = cpu_machine()[0] - machine[0] - cpu_base
                _palier(clients, resultat, cpu_workers, occupe)
                if apres:
                    print(
                        f"{'':>7} PostgreSQL ({len(apres)} connexions) : "
                        f"{cpu_base / len(resultat['mesures']) * 1000:.1f} ms de CPU par requête"
                    )
        finally:
            arreter(serveur)
    print(f"Après : {charge_machine()}")


def _palier(clients: int, resultat: dict, cpu_workers: float, occupe: float) -> None:
    mesures = resultat["mesures"]
    n = len(mesures)
    erreurs = sum(1 for _, statut, _ in mesures if statut != 200)
    latences = [m[0] for m in mesures]
    cpu = [m[2] for m in mesures if m[2] is not None]
    p50, p95, p99 = centiles(latences)
    c50, c95, _ = centiles(cpu)
    duree = resultat["duree_s"]
    # Ce que la machine a fait d'autre pendant le palier (autres utilisateurs), en cœurs.
    autres = (occupe - cpu_workers - resultat["cpu_client_s"]) / duree
    print(
        f"{clients:>7} {n:>8} {n / duree:>7.0f} {p50:>6.1f} {p95:>6.1f} {p99:>6.1f} "
        f"{erreurs:>7}  {c50:>16.1f} ms {c95:>5.1f}  {cpu_workers / n * 1000:>8.1f} ms  "
        f"{resultat['cpu_client_s'] / n * 1000:>7.1f} ms  {max(autres, 0):>14.2f}"
    )


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requetes", type=int, default=1000)
    parser.add_argument(
        "--naif", type=int, default=200, help="requêtes de la naïve, réparties sur le mélange"
    )
    parser.add_argument("--charge", action="store_true", help="gunicorn et charge HTTP")
    parser.add_argument("--workers", type=int, default=4, help="workers gunicorn (README)")
    parser.add_argument("--clients", default="1,8,32", help="paliers de clients simultanés")
    parser.add_argument("--par-client", type=int, default=50, help="requêtes par client")
    parser.add_argument("--minimum", type=int, default=300, help="requêtes par palier, au moins")
    arguments = parser.parse_args()
    django.setup()
    from django.conf import settings

    # Comme en production : DEBUG=true garderait chaque requête SQL en mémoire (coût mesuré).
    settings.DEBUG = False
    (en_charge if arguments.charge else en_processus)(arguments)


if __name__ == "__main__":
    main()
