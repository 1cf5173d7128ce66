"""Banc d'essai de la recherche : 1 000 requêtes mêlées, percentiles affichés (pas d'assertion).

Mesure, pour les mêmes requêtes : le moteur seul (`executer` : ses requêtes SQL, saisie
déjà comprise), `rechercher` (saisie comprise + moteur + page chargée), tous deux après un
premier passage qui met les pages de la base en cache, puis le point d'API, la
page HTML (temps serveur et octets) et la recherche naïve (ORM icontains + haversine en
Python) sur un échantillon réparti sur tout le mélange ; horloge et CPU du processus.

    python bench/generer_repertoire.py   # une fois
    python bench/search.py [--requetes 1000] [--naif 200]
    DATABASE_URL=postgres://… python bench/search.py
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{RACINE / 'bench' / 'out' / 'repertoire.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste
# On mesure la recherche, pas la limitation de débit (qui répondrait 429 au-delà de 120/min).
os.environ.setdefault("API_LIMITE_PAR_MINUTE", "0")

TEXTES = [
    "aide à domicile",
    "maison de retraite",
    "ehpad",
    "alzeimer",
    "répit",
    "aide ménagère",
    "portage repas",
    "MDPH",
    "accueil de jour",
    "ssiad",
    "handicap psychique",
    "transport adapté",
    "aidants",
    "résidence autonomie",
    "téléassistance",
    "ehpda",
    "atelier mémoire",
    "esat",
]
RAYONS = [5, 10, 20, 30]
URL_API = "/api/v1/services/recherche"


def melange(nombre: int, graine: int = 1000) -> list:
    """Un quart chacun : texte + besoin + rayon, besoin + rayon, texte seul, commune seule."""
    from repertoire.models import Besoin
    from repertoire.recherche import Critere
    from territoires.models import Commune

    hasard = random.Random(graine)
    communes = list(Commune.objects.filter(type="COM").values_list("code_insee", "population"))
    tirees = hasard.choices(
        [c[0] for c in communes], weights=[c[1] + 50 for c in communes], k=nombre
    )
    besoins = list(Besoin.objects.values_list("slug", flat=True))
    criteres = []
    for n, commune in enumerate(tirees):
        q, besoin, rayon = hasard.choice(TEXTES), hasard.choice(besoins), hasard.choice(RAYONS)
        criteres.append(
            [
                Critere(q=q, besoin=besoin, commune=commune, rayon_km=rayon),
                Critere(besoin=besoin, commune=commune, rayon_km=rayon),
                Critere(q=q),
                Critere(commune=commune, rayon_km=rayon),
            ][n % 4]
        )
    return criteres


def chronometrer(fonction: Callable[..., object], *args, **kwargs) -> tuple[float, float, object]:
    """Horloge et CPU du processus (client de test et serveur y tournent tous deux), en ms."""
    debut, cpu = time.perf_counter(), time.process_time()
    resultat = fonction(*args, **kwargs)
    return (time.perf_counter() - debut) * 1000, (time.process_time() - cpu) * 1000, resultat


def centiles(durees: list[float]) -> tuple[float, float, float]:
    c = statistics.quantiles(durees, n=100, method="inclusive")
    return c[49], c[94], c[98]


def afficher(nom: str, mesures: list[tuple[float, float]]) -> None:
    if not mesures:
        return
    p50, p95, p99 = centiles([horloge for horloge, _ in mesures])
    cpu = centiles([cpu for _, cpu in mesures])
    print(
        f"{nom:<36} n={len(mesures):>4}  p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"
        f"   (CPU p50 {cpu[0]:5.1f}  p95 {cpu[1]:5.1f})"
    )


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requetes", type=int, default=1000)
    parser.add_argument(
        "--naif", type=int, default=200, help="requêtes de la naïve, réparties sur le mélange"
    )
    arguments = parser.parse_args()
    django.setup()
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client

    from repertoire.models import Service
    from repertoire.recherche import rechercher
    from repertoire.recherche.moteur import Requete, SaisieIncomprise, comprendre, executer
    from repertoire.recherche.naif import rechercher_naif
    from territoires.selectors import choix_commune

    print(
        f"Base {connection.vendor}, {Service.objects.count()} services, "
        f"{arguments.requetes} requêtes, naïve sur {arguments.naif}"
    )
    criteres = melange(arguments.requetes)
    pas = max(1, len(criteres) // max(1, arguments.naif))
    brut, complet, naif, complet_naif, api, html, octets = [], [], [], [], [], [], []
    client = Client()
    for n, critere in enumerate(criteres):
        # Un premier passage non mesuré : le moteur seul et `rechercher` trouvent ensuite les
        # mêmes pages de la base en cache (le premier mesuré paierait seul les lectures du
        # disque). La commune saisie est oubliée avant `rechercher`, qui la cherche donc
        # toujours, comme pour une commune qu'aucune requête précédente n'a demandée.
        rechercher(critere)
        requete = Requete()
        try:
            comprendre(critere, requete)
        except SaisieIncomprise:
            continue
        *mesure, _ = chronometrer(executer, requete, tri="pertinence", page=1, par_page=20)
        brut.append(mesure)
        choix_commune.vider()
        *mesure, _ = chronometrer(rechercher, critere)
        complet.append(mesure)
        parametres = urlencode({k: v for k, v in vars(critere).items() if v not in ("", None)})
        *mesure, _ = chronometrer(client.get, f"{URL_API}?{parametres}")
        api.append(mesure)
        *mesure, reponse = chronometrer(client.get, f"/recherche/?{parametres}")
        html.append(mesure)
        octets.append(len(reponse.content))
        if n % pas == 0 and len(naif) < arguments.naif:
            centre = requete.position or (None, None)
            *mesure, _ = chronometrer(rechercher_naif, critere, lat=centre[0], lon=centre[1])
            naif.append(mesure)
            complet_naif.append(complet[-1])
    afficher("requête du moteur seule (executer)", brut)
    afficher("rechercher()", complet)
    afficher(f"API {URL_API}", api)
    afficher("page HTML /recherche/ (serveur)", html)
    afficher("naïve (ORM + Python)", naif)
    afficher("rechercher() sur les mêmes requêtes", complet_naif)
    _bilan(brut, complet, naif, complet_naif, api, html, octets)


def _bilan(brut, complet, naif, complet_naif, api, html, octets) -> None:
    def p(mesures: list, rang: int = 0) -> float:
        return centiles([horloge for horloge, _ in mesures])[rang]

    ko = [n / 1000 for n in octets]
    print(f"page HTML : p50 {statistics.median(ko):.0f} ko, max {max(ko):.0f} ko (cible ≤ 300)")
    print(
        f"rechercher / moteur seul : p50 {p(complet) / p(brut):.2f}×, "
        f"p95 {p(complet, 1) / p(brut, 1):.2f}×  (cible ≤ 1,5×)"
    )
    if naif:
        print(
            f"naïve / rechercher, mêmes requêtes : p50 {p(naif) / p(complet_naif):.0f}×, "
            f"p95 {p(naif, 1) / p(complet_naif, 1):.0f}×  (cible ≥ 20×)"
        )
    print(
        f"API p95 {p(api, 1):.1f} ms (cible ≤ 25) ; page HTML p95 {p(html, 1):.1f} ms (cible ≤ 60)"
    )


if __name__ == "__main__":
    main()
