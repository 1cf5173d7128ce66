"""Détection des doublons de services, par blocs : jamais toutes les paires.

Deux services sont proposés comme doublons (issue 11, § 5) quand leurs noms sont proches et
que leurs adresses le sont aussi, ou quand une source les dit être le même établissement :

- **même établissement FINESS** (un lieu au numéro FINESS ET commun) ou **même SIRET** (le
  SIRET nomme un établissement, un site) : noms proches à SEUIL_IDENTIFIANT ;
- **même commune** d'un de leurs lieux : noms proches à SEUIL_NOM ;
- **lieux voisins** (à moins de PROCHE_M mètres, d'une commune à l'autre) : SEUIL_NOM.

La proximité des noms est `rapidfuzz.fuzz.ratio` (distance d'édition, sur 100) entre les clés
de `doublons.noms` ; deux noms aux nombres différents (« Antenne 1 », « Antenne 2 ») ne sont
jamais proches. Seuls les services d'un même bloc (commune, SIRET, FINESS, maille de PROCHE_M
mètres avec ses voisines) sont comparés, dans rapidfuzz (C++), par `process.extract`.

Idempotente et sûre en parallèle : une paire déjà connue (à examiner, fusionnée ou déclarée
distincte) n'est pas recréée ; la contrainte d'unicité de la paire tranche entre deux
détections simultanées (INSERT … ON CONFLICT DO NOTHING).
"""

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from tqdm import tqdm

from doublons.models import Candidat
from doublons.noms import cle_du_nom, nombres_du_nom
from repertoire.models import Service

SEUIL_NOM = 90
SEUIL_IDENTIFIANT = 75
PROCHE_M = 200
# Mètres par degré de latitude ; d'une longitude, multiplier par le cosinus de la latitude.
METRES_PAR_DEGRE = 111_320
TAILLE_LOT = 2000


@dataclass(slots=True)
class _Fiche:
    pk: int
    cle: str
    nombres: frozenset[str]
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class RapportDetection:
    services: int = 0
    blocs: int = 0
    paires: int = 0
    nouvelles: int = 0
    deja_proposees: int = 0
    ecartees: int = 0  # déjà fusionnées ou déclarées distinctes : jamais reproposées
    secondes: float = 0.0

    def resume(self) -> str:
        return (
            f"{self.services} services examinés en {self.blocs} blocs, {self.paires} paires "
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


def services_candidats() -> Iterable[Service]:
    """Les services comparés : ni archivés ni déjà fusionnés."""
    return Service.objects.filter(fusionne_dans__isnull=True).exclude(statut=Service.Statut.ARCHIVE)


def detecter_doublons(
    *,
    services: Iterable[int] | None = None,
    depuis: dt.datetime | None = None,
    progression: bool = False,
) -> RapportDetection:
    """Cherche les doublons possibles et enregistre les nouvelles paires « à examiner ».

    `services` : ne chercher que les doublons de ces services (une création) ; `depuis` : de
    ceux créés ou modifiés depuis ce moment (après un import) ; sinon, de tous (la tâche
    périodique)."""
    debut = time.perf_counter()
    cibles = set(services) if services is not None else None
    if depuis is not None:
        ecrits = services_candidats().filter(modifie_le__gte=depuis).values_list("pk", flat=True)
        cibles = (cibles or set()) | set(ecrits)
    if cibles is not None and not cibles:
        return RapportDetection()
    fiches, blocs = _blocs()
    trouvees: dict[tuple[int, int], tuple[set[str], int]] = {}
    a_comparer = [
        b for b in blocs if cibles is None or any(f.pk in cibles for f in b.fiches + b.voisines)
    ]
    for bloc in tqdm(a_comparer, disable=not progression, desc="Comparaison", mininterval=2):
        for a, b, score in _paires_du_bloc(bloc, cibles):
            motifs, meilleur = trouvees.setdefault((a, b), (set(), 0))
            motifs.add(bloc.motif)
            trouvees[(a, b)] = (motifs, max(meilleur, score))
    rapport = RapportDetection(services=len(fiches), blocs=len(a_comparer))
    _enregistrer(trouvees, fiches, rapport)
    rapport.secondes = time.perf_counter() - debut
    return rapport


def _blocs() -> tuple[dict[int, _Fiche], list[_Bloc]]:
    """Les fiches (une requête pour les services, une pour leurs lieux) rangées par bloc."""
    fiches: dict[int, _Fiche] = {}
    par_siret: dict[str, list[_Fiche]] = defaultdict(list)
    for pk, nom, siret in services_candidats().values_list("pk", "nom", "structure__siret"):
        fiches[pk] = fiche = _Fiche(pk, cle_du_nom(nom), nombres_du_nom(nom))
        if siret:
            par_siret[siret].append(fiche)
    par_commune: dict[str, dict[int, _Fiche]] = defaultdict(dict)
    par_finess: dict[str, dict[int, _Fiche]] = defaultdict(dict)
    par_maille: dict[tuple[int, int], dict[int, _Fiche]] = defaultdict(dict)
    liens = Service.lieux.through.objects.values_list(
        "service_id", "lieu__commune_id", "lieu__latitude", "lieu__longitude", "lieu__finess_et"
    )
    for pk, commune, latitude, longitude, finess_et in liens.iterator(chunk_size=TAILLE_LOT):
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
    blocs = [
        *(
            _Bloc(Candidat.Motif.FINESS, SEUIL_IDENTIFIANT, list(f.values()))
            for f in par_finess.values()
        ),
        *(_Bloc(Candidat.Motif.SIRET, SEUIL_IDENTIFIANT, f) for f in par_siret.values()),
        *(_Bloc(Candidat.Motif.COMMUNE, SEUIL_NOM, list(f.values())) for f in par_commune.values()),
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
            Candidat.Motif.PROXIMITE, SEUIL_NOM, list(fiches.values()), list(voisines.values())
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
    if fiche.nombres and autre.nombres and fiche.nombres != autre.nombres:
        return False
    if bloc.motif == Candidat.Motif.PROXIMITE:
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


def paires_connues() -> dict[tuple[int, int], str]:
    """Les paires déjà enregistrées et leur statut, lues avant d'écrire : une détection
    simultanée peut en ajouter entre cette lecture et l'écriture."""
    lignes = Candidat.objects.values_list("service_a", "service_b", "statut")
    return {(a, b): statut for a, b, statut in lignes.iterator(chunk_size=TAILLE_LOT)}


def _enregistrer(
    trouvees: dict[tuple[int, int], tuple[set[str], int]],
    fiches: dict[int, _Fiche],
    rapport: RapportDetection,
) -> None:
    """Les paires nouvelles, par lots ; une paire insérée entre-temps par une détection
    simultanée est ignorée par la base (contrainte `doublon_paire_unique`)."""
    rapport.paires = len(trouvees)
    connues = paires_connues()
    nouvelles = []
    for (a, b), (motifs, score) in trouvees.items():
        statut = connues.get((a, b))
        if statut == Candidat.Statut.A_EXAMINER:
            rapport.deja_proposees += 1
        elif statut is not None:
            rapport.ecartees += 1
        else:
            distance = distance_m(fiches[a], fiches[b])
            nouvelles.append(
                Candidat(
                    service_a_id=a,
                    service_b_id=b,
                    motifs=sorted(motifs),
                    score=score,
                    distance_m=None if math.isinf(distance) else round(distance),
                )
            )
    Candidat.objects.bulk_create(nouvelles, batch_size=TAILLE_LOT, ignore_conflicts=True)
    rapport.nouvelles = len(nouvelles)
