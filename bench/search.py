"""Banc d'essai de la recherche : 1 000 requêtes mêlées, percentiles affichés (pas d'assertion).

Mesure, pour les mêmes requêtes : la requête SQL du moteur seule, `rechercher` (saisie
comprise + moteur + page chargée), le point d'API et la page HTML s'ils existent, et la
recherche naïve (ORM icontains + haversine en Python) sur un sous-échantillon.

    python bench/generer_repertoire.py   # une fois
    python bench/search.py [--requetes 1000] [--naif 50]
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


def chronometrer(fonction: Callable[..., object], *args, **kwargs) -> float:
    debut = time.perf_counter()
    fonction(*args, **kwargs)
    return (time.perf_counter() - debut) * 1000


def afficher(nom: str, durees: list[float]) -> None:
    if not durees:
        return
    centiles = statistics.quantiles(durees, n=100, method="inclusive")
    print(
        f"{nom:<34} n={len(durees):>4}  p50 {centiles[49]:8.1f} ms  "
        f"p95 {centiles[94]:8.1f} ms  p99 {centiles[98]:8.1f} ms"
    )


def executer_sql(connection, sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def url_existe(client, url: str) -> bool:
    return client.get(url).status_code == 200


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requetes", type=int, default=1000)
    parser.add_argument("--naif", type=int, default=50, help="sous-échantillon de la naïve")
    arguments = parser.parse_args()
    django.setup()
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client

    from repertoire.models import Service
    from repertoire.recherche import rechercher
    from repertoire.recherche.moteur import Requete, SaisieIncomprise, comprendre, requete_sql
    from repertoire.recherche.naif import rechercher_naif

    print(
        f"Base {connection.vendor}, {Service.objects.count()} services, "
        f"{arguments.requetes} requêtes"
    )
    criteres = melange(arguments.requetes)
    brut, complet, naif, api, html = [], [], [], [], []
    client = Client()
    url_api = "/api/v1/repertoire/recherche"
    avec_api = url_existe(client, f"{url_api}?q=ehpad")
    avec_html = url_existe(client, "/recherche/?q=ehpad")
    for n, critere in enumerate(criteres):
        requete = Requete()
        try:
            comprendre(critere, requete)
        except SaisieIncomprise:
            continue
        sql, params = requete_sql(requete, tri="pertinence", limite=20, decalage=0)
        brut.append(chronometrer(executer_sql, connection, sql, params))
        complet.append(chronometrer(rechercher, critere))
        parametres = urlencode({k: v for k, v in vars(critere).items() if v not in ("", None)})
        if avec_api:
            api.append(chronometrer(client.get, f"{url_api}?{parametres}"))
        if avec_html:
            html.append(chronometrer(client.get, f"/recherche/?{parametres}"))
        if n < arguments.naif:
            centre = requete.position or (None, None)
            naif.append(chronometrer(rechercher_naif, critere, lat=centre[0], lon=centre[1]))
    afficher("requête SQL du moteur seule", brut)
    afficher("rechercher()", complet)
    if not avec_api:
        print(f"API : pas de point de recherche ({url_api}), non mesurée.")
    afficher(f"API {url_api}", api)
    if not avec_html:
        print("Page HTML /recherche/ absente, non mesurée.")
    afficher("page HTML /recherche/", html)
    afficher(f"naïve (ORM + Python), {len(naif)} premières", naif)
    p50 = {nom: statistics.median(d) for nom, d in [("brut", brut), ("complet", complet)]}
    print(f"rechercher / SQL seul (p50) : {p50['complet'] / p50['brut']:.2f}×")
    if naif:
        memes = complet[: len(naif)]
        print(
            f"naïve / rechercher (p50, mêmes requêtes) : "
            f"{statistics.median(naif) / statistics.median(memes):.0f}×"
        )


if __name__ == "__main__":
    main()
