"""Tenue de l'index de recherche : appelée explicitement par les imports, l'admin et
la commande `reindexer`, jamais par un signal (une fiche importée par lots ne réindexe
qu'une fois)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from types import ModuleType

from django.db import connection, transaction

from repertoire.models import (
    Besoin,
    IndexService,
    Lieu,
    PointService,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche import expression
from repertoire.recherche.moteur import moteur_de_la_base
from repertoire.referentiels import CATEGORIES_FINESS

TAILLE_LOT = 2000
MODES = ("sur_place", "a_domicile", "a_distance")

# Par modèle (Besoin, Public) : pk → [libellé, libellé du parent].
Libelles = dict[type, dict[int, list[str]]]
# Par modèle : pk → pk du premier niveau (le parent, ou lui-même).
Racines = dict[type, dict[int, int]]


def indexer_services(
    service_ids: Iterable[int] | None = None,
    *,
    progression: Callable[[int], None] | None = None,
) -> int:
    """Met à jour l'index des services donnés (None : tout l'index, reconstruit).

    Un service non publié ou supprimé sort de l'index. Renvoie le nombre de fiches indexées.
    """
    moteur = moteur_de_la_base()
    if service_ids is None:
        with transaction.atomic(), connection.cursor() as cursor:
            moteur.vider(cursor)
            _supprimer(cursor, None)
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(service_ids))
    libelles = {
        modele: {
            pk: [libelle, parent or ""]
            for pk, libelle, parent in modele.objects.values_list(
                "pk", "libelle", "parent__libelle"
            )
        }
        for modele in (Besoin, Public)
    }
    racines = {
        modele: {pk: parent or pk for pk, parent in modele.objects.values_list("pk", "parent_id")}
        for modele in (Besoin, Public)
    }
    indexees = 0
    for debut in range(0, len(ids), TAILLE_LOT):
        lot = ids[debut : debut + TAILLE_LOT]
        indexees += _indexer_lot(lot, moteur, libelles, racines)
        if progression:
            progression(len(lot))
    if service_ids is None:
        with connection.cursor() as cursor:
            moteur.optimiser(cursor)
    return indexees


@transaction.atomic
def _indexer_lot(ids: list[int], moteur: ModuleType, libelles: Libelles, racines: Racines) -> int:
    """Seules les fiches déjà indexées sont retirées d'abord : ni une reconstruction ni un
    premier import n'en ont, et retirer coûtait un tiers du temps d'un lot."""
    fiches, points = _fiches(ids, libelles, racines)
    indexees = list(
        IndexService.objects.filter(service_id__in=ids).values_list("service_id", flat=True)
    )
    with connection.cursor() as cursor:
        if indexees:
            moteur.retirer(cursor, indexees)
            _supprimer(cursor, indexees)
        IndexService.objects.bulk_create(fiches)
        PointService.objects.bulk_create(points)
        if fiches:
            moteur.ajouter(cursor, [fiche.service_id for fiche in fiches])
    return len(fiches)


def _supprimer(cursor, service_ids: list[int] | None) -> None:
    """Points puis fiches de ces services (None : tous), en SQL : `QuerySet.delete()`
    chargerait chaque fiche pour suivre la cascade vers ses points."""
    for modele in (PointService, IndexService):
        table = modele._meta.db_table
        if service_ids is None:
            cursor.execute(f"DELETE FROM {table}")
        else:
            liste = ", ".join(["%s"] * len(service_ids))
            cursor.execute(f"DELETE FROM {table} WHERE service_id IN ({liste})", service_ids)


def _fiches(
    ids: list[int], libelles: Libelles, racines: Racines
) -> tuple[list[IndexService], list[PointService]]:
    """Lit les services publiés du lot en quelques requêtes plates (pas d'objets liés)."""
    services = Service.objects.publies().filter(pk__in=ids)
    besoins = _par_service(Service.besoins.through, "besoin", ids)
    publics = _par_service(Service.publics.through, "public", ids)
    zones: dict[int, list[str]] = defaultdict(list)
    for service_id, type_, code in ZoneIntervention.objects.filter(service_id__in=ids).values_list(
        "service_id", "type", "code"
    ):
        zones[service_id].append(expression.cle_zone(type_, code))
    lieux = Lieu.services.through.objects.filter(
        service_id__in=ids, lieu__latitude__isnull=False, lieu__longitude__isnull=False
    ).values_list("service_id", "lieu_id", "lieu__latitude", "lieu__longitude")
    points: dict[int, list[PointService]] = defaultdict(list)
    for service_id, lieu_id, lat, lon in lieux:
        points[service_id].append(
            PointService(service_id=service_id, lieu_id=lieu_id, latitude=lat, longitude=lon)
        )
    typologies = dict(Structure.Typologie.choices)
    fiches = []
    for s in services.values(
        "pk",
        "nom",
        "description",
        "resume_falc",
        "categorie_finess",
        "accueil_sur_place",
        "accueil_a_domicile",
        "accueil_a_distance",
        "modes_acces",
        "structure__nom",
        "structure__typologie",
    ):
        pk = s["pk"]
        partout = s["accueil_a_distance"] and not zones[pk]
        cles = {
            *(expression.cle_besoin(b) for b in besoins[pk]),
            *(expression.cle_famille_besoin(racines[Besoin][b]) for b in besoins[pk]),
            *(expression.cle_public(p) for p in publics[pk]),
            *(expression.cle_famille_public(racines[Public][p]) for p in publics[pk]),
            *(expression.cle_acces(mode) for mode in s["modes_acces"] or []),
            *(expression.cle_mode(m) for m in MODES if s[f"accueil_{m}"]),
            *zones[pk],
            *(cle for p in points[pk] for cle in expression.cles_point(p.latitude, p.longitude)),
            *([expression.CLE_PARTOUT] if partout else []),
        }
        texte = [
            typologies.get(s["structure__typologie"], ""),
            _categorie(s["categorie_finess"]),
            *(libelle for b in besoins[pk] for libelle in libelles[Besoin][b]),
            *(libelle for p in publics[pk] for libelle in libelles[Public][p]),
            s["description"],
            s["resume_falc"],
        ]
        fiches.append(
            IndexService(
                service_id=pk,
                nom=expression.texte_indexe(f"{s['nom']} {s['structure__nom']}")[:320],
                texte=expression.texte_indexe(" ".join(filter(None, texte))),
                cles=" ".join(sorted(cles)),
                joignable_partout=partout,
            )
        )
    publies = {fiche.service_id for fiche in fiches}
    return fiches, [p for service_id in publies for p in points[service_id]]


def _par_service(through, champ: str, ids: list[int]) -> dict[int, list[int]]:
    """Les besoins (ou publics) de chaque service."""
    par_service: dict[int, list[int]] = defaultdict(list)
    for service_id, pk in through.objects.filter(service_id__in=ids).values_list(
        "service_id", f"{champ}_id"
    ):
        par_service[service_id].append(pk)
    return par_service


def _categorie(code: str) -> str:
    categorie = CATEGORIES_FINESS.get(code)
    return categorie.libelle if categorie else ""
