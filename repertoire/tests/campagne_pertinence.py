"""Le jeu de pertinence : ses données (FINESS de la Nièvre et d'Ille-et-Vilaine, fiches de
démonstration), ses requêtes (`data/pertinence/requetes.toml`) et leur passage par l'API
publique de recherche, comme un client la questionne. Servi au test et à
`bench/pertinence.py`.

Les fiches sont relues dans leurs fichiers sources, jamais dans la base ni dans l'index :
le jugement ne doit rien à l'import ni au moteur. La base ne sert qu'à traduire l'identifiant
d'un résultat en sa provenance (« finess:580000743 », « demo:cd-58-ash »).
"""

import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from pyproj import Transformer

from core.memoire import vider_memoires
from echanges.demo import FICHES, FINESS, charger_fiches
from echanges.finess import importer_finess
from repertoire.models import Provenance, Service
from repertoire.pertinence import (
    N_RAPPEL,
    Evaluation,
    Fiche,
    Lieu,
    Regle,
    a_portee,
    jugements,
)
from repertoire.recherche.index import indexer_services
from repertoire.referentiels import est_une_aide
from repertoire.services import synchroniser_referentiels
from territoires.models import Commune
from territoires.services import charger_communes

DONNEES = Path(__file__).resolve().parent / "data" / "pertinence"
REQUETES = DONNEES / "requetes.toml"
FINESS_35 = DONNEES / "finess_35_2021-01.csv"
SOURCES_FINESS = {"58": FINESS, "35": FINESS_35}
URL_RECHERCHE = "/api/v1/services/recherche"


def charger_donnees() -> None:
    """Les deux départements FINESS et les fiches de démonstration, indexés."""
    if not Commune.objects.exists():
        charger_communes()
    synchroniser_referentiels()
    for departement, chemin in SOURCES_FINESS.items():
        importer_finess(chemin, departements=[departement])
    charger_fiches(FICHES)
    indexer_services()


# --- Les fiches d'après leurs sources ---------------------------------------------------------


def fiches_finess(chemin: Path) -> Iterator[Fiche]:
    """Lit le stock au format officiel : catégorie dans `structureet`, point Lambert-93 dans
    `geolocalisation`. FINESS ne déclare aucune zone d'intervention."""
    lambert93 = Transformer.from_crs(2154, 4326, always_xy=True)
    categories, points = {}, {}
    with chemin.open(encoding="iso-8859-1") as flux:
        for ligne in flux:
            champs = ligne.rstrip("\r\n").split(";")
            if champs[0] == "structureet":
                categories[champs[1]] = champs[18]
            elif champs[0] == "geolocalisation" and champs[2] and champs[3]:
                lon, lat = lambert93.transform(float(champs[2]), float(champs[3]))
                points[champs[1]] = ((lat, lon),)
    for numero, categorie in categories.items():
        yield Fiche(cle=f"finess:{numero}", categorie=categorie, points=points.get(numero, ()))


def fiches_demo(chemin: Path) -> Iterator[Fiche]:
    """Les services des fiches écrites à la main : besoins, lieux et zones qu'elles déclarent."""
    for structure in json.loads(chemin.read_text(encoding="utf-8"))["structures"]:
        lieux = {lieu["id"]: (lieu["latitude"], lieu["longitude"]) for lieu in structure["lieux"]}
        for service in structure.get("services", []):
            yield Fiche(
                cle=f"demo:{service['id']}",
                besoins=frozenset(service.get("besoins", [])),
                points=tuple(lieux[i] for i in service.get("lieux", [])),
                zones=tuple((z["type"], z["code"]) for z in service.get("zones", [])),
                aide=est_une_aide(service.get("besoins", [])),
            )


@cache
def fiches_sources() -> dict[str, Fiche]:
    fiches = [*fiches_demo(FICHES)]
    for chemin in SOURCES_FINESS.values():
        fiches.extend(fiches_finess(chemin))
    return {fiche.cle: fiche for fiche in fiches}


# --- Les requêtes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Requete:
    ident: str
    q: str
    commune: str  # telle que saisie, parfois vide (la commune est alors dans le texte)
    lieu: str  # code INSEE de la commune que la personne désigne, pour juger
    rayon: float | None  # None : « sans limite »
    regle: Regle
    note: str = ""


def lire_requetes(chemin: Path = REQUETES) -> list[Requete]:
    contenu = tomllib.loads(chemin.read_text(encoding="utf-8"))
    regles = {nom: _regle(r) for nom, r in contenu["regles"].items()}
    return [
        Requete(
            ident=r["id"],
            q=r.get("q", ""),
            commune=r.get("commune", ""),
            lieu=r.get("lieu", ""),
            rayon=r.get("rayon"),
            regle=regles[r["regle"]],
            note=r.get("note", ""),
        )
        for r in contenu["requete"]
    ]


def _regle(donnees: dict) -> Regle:
    return Regle(
        categories=donnees.get("categories", {}),
        besoins=donnees.get("besoins", {}),
        fiches={_cle(ident): note for ident, note in donnees.get("fiches", {}).items()},
    )


def _cle(ident: str) -> str:
    """« cd-58-ash » : une fiche de la démonstration ; « finess:580000743 » : telle quelle."""
    return ident if ":" in ident else f"demo:{ident}"


def lieu_de(insee: str) -> Lieu | None:
    if not insee:
        return None
    commune = Commune.objects.get(code_insee=insee)
    return Lieu(
        insee=insee,
        latitude=commune.latitude,
        longitude=commune.longitude,
        departement=commune.departement_id,
        epci=commune.epci_id or "",
    )


# --- Le passage par l'API -----------------------------------------------------------------------


def cles_des_services() -> dict[int, str]:
    """Identifiant de service → clé de provenance."""
    type_service = ContentType.objects.get_for_model(Service)
    provenances = Provenance.objects.filter(
        content_type=type_service, source__in=["finess", "demo"]
    )
    return {p.object_id: f"{p.source}:{p.identifiant}" for p in provenances}


def parametres(requete: Requete) -> dict[str, str | int | float]:
    valeurs = {"q": requete.q, "commune": requete.commune, "rayon_km": requete.rayon}
    return {"par_page": N_RAPPEL, **{k: v for k, v in valeurs.items() if v not in ("", None)}}


# Le déploiement que simule le jeu : celui qui sert les deux départements dont il charge le
# FINESS. « Saint-Malo » y est la ville d'Ille-et-Vilaine ; servi par la Nièvre seule, ce
# serait Saint-Malo-en-Donziois (voir territoires.selectors.rechercher_communes).
TERRITOIRE = "departement:" + ",".join(sorted(SOURCES_FINESS))


def evaluer(requetes: list[Requete], client: Client | None = None) -> list[Evaluation]:
    """Passe chaque requête par l'API publique et la juge d'après les sources."""
    with override_settings(AUTONOMIE_TERRITOIRE=TERRITOIRE):
        vider_memoires()  # les noms des communes servies sont gardés en mémoire
        try:
            return _evaluer(requetes, client or Client())
        finally:
            vider_memoires()


def _evaluer(requetes: list[Requete], client: Client) -> list[Evaluation]:
    cles, fiches = cles_des_services(), fiches_sources()
    evaluations = []
    for requete in requetes:
        reponse = client.get(URL_RECHERCHE, parametres(requete))
        if reponse.status_code != 200:
            raise AssertionError(f"{requete.ident} : {reponse.status_code} {reponse.content!r}")
        resultats = [cles.get(r["service"]["id"], "?") for r in reponse.json()["resultats"]]
        lieu = lieu_de(requete.lieu)
        evaluations.append(
            Evaluation(
                ident=requete.ident,
                resultats=resultats,
                notes=jugements(requete.regle, list(fiches.values()), lieu, requete.rayon),
                hors_rayon=sum(
                    1
                    for cle in resultats[:10]
                    if cle in fiches and not a_portee(fiches[cle], lieu, requete.rayon)
                ),
                avec_rayon=lieu is not None and requete.rayon is not None,
            )
        )
    return evaluations
