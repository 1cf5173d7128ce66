"""Ce que le moteur demande à l'index, sous une forme que chaque base traduit.

Le texte d'une fiche est indexé avec ses **clés** : des mots réservés (« zzb12 » pour le
besoin 12, « zzg1x1137y867 » pour une maille de la carte…) qui portent ses besoins, ses
publics, ses modes d'accueil et d'accès, ses zones d'intervention et les mailles de ses lieux.
Ainsi une recherche entière (mots, besoin, public, lieu) est une seule expression booléenne
que l'index plein texte évalue sans rien énumérer de trop : « services d'emploi autour de
Paris » n'examine que les fiches qui ont à la fois la clé du besoin et celle d'une maille.
"""

import re
from dataclasses import dataclass

from core.texte import sans_accents
from repertoire.recherche.geo import boite

PREFIXE = "zz"  # les clés ne vivent que dans leur propre colonne : aucun mot saisi ne les atteint
# Côté des mailles, en degrés, de la plus fine (≈ 1 km) à la plus large (≈ 280 km).
MAILLES = (0.01, 0.04, 0.16, 0.64, 2.56)
MAILLES_PAR_CERCLE = 30  # au-delà, on passe au niveau plus large


_MOT = re.compile(r"[a-z0-9]+")


def texte_indexe(texte: str) -> str:
    """Minuscules sans accents, un espace entre les mots : ce que l'index découpe (FTS5 en
    tire les mêmes mots) et ce que `drapeau` relit."""
    return " ".join(_MOT.findall(sans_accents(texte).lower()))


@dataclass(frozen=True)
class Mots:
    """Chaque groupe est requis ; un mot du groupe suffit, en préfixe."""

    groupes: tuple[tuple[str, ...], ...]
    nom_seul: bool = False


@dataclass(frozen=True)
class Cles:
    """Au moins une des clés."""

    cles: tuple[str, ...]


@dataclass(frozen=True)
class Et:
    termes: tuple


@dataclass(frozen=True)
class Ou:
    termes: tuple


@dataclass(frozen=True)
class Sauf:
    """`gardee` et pas `exclue`."""

    gardee: object
    exclue: object


def et(*termes):
    """Et de ce qui n'est pas None ; None si rien (« toutes les fiches »)."""
    gardes = tuple(t for t in termes if t is not None)
    if not gardes:
        return None
    return gardes[0] if len(gardes) == 1 else Et(gardes)


def ou(*termes):
    gardes = tuple(t for t in termes if t is not None)
    return gardes[0] if len(gardes) == 1 else Ou(gardes)


# --- Les clés d'une fiche et d'une recherche ----------------------------------------------


def cle_besoin(pk: int) -> str:
    return f"{PREFIXE}b{pk}"


def cle_public(pk: int) -> str:
    return f"{PREFIXE}p{pk}"


def cle_famille_besoin(pk: int) -> str:
    """Portée par les fiches du besoin de premier niveau `pk` ou d'un de ses enfants."""
    return f"{PREFIXE}bf{pk}"


def cle_famille_public(pk: int) -> str:
    return f"{PREFIXE}pf{pk}"


def cle_mode(mode: str) -> str:
    """« sur_place », « a_domicile », « a_distance »."""
    return f"{PREFIXE}m{mode.replace('_', '')}"


def cle_acces(mode: str) -> str:
    return f"{PREFIXE}a{mode.replace('-', '').replace('_', '')}"


def cle_zone(type_: str, code: str) -> str:
    """Une zone d'intervention : type (commune, epci, …) et code INSEE ou SIREN."""
    return f"{PREFIXE}z{type_[0]}{code}".lower()


CLE_PARTOUT = f"{PREFIXE}partout"  # à distance et sans zone : joignable de partout

# Une aide (droit, allocation : `referentiels.est_une_aide`), à part des services.
CLE_AIDE = f"{PREFIXE}droit"


def cle_aide_pour(pk: int) -> str:
    """Portée par une aide qui aide à payer les services du besoin `pk`."""
    return f"{PREFIXE}dp{pk}"


def _maille(niveau: int, lat: float, lon: float) -> tuple[int, int]:
    cote = MAILLES[niveau]
    return int((lon + 180) // cote), int((lat + 90) // cote)


def _cle_maille(niveau: int, x: int, y: int) -> str:
    return f"{PREFIXE}g{niveau}x{x}y{y}"


def cles_point(lat: float, lon: float) -> set[str]:
    """Les mailles de chaque niveau qui contiennent le point."""
    return {_cle_maille(niveau, *_maille(niveau, lat, lon)) for niveau in range(len(MAILLES))}


def cles_cercle(lat: float, lon: float, km: float) -> tuple[str, ...]:
    """Les mailles du niveau le plus fin qui couvrent le cercle en peu de mailles."""
    sud, nord, ouest, est = boite(lat, lon, km)
    ouest, est = max(ouest, -180.0), min(est, 180.0 - 1e-9)
    sud, nord = max(sud, -90.0), min(nord, 90.0 - 1e-9)
    for niveau in range(len(MAILLES)):
        (x0, y0), (x1, y1) = _maille(niveau, sud, ouest), _maille(niveau, nord, est)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAILLES_PAR_CERCLE or niveau == len(MAILLES) - 1:
            break
    return tuple(_cle_maille(niveau, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
