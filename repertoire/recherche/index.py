"""Tenue de l'index de recherche : appelée explicitement par les imports, l'admin et
la commande `reindexer`, jamais par un signal (une fiche importée par lots ne réindexe
qu'une fois).

Deux entrées, une seule fabrique des lignes d'index (`_ligne`) :

- `indexer_services(ids)` relit les services dans la base (l'administration, `reindexer`, un
  ré-import qui ne sait pas ce qu'un agent a ajouté) ;
- `indexer_fiches(fiches)` indexe ce qu'un écrivain en masse tient déjà en mémoire (l'import
  FINESS pour les fiches qu'il crée), sans rien relire, en temps linéaire.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from django.db import connection, transaction

from core.ecriture_en_masse import inserer, reserver_cles
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
from repertoire.referentiels import CATEGORIES_FINESS, besoins_payes, est_une_aide

TAILLE_LOT = 2000
MODES = ("sur_place", "a_domicile", "a_distance")
COLONNES_INDEX = ("service_id", "nom", "texte", "cles", "joignable_partout")
COLONNES_POINT = ("id", "service_id", "lieu_id", "latitude", "longitude")


@dataclass(slots=True)
class FicheAIndexer:
    """Ce que l'index retient d'un service publié : ses champs, ceux de sa structure, ses
    besoins, publics, zones (clés déjà faites) et lieux géolocalisés (lieu, latitude,
    longitude)."""

    service_id: int
    nom: str
    structure_nom: str
    structure_typologie: str
    categorie_finess: str = ""
    description: str = ""
    resume_falc: str = ""
    accueil_sur_place: bool = True
    accueil_a_domicile: bool = False
    accueil_a_distance: bool = False
    modes_acces: list[str] = field(default_factory=list)
    besoins: list[int] = field(default_factory=list)
    publics: list[int] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    points: list[tuple[int, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Thesaurus:
    """Par modèle (Besoin, Public) : pk → [libellé, libellé du parent] et pk → pk du premier
    niveau (le parent, ou lui-même). Chargé une fois par appel, en deux requêtes par modèle."""

    libelles: dict[type, dict[int, list[str]]]
    racines: dict[type, dict[int, int]]
    # Texte et clés que partagent les services d'une même catégorie, calculés une fois.
    communs: dict[tuple, tuple[str, frozenset[str]]] = field(default_factory=dict)
    slugs_besoins: dict[int, str] = field(default_factory=dict)  # pk → slug, pour les aides

    @classmethod
    def charger(cls) -> "Thesaurus":
        modeles = (Besoin, Public)
        return cls(
            libelles={
                modele: {
                    pk: [libelle, parent or ""]
                    for pk, libelle, parent in modele.objects.values_list(
                        "pk", "libelle", "parent__libelle"
                    )
                }
                for modele in modeles
            },
            racines={
                modele: {
                    pk: parent or pk for pk, parent in modele.objects.values_list("pk", "parent_id")
                }
                for modele in modeles
            },
            slugs_besoins=dict(Besoin.objects.values_list("pk", "slug")),
        )


def indexer_services(
    service_ids: Iterable[int] | None = None,
    *,
    progression: Callable[[int], None] | None = None,
) -> int:
    """Met à jour l'index des services donnés (None : tout l'index, reconstruit), relus dans
    la base. Un service non publié ou supprimé sort de l'index. Renvoie le nombre de fiches
    indexées."""
    moteur = moteur_de_la_base()
    if service_ids is None:
        with transaction.atomic(), connection.cursor() as cursor:
            moteur.vider(cursor)
            _supprimer(cursor, None)
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(service_ids))
    thesaurus = Thesaurus.charger()
    indexees = 0
    for debut in range(0, len(ids), TAILLE_LOT):
        lot = ids[debut : debut + TAILLE_LOT]
        with transaction.atomic():
            _retirer(moteur, lot, neuf=service_ids is None)
            indexees += _ecrire(moteur, _lire(lot, plage=service_ids is None), thesaurus)
        if progression:
            progression(len(lot))
    if service_ids is None:
        with connection.cursor() as cursor:
            moteur.optimiser(cursor)
    return indexees


def indexer_fiches(
    fiches: Sequence[FicheAIndexer], *, thesaurus: Thesaurus | None = None, neuves: bool = False
) -> int:
    """Indexe des services publiés à partir de ce que l'écrivain tient déjà : rien n'est relu.

    `neuves` : les services viennent d'être créés, ils n'ont pas de fiche à retirer d'abord.
    """
    if not fiches:
        return 0
    moteur = moteur_de_la_base()
    with transaction.atomic():
        if not neuves:
            _retirer(moteur, [fiche.service_id for fiche in fiches], neuf=False)
        return _ecrire(moteur, fiches, thesaurus or Thesaurus.charger())


def _retirer(moteur: ModuleType, ids: list[int], *, neuf: bool) -> None:
    """Seules les fiches déjà indexées sont retirées : ni une reconstruction ni un premier
    import n'en ont, et retirer coûtait un tiers du temps d'un lot."""
    if neuf:
        return
    indexees = list(
        IndexService.objects.filter(service_id__in=ids).values_list("service_id", flat=True)
    )
    if indexees:
        with connection.cursor() as cursor:
            moteur.retirer(cursor, indexees)
            _supprimer(cursor, indexees)


def _ecrire(moteur: ModuleType, fiches: Iterable[FicheAIndexer], thesaurus: Thesaurus) -> int:
    """INSERT en masse des fiches et de leurs points (clés réservées pour le R*Tree), puis
    l'index de la base, nourri des mêmes lignes."""
    lignes, points = [], []
    for fiche in fiches:
        lignes.append(_ligne(fiche, thesaurus))
        points += [(fiche.service_id, lieu, lat, lon) for lieu, lat, lon in fiche.points]
    if not lignes:
        return 0
    points = [
        (cle, *p) for cle, p in zip(reserver_cles(PointService, len(points)), points, strict=True)
    ]
    inserer(IndexService, COLONNES_INDEX, lignes)
    inserer(PointService, COLONNES_POINT, points)
    with connection.cursor() as cursor:
        moteur.ajouter(cursor, lignes, points)
    return len(lignes)


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


_TYPOLOGIES = dict(Structure.Typologie.choices)


def _ligne(fiche: FicheAIndexer, thesaurus: Thesaurus) -> tuple[int, str, str, str, bool]:
    """La ligne d'index d'un service (COLONNES_INDEX) : nom, texte et clés (ADR 0004)."""
    partout = fiche.accueil_a_distance and not fiche.zones
    commun = (
        fiche.structure_typologie,
        fiche.categorie_finess,
        tuple(sorted(fiche.besoins)),
        tuple(sorted(fiche.publics)),
        tuple(fiche.modes_acces or ()),
        (fiche.accueil_sur_place, fiche.accueil_a_domicile, fiche.accueil_a_distance),
        fiche.description,
        fiche.resume_falc,
    )
    if commun not in thesaurus.communs:
        thesaurus.communs[commun] = _texte_et_cles(*commun, thesaurus=thesaurus)
    texte, cles_communes = thesaurus.communs[commun]
    cles = {
        *cles_communes,
        *fiche.zones,
        *(cle for _, lat, lon in fiche.points for cle in expression.cles_point(lat, lon)),
        *([expression.CLE_PARTOUT] if partout else []),
    }
    return (
        fiche.service_id,
        expression.texte_indexe(fiche.nom)[:320],
        # Le nom de la structure pèse comme le texte, moins que le nom du service : « portage
        # de repas » ne classe pas un EHPAD d'un CCAS nommé pour son portage parmi les noms.
        f"{texte} {expression.texte_indexe(fiche.structure_nom)}".strip(),
        " ".join(sorted(cles)),
        partout,
    )


def _texte_et_cles(
    typologie: str,
    categorie: str,
    besoins: tuple[int, ...],
    publics: tuple[int, ...],
    modes_acces: tuple[str, ...],
    modes: tuple[bool, bool, bool],
    description: str,
    resume_falc: str,
    *,
    thesaurus: Thesaurus,
) -> tuple[str, frozenset[str]]:
    """Ce qui, dans la ligne d'index, ne dépend ni du nom, ni des zones, ni des lieux."""
    libelles, racines = thesaurus.libelles, thesaurus.racines
    cles = {
        *(expression.cle_besoin(b) for b in besoins),
        *(expression.cle_famille_besoin(racines[Besoin][b]) for b in besoins),
        *(expression.cle_public(p) for p in publics),
        *(expression.cle_famille_public(racines[Public][p]) for p in publics),
        *(expression.cle_acces(mode) for mode in modes_acces),
        *(expression.cle_mode(m) for m, oui in zip(MODES, modes, strict=True) if oui),
        *_cles_aide(besoins, thesaurus),
    }
    texte = [
        _TYPOLOGIES.get(typologie, ""),
        _categorie(categorie),
        *(libelle for b in besoins for libelle in libelles[Besoin][b]),
        *(libelle for p in publics for libelle in libelles[Public][p]),
        description,
        resume_falc,
    ]
    return expression.texte_indexe(" ".join(filter(None, texte))), frozenset(cles)


def _cles_aide(besoins: tuple[int, ...], thesaurus: Thesaurus) -> set[str]:
    """Une aide (APA, ASH… : `referentiels.est_une_aide`) porte la clé qui la met à part des
    services, et une clé par besoin dont elle aide à payer les services : ce que cherche le
    bloc « Aides pour payer »."""
    slugs = {thesaurus.slugs_besoins[b] for b in besoins if b in thesaurus.slugs_besoins}
    if not est_une_aide(slugs):
        return set()
    pks = {slug: pk for pk, slug in thesaurus.slugs_besoins.items()}
    payes = (pks[slug] for slug in besoins_payes(slugs) if slug in pks)
    return {expression.CLE_AIDE, *(expression.cle_aide_pour(pk) for pk in payes)}


def _lire(ids: list[int], *, plage: bool = False) -> list[FicheAIndexer]:
    """Les services publiés du lot, relus en quelques requêtes plates (pas d'objets liés),
    rangés par un dict. `plage` : le lot est une suite de services consécutifs (reconstruction
    complète), lue par un intervalle de clés plutôt que par une liste de 2 000 identifiants."""
    plage_ou_liste = {"gte": ids[0], "lte": ids[-1]} if plage else {"in": ids}
    filtre = {f"service_id__{lookup}": v for lookup, v in plage_ou_liste.items()}
    services = Service.objects.publies().filter(
        **{f"pk__{lookup}": v for lookup, v in plage_ou_liste.items()}
    )
    fiches = {
        s["pk"]: FicheAIndexer(
            service_id=s["pk"],
            nom=s["nom"],
            structure_nom=s["structure__nom"],
            structure_typologie=s["structure__typologie"],
            categorie_finess=s["categorie_finess"],
            description=s["description"],
            resume_falc=s["resume_falc"],
            accueil_sur_place=s["accueil_sur_place"],
            accueil_a_domicile=s["accueil_a_domicile"],
            accueil_a_distance=s["accueil_a_distance"],
            modes_acces=s["modes_acces"] or [],
        )
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
        )
    }
    for service_id, besoin in Service.besoins.through.objects.filter(**filtre).values_list(
        "service_id", "besoin_id"
    ):
        if service_id in fiches:
            fiches[service_id].besoins.append(besoin)
    for service_id, public in Service.publics.through.objects.filter(**filtre).values_list(
        "service_id", "public_id"
    ):
        if service_id in fiches:
            fiches[service_id].publics.append(public)
    for service_id, type_, code in ZoneIntervention.objects.filter(**filtre).values_list(
        "service_id", "type", "code"
    ):
        if service_id in fiches:
            fiches[service_id].zones.append(expression.cle_zone(type_, code))
    for service_id, lieu_id, lat, lon in Lieu.services.through.objects.filter(
        **filtre, lieu__latitude__isnull=False, lieu__longitude__isnull=False
    ).values_list("service_id", "lieu_id", "lieu__latitude", "lieu__longitude"):
        if service_id in fiches:
            fiches[service_id].points.append((lieu_id, lat, lon))
    return list(fiches.values())


def _categorie(code: str) -> str:
    categorie = CATEGORIES_FINESS.get(code)
    return categorie.libelle if categorie else ""
