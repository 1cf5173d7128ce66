"""Détection des doublons de services et de structures, par blocs : jamais toutes les paires.

Deux services sont proposés comme doublons (issue 11, § 5) quand leurs noms sont proches et
que leurs adresses le sont aussi, ou quand une source les dit être le même établissement :

- **même établissement FINESS** (un lieu au numéro FINESS ET commun) ou **même SIRET** (le
  SIRET nomme un établissement, un site) : noms proches à SEUIL_IDENTIFIANT ;
- **même commune** d'un de leurs lieux : noms proches à SEUIL_NOM ;
- **lieux voisins** (à moins de PROCHE_M mètres, d'une commune à l'autre) : SEUIL_NOM.

Deux structures le sont quand elles ont **le même SIRET** ou **le même FINESS juridique**
(celui de la fiche ou celui d'une provenance FINESS), quels que soient leurs noms (un
identifiant nomme un organisme), ou des noms proches dans une même commune ou à des lieux
voisins (SEUIL_NOM), comme les services.

La proximité des noms est `rapidfuzz.fuzz.ratio` (distance d'édition, sur 100) entre les clés
de `doublons.noms` ; deux noms aux nombres différents (« Antenne 1 », « Antenne 2 ») ne sont
jamais proches. Seules les fiches d'un même bloc (commune, identifiant, maille de PROCHE_M
mètres avec ses voisines) sont comparées, dans rapidfuzz (C++), par `process.extract`.

Idempotente et sûre en parallèle : une paire déjà connue (à examiner, fusionnée ou déclarée
distincte) n'est pas recréée ; la contrainte d'unicité de la paire tranche entre deux
détections simultanées (INSERT … ON CONFLICT DO NOTHING).
"""

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet, Value
from rapidfuzz import fuzz, process
from tqdm import tqdm

from doublons.models import Candidat, CandidatStructure, Paire
from doublons.noms import cle_du_nom, nombres_du_nom
from repertoire.models import Lieu, Provenance, Service, Structure

SEUIL_NOM = 90
SEUIL_IDENTIFIANT = 75
# Deux structures au même SIRET ou au même FINESS juridique : proposées quels que soient
# leurs noms (un identifiant nomme un organisme, « CCAS » et « Mairie — action sociale »).
TOUS = 0
PROCHE_M = 200
# Mètres par degré de latitude ; d'une longitude, multiplier par le cosinus de la latitude.
METRES_PAR_DEGRE = 111_320
TAILLE_LOT = 2000

# Une fiche à comparer : (clé, nom, [(motif, identifiant)]) ; un de ses lieux : (clé de la
# fiche, commune, latitude, longitude, numéro FINESS ET).
LigneFiche = tuple[int, str, list[tuple[str, str]]]
LigneLieu = tuple[int, str | None, float | None, float | None, str]


@dataclass(slots=True)
class _Fiche:
    pk: int
    cle: str
    nombres: frozenset[str]
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class RapportDetection:
    fiches: int = 0
    blocs: int = 0
    paires: int = 0
    nouvelles: int = 0
    deja_proposees: int = 0
    ecartees: int = 0  # déjà fusionnées ou déclarées distinctes : jamais reproposées
    secondes: float = 0.0
    examinees: str = "services examinés"

    def resume(self) -> str:
        return (
            f"{self.fiches} {self.examinees} en {self.blocs} blocs, {self.paires} paires "
            f"de doublons possibles : {self.nouvelles} nouvelles, {self.deja_proposees} déjà "
            f"proposées, {self.ecartees} déjà tranchées (fusionnées ou distinctes) ; "
            f"{self.secondes:.1f} s."
        )


@dataclass
class _Bloc:
    motif: str
    seuil: int
    fiches: list[_Fiche]
    voisines: list[_Fiche] = field(default_factory=list)  # mailles voisines (PROXIMITE)


@dataclass(frozen=True)
class _Genre:
    """Ce que compare une détection : les fiches candidates, leurs noms et identifiants, leurs
    lieux, la paire à enregistrer."""

    paire: type[Paire]
    examinees: str
    seuil_identifiant: int
    candidates: Callable[[], QuerySet]
    fiches: Callable[[QuerySet], Iterable[LigneFiche]]
    lieux: Callable[[], Iterable[LigneLieu]]


def services_candidats() -> QuerySet[Service]:
    """Les services comparés : ni archivés ni déjà fusionnés."""
    return Service.objects.filter(fusionne_dans__isnull=True).exclude(statut=Service.Statut.ARCHIVE)


def structures_candidates() -> QuerySet[Structure]:
    """Les structures comparées : celles qui ne sont pas déjà fusionnées dans une autre."""
    return Structure.objects.filter(fusionnee_dans__isnull=True)


def _fiches_services(services: QuerySet) -> Iterator[LigneFiche]:
    for pk, nom, siret in services.values_list("pk", "nom", "structure__siret"):
        yield pk, nom, [(Paire.Motif.SIRET, siret)] if siret else []


def _lieux_services() -> Iterable[LigneLieu]:
    return Service.lieux.through.objects.values_list(
        "service_id", "lieu__commune_id", "lieu__latitude", "lieu__longitude", "lieu__finess_et"
    ).iterator(chunk_size=TAILLE_LOT)


def _fiches_structures(structures: QuerySet) -> Iterator[LigneFiche]:
    """Le FINESS juridique d'une structure est le sien, ou celui d'une provenance FINESS (la
    contrainte d'unicité interdit à deux fiches de porter le même : un numéro corrigé à la
    main laisse l'ancien dans la provenance de l'autre)."""
    provenances = defaultdict(set)
    lignes = Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(Structure), source="finess"
    ).values_list("object_id", "identifiant")
    for pk, ej in lignes.iterator(chunk_size=TAILLE_LOT):
        provenances[pk].add(ej)
    for pk, nom, siret, ej in structures.values_list("pk", "nom", "siret", "finess_ej"):
        identifiants = [(Paire.Motif.FINESS_EJ, e) for e in sorted(provenances[pk] | {ej}) if e]
        yield pk, nom, identifiants + ([(Paire.Motif.SIRET, siret)] if siret else [])


def _lieux_structures() -> Iterable[LigneLieu]:
    # Un lieu n'est qu'à une structure : son numéro ET ne rapproche pas deux structures.
    return Lieu.objects.values_list(
        "structure_id", "commune_id", "latitude", "longitude", Value("")
    ).iterator(chunk_size=TAILLE_LOT)


SERVICES = _Genre(
    Candidat,
    "services examinés",
    SEUIL_IDENTIFIANT,
    services_candidats,
    _fiches_services,
    _lieux_services,
)
STRUCTURES = _Genre(
    CandidatStructure,
    "structures examinées",
    TOUS,
    structures_candidates,
    _fiches_structures,
    _lieux_structures,
)


def detecter_doublons(
    *,
    services: Iterable[int] | None = None,
    depuis: dt.datetime | None = None,
    progression: bool = False,
) -> RapportDetection:
    """Cherche les services en double et enregistre les nouvelles paires « à examiner ».

    `services` : ne chercher que les doublons de ces services (une création) ; `depuis` : de
    ceux créés ou modifiés depuis ce moment (après un import) ; sinon, de tous (la tâche
    périodique)."""
    return _detecter(SERVICES, cibles=services, depuis=depuis, progression=progression)


def detecter_doublons_de_structures(
    *,
    structures: Iterable[int] | None = None,
    depuis: dt.datetime | None = None,
    progression: bool = False,
) -> RapportDetection:
    """Cherche les structures en double (même SIRET, même FINESS juridique, ou nom proche à
    une adresse proche), comme `detecter_doublons` les services."""
    return _detecter(STRUCTURES, cibles=structures, depuis=depuis, progression=progression)


def _detecter(
    genre: _Genre,
    *,
    cibles: Iterable[int] | None,
    depuis: dt.datetime | None,
    progression: bool,
) -> RapportDetection:
    debut = time.perf_counter()
    cibles = set(cibles) if cibles is not None else None
    if depuis is not None:
        ecrites = genre.candidates().filter(modifie_le__gte=depuis).values_list("pk", flat=True)
        cibles = (cibles or set()) | set(ecrites)
    if cibles is not None and not cibles:
        return RapportDetection(examinees=genre.examinees)
    fiches, blocs = _blocs(genre)
    trouvees: dict[tuple[int, int], tuple[set[str], int]] = {}
    a_comparer = [
        b for b in blocs if cibles is None or any(f.pk in cibles for f in b.fiches + b.voisines)
    ]
    for bloc in tqdm(a_comparer, disable=not progression, desc="Comparaison", mininterval=2):
        for a, b, score in _paires_du_bloc(bloc, cibles):
            motifs, meilleur = trouvees.setdefault((a, b), (set(), 0))
            motifs.add(bloc.motif)
            trouvees[(a, b)] = (motifs, max(meilleur, score))
    rapport = RapportDetection(fiches=len(fiches), blocs=len(a_comparer), examinees=genre.examinees)
    _enregistrer(genre.paire, trouvees, fiches, rapport)
    rapport.secondes = time.perf_counter() - debut
    return rapport


def _blocs(genre: _Genre) -> tuple[dict[int, _Fiche], list[_Bloc]]:
    """Les fiches (une requête pour les fiches, une pour leurs lieux) rangées par bloc."""
    fiches: dict[int, _Fiche] = {}
    par_identifiant: dict[tuple[str, str], list[_Fiche]] = defaultdict(list)
    for pk, nom, identifiants in genre.fiches(genre.candidates()):
        fiches[pk] = fiche = _Fiche(pk, cle_du_nom(nom), nombres_du_nom(nom))
        for motif_et_numero in identifiants:
            par_identifiant[motif_et_numero].append(fiche)
    par_commune: dict[str, dict[int, _Fiche]] = defaultdict(dict)
    par_finess: dict[str, dict[int, _Fiche]] = defaultdict(dict)
    par_maille: dict[tuple[int, int], dict[int, _Fiche]] = defaultdict(dict)
    for pk, commune, latitude, longitude, finess_et in genre.lieux():
        fiche = fiches.get(pk)
        if fiche is None:
            continue
        if commune:
            par_commune[commune][pk] = fiche
        if finess_et:
            par_finess[finess_et][pk] = fiche
        if latitude is not None and longitude is not None:
            fiche.points.append((latitude, longitude))
            par_maille[_maille(latitude, longitude)][pk] = fiche
    seuil = genre.seuil_identifiant
    blocs = [
        *(_Bloc(Paire.Motif.FINESS, seuil, list(f.values())) for f in par_finess.values()),
        *(_Bloc(motif, seuil, f) for (motif, _), f in par_identifiant.items()),
        *(_Bloc(Paire.Motif.COMMUNE, SEUIL_NOM, list(f.values())) for f in par_commune.values()),
        *_blocs_de_proximite(par_maille),
    ]
    return fiches, [bloc for bloc in blocs if len(bloc.fiches) + len(bloc.voisines) > 1]


def _maille(latitude: float, longitude: float) -> tuple[int, int]:
    """La maille de PROCHE_M mètres de côté qui contient le point."""
    y = latitude * METRES_PAR_DEGRE
    x = longitude * METRES_PAR_DEGRE * math.cos(math.radians(latitude))
    return int(x // PROCHE_M), int(y // PROCHE_M)


# Chaque maille est comparée à elle-même et à quatre voisines : les huit voisines sont ainsi
# toutes vues une fois, sans comparer deux fois la même paire de mailles.
_VOISINES = ((1, -1), (1, 0), (1, 1), (0, 1))


def _blocs_de_proximite(par_maille: dict[tuple[int, int], dict[int, _Fiche]]) -> Iterator[_Bloc]:
    for (x, y), fiches in par_maille.items():
        voisines = {}
        for dx, dy in _VOISINES:
            voisines.update(par_maille.get((x + dx, y + dy), {}))
        yield _Bloc(
            Paire.Motif.PROXIMITE, SEUIL_NOM, list(fiches.values()), list(voisines.values())
        )


def _paires_du_bloc(bloc: _Bloc, cibles: set[int] | None) -> Iterator[tuple[int, int, int]]:
    """(petite clé, grande clé, score) de chaque paire proche du bloc. Sans cibles, chaque
    fiche est comparée aux suivantes du bloc et aux mailles voisines ; avec, chaque cible à
    toutes les autres."""
    tout = bloc.fiches + bloc.voisines
    cles = [fiche.cle for fiche in tout]
    for rang, fiche in enumerate(bloc.fiches):
        if cibles is not None and fiche.pk not in cibles:
            continue
        debut = 0 if cibles is not None else rang + 1
        resultats = process.extract(
            fiche.cle, cles[debut:], scorer=fuzz.ratio, score_cutoff=bloc.seuil, limit=None
        )
        for _, score, indice in resultats:
            autre = tout[debut + indice]
            if autre.pk == fiche.pk or not _compatibles(fiche, autre, bloc):
                continue
            yield min(fiche.pk, autre.pk), max(fiche.pk, autre.pk), round(score)
    if cibles is not None:
        # Une cible dans une maille voisine : comparée aux fiches de ce bloc-ci.
        for fiche in bloc.voisines:
            if fiche.pk in cibles:
                yield from _paires_du_bloc(
                    _Bloc(bloc.motif, bloc.seuil, [fiche], bloc.fiches), cibles
                )


def _compatibles(fiche: _Fiche, autre: _Fiche, bloc: _Bloc) -> bool:
    if bloc.seuil == TOUS:
        return True
    if fiche.nombres and autre.nombres and fiche.nombres != autre.nombres:
        return False
    if bloc.motif == Paire.Motif.PROXIMITE:
        return distance_m(fiche, autre) <= PROCHE_M
    return True


def distance_m(fiche: _Fiche, autre: _Fiche) -> float:
    """La plus courte distance entre les lieux des deux fiches (haversine) ; infinie sans
    coordonnées."""
    meilleure = math.inf
    for lat1, lon1 in fiche.points:
        for lat2, lon2 in autre.points:
            p1, p2 = math.radians(lat1), math.radians(lat2)
            h = (
                math.sin((p2 - p1) / 2) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
            )
            meilleure = min(meilleure, 2 * 6_371_000 * math.asin(math.sqrt(h)))
    return meilleure


def paires_connues(paire: type[Paire]) -> dict[tuple[int, int], str]:
    """Les paires déjà enregistrées et leur statut, lues avant d'écrire : une détection
    simultanée peut en ajouter entre cette lecture et l'écriture."""
    lignes = paire.objects.values_list(*paire.FICHES, "statut")
    return {(a, b): statut for a, b, statut in lignes.iterator(chunk_size=TAILLE_LOT)}


def _enregistrer(
    paire: type[Paire],
    trouvees: dict[tuple[int, int], tuple[set[str], int]],
    fiches: dict[int, _Fiche],
    rapport: RapportDetection,
) -> None:
    """Les paires nouvelles, par lots ; une paire insérée entre-temps par une détection
    simultanée est ignorée par la base (contrainte d'unicité de la paire)."""
    rapport.paires = len(trouvees)
    connues = paires_connues(paire)
    champ_a, champ_b = (f"{nom}_id" for nom in paire.FICHES)
    nouvelles = []
    for (a, b), (motifs, score) in trouvees.items():
        statut = connues.get((a, b))
        if statut == Paire.Statut.A_EXAMINER:
            rapport.deja_proposees += 1
        elif statut is not None:
            rapport.ecartees += 1
        else:
            distance = distance_m(fiches[a], fiches[b])
            nouvelles.append(
                paire(
                    **{champ_a: a, champ_b: b},
                    motifs=sorted(motifs),
                    score=score,
                    distance_m=None if math.isinf(distance) else round(distance),
                )
            )
    paire.objects.bulk_create(nouvelles, batch_size=TAILLE_LOT, ignore_conflicts=True)
    rapport.nouvelles = len(nouvelles)
