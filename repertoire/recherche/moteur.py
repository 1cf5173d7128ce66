"""Le moteur : comprend la saisie, la traduit en expressions de l'index, explique.

Une recherche entière (mots, besoin, public, modes, lieu) devient une expression booléenne
sur les mots et les clés des fiches (`expression`), que l'index plein texte de la base évalue
seul (FTS5 sur SQLite, tsvector et GIN sur PostgreSQL) ; le SQL autour, commun aux deux
bases, ne fait que compter, mesurer les distances et trier peu de lignes : voir `executer`.
"""

import datetime as dt
import math
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from django.db import connection
from django.utils import timezone

from core.bases import pour_lire
from repertoire import thesaurus_en_memoire
from repertoire.horaires import MINUIT, est_ferie
from repertoire.models import ModeAcces, Service, ZoneIntervention
from repertoire.recherche import geo, postgresql, sqlite
from repertoire.recherche.expression import (
    CLE_AIDE,
    CLE_PARTOUT,
    PREFIXE,
    Cles,
    Et,
    Mots,
    Sauf,
    cle_acces,
    cle_besoin,
    cle_famille_besoin,
    cle_famille_public,
    cle_mode,
    cle_public,
    cle_zone,
    cles_cercle,
    et,
    ou,
    texte_indexe,
)
from repertoire.recherche.types import BesoinVoisin, Critere, PageResultats, Resultat
from repertoire.referentiels import DROITS, FAMILLE_DES_DROITS
from repertoire.selectors import (
    MOTS_ORDINAIRES,
    besoin_et_descendants,
    besoins_et_reste,
    besoins_proches,
    publics_du_texte,
)
from territoires.models import Commune
from territoires.selectors import LieuDuTexte, commune_dans_texte, commune_saisie

RAYON_PAR_DEFAUT_KM = 10.0
RAYON_MAX_KM = 200.0
RAYON_MIN_KM = 0.1  # la page et l'API refusent en deçà (`forms_recherche`, `schemas`)
LONGUEUR_MAX = 200
MOTS_MAX = 8
LONGUEUR_MOT_CORRIGE = (3, 30)  # en deçà, trop de voisins ; au-delà, ce n'est pas un mot
CORRECTIONS_MAX = 5
PAR_PAGE_MAX = 100
TOTAL_MAX = 1000  # au-delà, « plus de 1 000 résultats » : compter tout coûterait plus que la page
MOTS_VIDES = frozenset(
    {"a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l"}
    | {"la", "le", "les", "leur", "ma", "mes", "mon", "ou", "par", "pour", "qui", "sa", "ses"}
    | {"son", "sur", "un", "une"}
    # Les mots d'une phrase du quotidien qui ne disent rien du service cherché (« mon fils de
    # 6 ans qui ne peut plus… », « je cherche… ») : jamais exigés.
    | {"ans", "an", "mois", "ne", "plus", "peut", "pas", "que", "je", "il", "elle", "est"}
    | {"cherche", "besoin", "voudrais", "aimerais", "faut", "trouver", "quelqu"}
)
MODES_ACCUEIL = {"sur-place": "sur_place", "a-domicile": "a_domicile", "a-distance": "a_distance"}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def moteur_de_la_base() -> ModuleType:
    return postgresql if connection.vendor == "postgresql" else sqlite


# --- La saisie comprise -----------------------------------------------------------------------


@dataclass
class Requete:
    """Ce que le SQL reçoit : la saisie validée, corrigée et traduite en identifiants."""

    groupes: list[list[str]] = field(default_factory=list)  # un groupe d'alternatives par mot
    texte_lu: str = ""  # la saisie telle que cherchée : corrigée, sans les mots ignorés
    # Les mots ne disent rien de plus que les besoins reconnus (« maison de retraite ») : les
    # contenir ne classe pas une fiche avant une autre qui a le besoin (voir `score`).
    texte_explique: bool = False
    termes: list[list[str]] = field(default_factory=list)  # les mêmes, tels que l'index les cherche
    besoins_du_texte: dict[int, str] = field(default_factory=dict)  # pk → libellé
    besoins_nommes: list[str] = field(default_factory=list)  # slugs que la saisie nomme
    publics_du_texte: list[str] = field(default_factory=list)  # slugs lus dans la saisie
    mots_des_publics: list[str] = field(default_factory=list)  # les mots qui les disaient
    besoins: dict[int, str] | None = None
    publics: list[int] | None = None
    # Les mêmes en clés de l'index (`_cles_familles`) : None, pas de filtre.
    cles_besoins_du_texte: Cles | None = None
    # Les besoins que nomme la saisie et leurs enfants, sans les besoins « voir aussi » qui
    # élargissent la recherche (« PFR » : la plateforme de répit avant l'accueil temporaire).
    # None quand ils ne diffèrent pas des précédents.
    cles_besoins_exacts: Cles | None = None
    cles_besoins: Cles | None = None
    cles_publics: Cles | None = None
    mode_accueil: str = ""
    mode_acces: str = ""
    position: tuple[float, float] | None = None
    rayon_km: float = RAYON_PAR_DEFAUT_KM
    commune: Commune | None = None
    ouvert_le: dt.datetime | None = None
    messages: list[str] = field(default_factory=list)
    # Les aides (APA, ASH…) hors des résultats : la saisie n'en nomme aucune (`_aides_a_part`).
    aides_a_part: bool = False


class SaisieIncomprise(Exception):
    """La saisie ne peut donner aucun résultat ; le message est montré tel quel."""


def comprendre(critere: Critere, requete: Requete) -> None:
    """Remplit la requête ; lève SaisieIncomprise quand rien ne peut correspondre."""
    if lieu := _lieu_du_texte(critere):
        critere = replace(critere, q=lieu.reste)
    _comprendre_texte(critere.q, requete)
    if lieu:
        _placer(lieu.commune, critere.rayon_km, requete)
        requete.messages.append(f"Lieu compris dans votre saisie : {lieu.commune}.")
    else:
        _comprendre_lieu(critere, requete)
    if critere.besoin:
        requete.besoins, requete.cles_besoins = _besoins(besoin_et_descendants(critere.besoin))
        if not requete.besoins:
            raise SaisieIncomprise(f"Le besoin « {critere.besoin[:80]} » n'existe pas.")
    if critere.public:
        requete.publics, requete.cles_publics = _publics(critere.public)
        if not requete.publics:
            raise SaisieIncomprise(f"Le public « {critere.public[:80]} » n'existe pas.")
    elif requete.publics_du_texte:
        # « mon fils autiste » : le public lu filtre, comme le choix de la liste ; sans
        # réponse, la recherche est refaite sans lui (`rechercher`).
        requete.publics, _ = _publics(*requete.publics_du_texte)
        # « enfant sourd » : un enfant ET sourd ; sans réponse, l'un ou l'autre, puis aucun.
        requete.cles_publics = et(*(_publics(slug)[1] for slug in requete.publics_du_texte))
        libelles = thesaurus_en_memoire.publics().par_slug
        noms = ", ".join(
            f"« {libelles[s].libelle} »" for s in requete.publics_du_texte if s in libelles
        )
        requete.messages.append(f"Public compris dans votre saisie : {noms}.")
    requete.mode_accueil = _choix(critere.mode_accueil, MODES_ACCUEIL, "mode d'accueil", requete)
    requete.mode_acces = _choix(critere.mode_acces, ModeAcces.values, "mode d'accès", requete)
    requete.ouvert_le = critere.ouvert_le
    requete.aides_a_part = _aides_a_part(requete)


def _choix(valeur: str, permis, nom: str, requete: Requete) -> str:
    if valeur and valeur not in permis:
        requete.messages.append(f"Le {nom} « {valeur[:80]} » est inconnu ; il est ignoré.")
        return ""
    return valeur


def _vide(mot: str) -> bool:
    return mot in MOTS_VIDES or len(mot) <= 1


def mots_de(texte: str) -> list[str]:
    """Minuscules sans accents, découpés comme le fait l'index, sans mots vides."""
    mots = texte_indexe(texte).split()
    return list(dict.fromkeys(m for m in mots if not _vide(m)))


def _racine(mot: str) -> str:
    """Pluriel retiré (« aidants » → « aidant ») : le mot sert ensuite de préfixe."""
    return mot[:-1] if len(mot) > 4 and mot[-1] in "sx" else mot


def _comprendre_texte(saisie: str, requete: Requete) -> None:
    texte = saisie.strip()
    if len(texte) > LONGUEUR_MAX:
        texte = texte[:LONGUEUR_MAX]
        requete.messages.append(f"La recherche a été raccourcie à {LONGUEUR_MAX} caractères.")
    if not texte:
        return
    mots = mots_de(texte)
    if len(mots) > MOTS_MAX:
        requete.messages.append(f"Seuls les {MOTS_MAX} premiers mots ont été pris en compte.")
        mots = mots[:MOTS_MAX]
    # Les besoins se lisent sur la saisie (« aider mon père »), puis sur ce qui en reste une
    # fois corrigé (« ehpda » est l'EHPAD). Un mot qui nomme un besoin sans figurer dans
    # aucune fiche (« téléalarme », « père ») n'est ni corrigé ni dit ignoré.
    slugs, reste = besoins_et_reste(texte)
    # Un mot qui dit un public (« autiste », « sourde ») le désigne : il n'est plus exigé.
    publics = publics_du_texte(mots)
    requete.publics_du_texte = list(dict.fromkeys(publics.values()))
    requete.mots_des_publics = list(publics)
    mots = [mot for mot in mots if mot not in publics]
    gardes = _corriger(mots, requete, set(mots) - set(mots_de(reste)))
    requete.texte_lu = _texte_lu(texte, gardes)
    slugs_corriges, reste = besoins_et_reste(
        " ".join(gardes.get(mot, mot) for mot in texte_indexe(reste).split())
    )
    requete.besoins_nommes = list(dict.fromkeys(slugs + slugs_corriges))
    requete.besoins_du_texte, requete.cles_besoins_du_texte = _besoins(
        slug for trouve in requete.besoins_nommes for slug in besoin_et_descendants(trouve)
    )
    exacts = _besoins(requete.besoins_nommes)[1]
    if exacts != requete.cles_besoins_du_texte:
        requete.cles_besoins_exacts = exacts
    restants = [mot for mot in mots_de(reste) if mot not in publics]
    requete.texte_explique = bool(requete.besoins_du_texte) and not restants
    requete.messages += [
        f"« {mot} » ne figure dans aucune fiche ; il est ignoré."
        for mot in mots
        if mot not in gardes and mot in restants
    ]
    if not requete.groupes and not requete.besoins_du_texte and not publics:
        raise SaisieIncomprise(f"Aucun service ne correspond à « {texte[:80]} ».")


def _texte_lu(texte: str, gardes: dict[str, str]) -> str:
    """La saisie telle qu'écrite (« repas à domicile »), sauf les mots ignorés, ôtés avec les
    mots vides qui les touchent (« aider âgé », pas « aider mon âgé »), et les mots corrigés,
    remplacés : ce que disent les raisons d'un résultat."""
    morceaux = []
    for morceau in texte.lower().split():
        if mots := texte_indexe(morceau).split():
            if all(_vide(mot) for mot in mots):
                etat = "vide"
            elif all(_vide(mot) or mot in gardes for mot in mots):
                etat = "garde"
            else:
                etat = "ote"
            morceaux.append((morceau, mots, etat))
    lus = []
    for i, (morceau, mots, etat) in enumerate(morceaux):
        voisins = {e for _, _, e in morceaux[max(i - 1, 0) : i + 2]}
        if etat == "ote" or (etat == "vide" and "ote" in voisins):
            continue
        if any(gardes.get(mot, mot) != mot for mot in mots):
            lus.append(" ".join(gardes.get(mot, mot) for mot in mots))
        else:
            lus.append(morceau.strip(".,;:!?«»\"'()[]"))
    return " ".join(lus)


def _corriger(mots: list[str], requete: Requete, expliques: set[str]) -> dict[str, str]:
    """Un mot inconnu de l'index est remplacé par ses voisins à une faute près, sauf s'il
    nomme un besoin (`expliques`) ; sans voisin, il est ignoré (absent des mots gardés), pour
    ne pas vider les résultats à cause d'une faute. Remplit `requete.groupes` et
    `requete.termes` (ce que l'index cherchera pour chaque groupe) ; rend chaque mot gardé →
    lui-même, ou sa première correction."""
    moteur = moteur_de_la_base()
    racines = {mot: _racine(mot) for mot in mots}
    with pour_lire().cursor() as cursor:
        connus = moteur.termes_des_prefixes(cursor, list(set(racines.values())))
        inconnus = [m for m in mots if racines[m] not in connus and m not in expliques]
        voisins = {m: _voisins(m) for m in inconnus if _corrigeable(m)}
        existants = moteur.mots_existants(cursor, sorted(set().union(*voisins.values())))
        corrections = {
            mot: sorted(voisins.get(mot, set()) & existants)[:CORRECTIONS_MAX] for mot in inconnus
        }
        connus |= moteur.termes_des_prefixes(
            cursor, sorted({c for liste in corrections.values() for c in liste} - set(connus))
        )
    gardes = {}
    for mot in mots:
        groupe = [racines[mot]] if racines[mot] in connus else corrections.get(mot, [])
        if not groupe:
            continue
        if groupe != [racines[mot]]:
            requete.messages.append(f"« {mot} » compris comme « {' ou '.join(groupe)} ».")
        requete.groupes.append(groupe)
        requete.termes.append(sorted({terme for m in groupe for terme in connus[m]}))
        gardes[mot] = mot if groupe == [racines[mot]] else groupe[0]
    return gardes


def _corrigeable(mot: str) -> bool:
    return LONGUEUR_MOT_CORRIGE[0] <= len(mot) <= LONGUEUR_MOT_CORRIGE[1]


def _voisins(mot: str) -> set[str]:
    """Les mots à une faute près (distance de Damerau-Levenshtein 1) : lettre en moins, en
    trop, remplacée, ou deux lettres voisines inversées (« ehpda » → « ehpad »)."""
    coupes = [(mot[:i], mot[i:]) for i in range(len(mot) + 1)]
    return (
        {g + d[1:] for g, d in coupes if d}
        | {g + d[1] + d[0] + d[2:] for g, d in coupes if len(d) > 1}
        | {g + c + d[1:] for g, d in coupes if d for c in _ALPHABET}
        | {g + c + d for g, d in coupes for c in _ALPHABET}
    ) - {mot}


def _besoins(slugs) -> tuple[dict[int, str], Cles | None]:
    """pk → libellé des besoins nommés, et leurs clés (qui tiennent compte de leurs enfants)."""
    nommes, famille = thesaurus_en_memoire.besoins().avec_enfants(slugs)
    membres = {b.pk: b.libelle for b in nommes}
    familles = [(b.pk, b.parent_id) for b in famille]
    return membres, _cles_familles(familles, membres, cle_besoin, cle_famille_besoin)


def _publics(*slugs: str) -> tuple[list[int], Cles | None]:
    """Les publics et leurs sous-publics : « personnes âgées » inclut les plus de 75 ans."""
    _, famille = thesaurus_en_memoire.publics().avec_enfants(list(slugs))
    lignes = [(p.pk, p.parent_id) for p in famille]
    membres = [pk for pk, _ in lignes]
    return membres, _cles_familles(lignes, membres, cle_public, cle_famille_public)


def _cles_familles(familles, membres, cle, cle_famille) -> Cles | None:
    """Les clés d'un ensemble de besoins (ou publics) ; `familles` : (pk, parent) des membres
    et de tous leurs enfants. Une famille entière (le parent et tous ses enfants) tient en
    une clé, au lieu d'une par membre, bien plus coûteuses à réunir pour l'index."""
    if not membres:
        return None
    membres = set(membres)
    enfants: dict[int, set[int]] = {}
    for pk, parent in familles:
        if parent in membres:
            enfants.setdefault(parent, set()).add(pk)
    entieres = {p for p, fils in enfants.items() if fils <= membres}
    couverts = set().union(entieres, *(enfants[p] for p in entieres))
    return Cles(
        tuple(sorted(cle_famille(p) for p in entieres))
        + tuple(sorted(cle(pk) for pk in membres - couverts))
    )


class _PasUnLieu:
    """Les mots d'une phrase qui ne sont jamais lus comme une commune (« ma mère »)."""

    def __contains__(self, mot: object) -> bool:
        return mot in MOTS_VIDES or mot in MOTS_ORDINAIRES


def _lieu_du_texte(critere: Critere) -> LieuDuTexte | None:
    """« ehpad nevers », « aide à domicile à Saint-Malo » : sans commune ni position donnée,
    la commune que nomme la phrase devient le lieu de la recherche, et quitte ses mots."""
    if critere.commune.strip() or critere.lat is not None or critere.lon is not None:
        return None
    return commune_dans_texte(critere.q[:LONGUEUR_MAX], _PasUnLieu())


def _placer(commune: Commune, rayon_km: float | None, requete: Requete) -> None:
    requete.commune = commune
    requete.position = (commune.latitude, commune.longitude)
    requete.rayon_km = _rayon(rayon_km, requete)


def _comprendre_lieu(critere: Critere, requete: Requete) -> None:
    saisie = critere.commune.strip()[:LONGUEUR_MAX]
    if saisie:
        commune = commune_saisie(saisie)
        if commune is None:
            raise SaisieIncomprise(f"Aucune commune ne correspond à « {saisie[:80]} ».")
        _placer(commune, critere.rayon_km, requete)
    elif critere.lat is not None or critere.lon is not None:
        requete.position = _position(critere.lat, critere.lon)
        requete.commune = commune_la_plus_proche(*requete.position)
        requete.rayon_km = _rayon(critere.rayon_km, requete)
    elif critere.rayon_km is not None:
        requete.messages.append("Le rayon ne s'applique qu'autour d'une commune ou d'un point.")


def _position(lat: float | None, lon: float | None) -> tuple[float, float]:
    try:
        lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SaisieIncomprise("Il faut une latitude et une longitude.") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SaisieIncomprise(
            "Position impossible : la latitude va de -90 à 90, la longitude de -180 à 180."
        )
    return lat, lon


def _rayon(rayon: float | None, requete: Requete) -> float:
    if rayon is None:
        return RAYON_PAR_DEFAUT_KM
    if not (isinstance(rayon, int | float) and math.isfinite(rayon) and rayon >= 0):
        requete.messages.append(
            f"Le rayon doit être un nombre positif de kilomètres ; "
            f"{RAYON_PAR_DEFAUT_KM:g} km retenus."
        )
        return RAYON_PAR_DEFAUT_KM
    if rayon > RAYON_MAX_KM:
        requete.messages.append(f"Le rayon est limité à {RAYON_MAX_KM:g} km.")
        return RAYON_MAX_KM
    return float(rayon)


def commune_la_plus_proche(lat: float, lon: float) -> Commune | None:
    """La commune dont la mairie est la plus proche, pour les zones d'intervention d'un point."""
    sud, nord, ouest, est = geo.boite(lat, lon, 15)
    communes = Commune.objects.filter(
        latitude__range=(sud, nord), longitude__range=(ouest, est)
    ).select_related("departement")
    return min(
        communes,
        key=lambda c: geo.distance_km(lat, lon, c.latitude, c.longitude),
        default=None,
    )


# --- Le plan : ce que l'on demande à l'index -------------------------------------------------


@dataclass(frozen=True)
class Seau:
    """Des fiches de même score, décrites par une expression de l'index (None : toutes)."""

    score: int
    expression: object
    dans_texte: bool


@dataclass
class Plan:
    filtre: object  # besoin, public, modes : requis partout (None : aucun)
    seaux: list[list[Seau]]  # par score décroissant ; seaux disjoints
    candidats: object  # l'union des seaux (None : toutes les fiches)
    lieu: object = None  # mailles du rayon, zones couvrant la commune, services « partout »
    couvrant: object = None  # zones couvrant la commune et services « partout » seuls
    drapeaux: tuple = ()  # (mots, mots dans le nom, besoin reconnu) : ce qui fait le score


def score(
    dans_texte: bool, dans_nom: bool, besoin: bool, texte_explique: bool, exact: bool = False
) -> int:
    """1 si les mots sont dans la fiche, +1 s'ils sont dans son nom, +2 si elle répond au
    besoin reconnu dans la saisie, +2 encore si c'est le besoin nommé lui-même (pas un besoin
    « voir aussi » qui élargit la recherche). Quand les mots ne font que nommer le besoin
    (« maison de retraite »), les avoir dans sa description n'ajoute rien au besoin (l'EHPAD
    voisin passe devant l'aide sociale lointaine qui cite la maison de retraite), et une fiche
    sans le besoin passe après toutes celles qui l'ont, même si son nom contient les mots."""
    exact = besoin and exact
    if besoin and texte_explique:
        return 3 + 2 * int(exact) + int(dans_nom)
    return int(dans_texte) + int(dans_nom) + 2 * int(besoin) + 2 * int(exact)


def planifier(requete: Requete) -> Plan:
    """Chaque score (`score`) est un ou plusieurs seaux, des expressions de l'index : les
    meilleurs se lisent d'abord et la lecture s'arrête quand la page est pleine."""
    filtre = et(
        requete.cles_besoins,
        requete.cles_publics,
        _cles(cle_mode, [MODES_ACCUEIL[requete.mode_accueil]] if requete.mode_accueil else None),
        _cles(cle_acces, [requete.mode_acces] if requete.mode_acces else None),
    )
    texte = Mots(tuple(map(tuple, requete.termes))) if requete.termes else None
    nom = Mots(texte.groupes, nom_seul=True) if texte else None
    besoin = requete.cles_besoins_du_texte
    exact = requete.cles_besoins_exacts if besoin else None
    explique = requete.texte_explique
    if texte and besoin:
        # (mots, dans le nom, besoin) de chaque seau ; des seaux de même score se lisent ensemble.
        seaux = _par_score(
            [
                ((True, True, True), Et((nom, besoin))),
                ((True, False, True), Et((Sauf(texte, nom), besoin))),
                ((False, False, True), Sauf(besoin, texte)),
                ((True, True, False), Sauf(nom, besoin)),
                ((True, False, False), Sauf(Sauf(texte, nom), besoin)),
            ],
            explique,
            exact,
        )
    elif texte:
        seaux = [[Seau(2, nom, True)], [Seau(1, Sauf(texte, nom), True)]]
    elif besoin:
        seaux = _par_score([((False, False, True), besoin)], explique, exact)
    else:
        seaux = [[Seau(0, None, False)]]
    plan = Plan(filtre, seaux, ou(texte, besoin) if texte or besoin else None)
    if texte or besoin:
        plan.drapeaux = (texte, nom, besoin, exact)
    if requete.position:
        couvrant = _zones_couvrant(requete.commune)
        plan.couvrant = Cles(couvrant)
        plan.lieu = Cles(cles_cercle(*requete.position, requete.rayon_km) + couvrant)
    return plan


def _par_score(
    seaux: list[tuple[tuple[bool, bool, bool], object]], explique: bool, exact: object = None
):
    """Les seaux groupés par score ; avec `exact`, chaque seau du besoin se divise entre les
    fiches du besoin nommé et celles d'un besoin qui élargit la recherche."""
    groupes: dict[int, list[Seau]] = {}
    for (mots, dans_nom, besoin), expression in seaux:
        divises = (
            [(True, Et((expression, exact))), (False, Sauf(expression, exact))]
            if besoin and exact is not None
            else [(False, expression)]
        )
        for est_exact, partie in divises:
            note = score(mots, dans_nom, besoin, explique, est_exact)
            groupes.setdefault(note, []).append(Seau(note, partie, mots))
    return [groupes[note] for note in sorted(groupes, reverse=True)]


def _cles(cle, valeurs) -> Cles | None:
    return None if valeurs is None else Cles(tuple(cle(valeur) for valeur in valeurs))


def _zones_couvrant(commune: Commune | None) -> tuple[str, ...]:
    """Les clés des zones d'intervention qui contiennent la commune (ou son arrondissement),
    et celle des services joignables de partout."""
    Type = ZoneIntervention.Type
    cles = [cle_zone(Type.FRANCE, ""), CLE_PARTOUT]
    if commune:
        cles += [
            cle_zone(Type.COMMUNE, commune.code_insee),
            cle_zone(Type.COMMUNE, commune.commune_parent_id or commune.code_insee),
            cle_zone(Type.DEPARTEMENT, commune.departement_id),
            cle_zone(Type.REGION, commune.departement.region_id),
        ]
        if commune.epci_id:
            cles.append(cle_zone(Type.EPCI, commune.epci_id))
    return tuple(dict.fromkeys(cles))


# --- L'exécution ------------------------------------------------------------------------------

LIMITE_DENSE = 1000  # au-delà, on ne lit plus tout le rayon : cercles croissants (`_plus_proches`)
ESSAIS_CERCLE = 8
COUVERTES_LOIN_KM = 1300  # la métropole tient dans ce cercle ; au-delà, on lit tout


@dataclass(frozen=True)
class Ligne:
    service_id: int
    score: float
    dans_texte: bool
    distance: float | None
    proche: bool
    couvert: bool
    joignable_partout: bool


def executer(
    plan: Plan, requete: Requete, *, tri: str, page: int, par_page: int
) -> tuple[list[Ligne], int]:
    """Les lignes de la page et le total (plafonné à TOTAL_MAX + 1 quand il le dépasse), selon
    le plan de la requête (`planifier`).

    Sans lieu, les seaux se lisent dans l'ordre des identifiants jusqu'à remplir la page.
    Autour d'un lieu, quand le filtre et le lieu seuls, ou à défaut les candidats, comptent
    moins de LIMITE_DENSE fiches, elles sont lues une fois (`_tout_le_rayon`) ; sinon chaque
    seau donne ses plus proches par cercles croissants, et le total se compte sans tout lire.
    """
    decalage = (page - 1) * par_page
    voulus = decalage + par_page
    if tri == "nom":
        return _par_nom(plan, requete, decalage, voulus)
    if not requete.position:
        total = _compter(et(plan.filtre, plan.candidats), requete)
        return _sans_lieu(plan, requete, voulus)[decalage:], total
    cle = _cle_de_tri(tri)
    for expression in _lisibles_en_entier(plan):
        lignes = _tout_le_rayon(plan, requete, expression)
        if lignes is not None:
            lignes.sort(key=cle)
            return lignes[decalage:voulus], len(lignes)
    groupes = plan.seaux if tri == "pertinence" else [[s for g in plan.seaux for s in g]]
    lignes = []
    for groupe in groupes:
        reste = voulus - len(lignes)
        if reste <= 0:
            break
        trouvees = [ligne for seau in groupe for ligne in _plus_proches(plan, seau, requete, reste)]
        lignes += sorted(trouvees, key=cle)[:reste]
    return lignes[decalage:], _total_autour(plan, requete)


def _cle_de_tri(tri: str):
    if tri == "distance":
        return lambda ligne: (
            ligne.distance is None,
            ligne.distance or 0,
            -ligne.score,
            ligne.service_id,
        )
    return lambda ligne: (
        -ligne.score,
        ligne.distance is None,
        ligne.distance or 0,
        ligne.service_id,
    )


def _sans_lieu(plan: Plan, requete: Requete, voulus: int) -> list[Ligne]:
    lignes: list[Ligne] = []
    for groupe in plan.seaux:
        reste = voulus - len(lignes)
        if reste <= 0:
            break
        lus = [
            Ligne(sid, seau.score, seau.dans_texte, None, False, False, False)
            for seau in groupe
            for sid, *_ in _lire(et(plan.filtre, seau.expression), requete, limite=reste)
        ]
        lignes += sorted(lus, key=lambda ligne: ligne.service_id)[:reste]
    return lignes


def _plus_proches(plan: Plan, seau: Seau, requete: Requete, voulus: int) -> list[Ligne]:
    """Les `voulus` fiches du seau les plus proches : dans le rayon d'abord, puis celles que
    leurs zones couvrent, plus loin. Rayon trop peuplé pour être lu : cercles croissants. Le
    seau de toutes les fiches (ni mots ni besoin reconnu) est déjà connu pour l'être."""
    expression = et(plan.filtre, seau.expression)
    distances = None
    if seau.expression is not None:
        distances = _dans_le_cercle(expression, requete, requete.rayon_km)
    if distances is None:
        distances = _cercles_croissants(expression, requete, voulus)
    proches = sorted((d, sid) for sid, d in distances.items())[:voulus]
    lignes = [Ligne(sid, seau.score, seau.dans_texte, d, True, False, False) for d, sid in proches]
    if len(lignes) < voulus:
        lignes += _couvertes_plus_loin(
            et(expression, plan.couvrant), seau, requete, voulus - len(lignes), set(distances)
        )
    return lignes


def _cercles_croissants(expression, requete: Requete, voulus: int) -> dict[int, float]:
    """Un cercle assez petit pour se lire sous LIMITE_DENSE, assez grand pour contenir la
    page : ce qui est hors du cercle est plus loin que tout ce qu'il contient."""
    bas, haut = 0.0, requete.rayon_km  # bas : trop peu de fiches ; haut : trop pour les lire
    cercle = haut / 4
    for _ in range(ESSAIS_CERCLE):
        distances = _dans_le_cercle(expression, requete, cercle)
        if distances is not None and len(distances) >= voulus:
            return distances
        if distances is None:
            haut = cercle
        else:
            bas = cercle
        cercle = math.sqrt(bas * haut) if bas else haut / 4
    return _dans_le_cercle(expression, requete, requete.rayon_km, tout=True) or {}


def _couvertes_plus_loin(
    couvertes, seau: Seau, requete: Requete, voulus: int, deja: set[int]
) -> list[Ligne]:
    """Les plus proches des fiches couvertes (zones, partout) hors du rayon : par cercles
    quatre fois plus grands, jusqu'à COUVERTES_LOIN_KM ; au-delà, toutes, par distance."""
    cercle = requete.rayon_km
    while cercle * 4 <= COUVERTES_LOIN_KM:
        cercle *= 4
        distances = _dans_le_cercle(couvertes, requete, cercle)
        if distances is None:
            break
        trouvees = sorted((d, sid) for sid, d in distances.items() if sid not in deja)
        if len(trouvees) >= voulus:
            brutes = [(sid, d, seau.score, seau.dans_texte) for d, sid in trouvees[:voulus]]
            return _lignes_autour(brutes, requete)
    lignes = [ligne for ligne in _autour(couvertes, seau, requete) if ligne.service_id not in deja]
    return sorted(lignes, key=_cle_de_tri("distance"))[:voulus]


def _dans_le_cercle(
    expression, requete: Requete, cercle: float, *, tout: bool = False
) -> dict[int, float] | None:
    """Fiche → distance, pour les fiches à moins de `cercle` km ; None s'il y en a trop pour
    les lire (LIMITE_DENSE), sauf à tout demander."""
    limite = None if tout else LIMITE_DENSE
    lat, lon = requete.position
    if expression is None and not requete.ouvert_le:
        sql, params = moteur_de_la_base().sql_proches(lat, lon, cercle)
        if requete.aides_a_part:
            sans_aides, params_aides = _sans_les_aides("t.service_id")
            sql, params = f"SELECT * FROM ({sql}) AS t WHERE {sans_aides}", params + params_aides
        with pour_lire().cursor() as cursor:
            if limite:
                sql, params = f"{sql} LIMIT %s", [*params, limite]
            cursor.execute(sql, params)
            brutes = cursor.fetchall()
    else:
        dans_les_mailles = et(expression, Cles(cles_cercle(lat, lon, cercle)))
        brutes = _lire(dans_les_mailles, requete, distance=True, limite=limite, ordonne=False)
    if limite and len(brutes) >= limite:
        return None
    distances: dict[int, float] = {}
    for sid, distance in brutes:
        if distance is not None and distance <= cercle:
            distances[sid] = min(distance, distances.get(sid, distance))
    return distances


def _autour(expression, seau: Seau, requete: Requete) -> list[Ligne]:
    """Toutes les fiches de l'expression dans le rayon ou couvertes par leurs zones."""
    brutes = _lire(expression, requete, distance=True, ordonne=False)
    return _lignes_autour([(b[0], b[1], seau.score, seau.dans_texte) for b in brutes], requete)


def _lignes_autour(brutes: list[tuple], requete: Requete) -> list[Ligne]:
    """(identifiant, distance, score, dans le texte) → lignes : garde ce qui est dans le
    rayon, ou au-delà (ou sans lieu) mais couvert par une zone ou joignable de partout ; ces
    deux cas ne sont vérifiés que pour les fiches lointaines."""
    rayon = requete.rayon_km
    loin = [sid for sid, distance, *_ in brutes if distance is None or distance > rayon]
    couverts, partout = _couverts(loin, requete)
    return [
        Ligne(sid, score, dans_texte, distance, proche, sid in couverts, sid in partout)
        for sid, distance, score, dans_texte in brutes
        for proche in [distance is not None and distance <= rayon]
        if proche or sid in couverts or sid in partout
    ]


def _lisibles_en_entier(plan: Plan) -> list:
    """Ce qu'on lirait en entier s'il y a peu de fiches : le filtre et le lieu seuls (sans les
    mots), puis les candidats."""
    candidats = et(plan.filtre, plan.candidats, plan.lieu)
    return [et(plan.filtre, plan.lieu), candidats] if plan.drapeaux else [candidats]


def _tout_le_rayon(plan: Plan, requete: Requete, expression) -> list[Ligne] | None:
    """Toutes les fiches de l'expression, ou None s'il y en a LIMITE_DENSE ou plus.

    Sans mots ni besoin reconnu, compter puis lire coûte peu. Avec, l'index n'est passé
    qu'une fois (les mots courants coûtent cher à FTS5) : les fiches trouvées sont relues par
    leur clé primaire, chacune disant sa distance et si elle contient les mots, dans son nom,
    et le besoin reconnu, d'où son score ; lue sur le filtre et le lieu seuls, l'expression
    évite même les mots."""
    if not plan.drapeaux:
        if _compter(expression, requete, LIMITE_DENSE) >= LIMITE_DENSE:
            return None
        return _autour(expression, Seau(0, None, False), requete)
    ids = [sid for (sid,) in _lire(expression, requete, limite=LIMITE_DENSE, ordonne=False)]
    if len(ids) >= LIMITE_DENSE:
        return None
    if not ids:
        return []
    moteur = moteur_de_la_base()
    distance, params = _distance_de("f.service_id", requete)
    colonnes = [distance]
    for drapeau in plan.drapeaux:
        sql, params_drapeau = moteur.drapeau(drapeau) if drapeau is not None else ("0", [])
        colonnes.append(sql)
        params += params_drapeau
    with pour_lire().cursor() as cursor:
        cursor.execute(
            f"SELECT f.service_id, {', '.join(colonnes)} FROM repertoire_indexservice f "
            f"WHERE f.service_id IN ({_liste(ids)})",
            [*params, *ids],
        )
        brutes = cursor.fetchall()
    explique = requete.texte_explique
    retenues = [
        (sid, d, score(bool(t), bool(n), bool(b), explique, bool(e)), bool(t))
        for sid, d, t, n, b, e in brutes
        if t or b
    ]
    return _lignes_autour(retenues, requete)


def _couverts(ids: list[int], requete: Requete) -> tuple[set[int], set[int]]:
    """Parmi ces fiches : celles qu'une zone couvre, celles joignables de partout."""
    if not ids:
        return set(), set()
    zone, params_zone = _zone_couvrante("i.service_id", requete)
    with pour_lire().cursor() as cursor:
        cursor.execute(
            "SELECT service_id, joignable_partout FROM repertoire_indexservice i "
            f"WHERE service_id IN ({_liste(ids)}) AND (joignable_partout = %s OR {zone})",
            [*ids, True, *params_zone],
        )
        lignes = cursor.fetchall()
    return {sid for sid, partout in lignes if not partout}, {sid for sid, p in lignes if p}


# La clé d'une zone (expression.cle_zone) recalculée en SQL.
_CLE_ZONE_SQL = {
    "sqlite": f"lower('{PREFIXE}z' || substr(z.type, 1, 1) || z.code)",
    "postgresql": f"lower('{PREFIXE}z' || left(z.type, 1) || z.code)",
}


def _zone_couvrante(ident: str, requete: Requete) -> tuple[str, list]:
    """Une zone d'intervention de la fiche `ident` couvre la commune cherchée."""
    zones = list(_zones_couvrant(requete.commune))
    return (
        f"EXISTS (SELECT 1 FROM {ZoneIntervention._meta.db_table} z "
        f"WHERE z.service_id = {ident} AND {_CLE_ZONE_SQL[connection.vendor]} "
        f"IN ({_liste(zones)}))",
        zones,
    )


def _total_autour(plan: Plan, requete: Requete) -> int:
    """Compté jusqu'à TOTAL_MAX + 1 : les fiches couvertes (zones, partout), puis les autres
    dans le cercle exact, sans jamais lire plus que le plafond."""
    base = et(plan.filtre, plan.candidats)
    couvertes = _compter(et(base, plan.couvrant), requete)
    if couvertes > TOTAL_MAX:
        return couvertes
    lat, lon = requete.position
    mailles = Cles(cles_cercle(lat, lon, requete.rayon_km))
    return couvertes + _compter(
        Sauf(et(base, mailles), plan.couvrant),
        requete,
        TOTAL_MAX + 1 - couvertes,
        en_plus=_dans_le_rayon(requete),
    )


def _par_nom(plan: Plan, requete: Requete, decalage: int, voulus: int) -> tuple[list[Ligne], int]:
    """Tri alphabétique : chaque seau lu dans l'ordre des noms jusqu'à la page, puis fusionnés."""
    autour = requete.position is not None
    en_plus = _dans_le_rayon_ou_couvert(requete) if autour else None
    lus: list[tuple[str, Ligne]] = []
    for groupe in plan.seaux:
        for seau in groupe:
            expression = et(plan.filtre, seau.expression, plan.lieu)
            brutes = _lire(
                expression, requete, distance=autour, limite=voulus, par_nom=True, en_plus=en_plus
            )
            noms = {brute[0]: brute[-1] for brute in brutes}
            lignes = (
                _lignes_autour([(b[0], b[1], seau.score, seau.dans_texte) for b in brutes], requete)
                if autour
                else [
                    Ligne(sid, seau.score, seau.dans_texte, None, False, False, False)
                    for sid, _ in brutes
                ]
            )
            lus += [(noms[ligne.service_id], ligne) for ligne in lignes]
    lus.sort(key=lambda paire: (paire[0], paire[1].service_id))
    total = _compter(et(plan.filtre, plan.candidats, plan.lieu), requete, en_plus=en_plus)
    return [ligne for _, ligne in lus[decalage:voulus]], total


# --- Le SQL -----------------------------------------------------------------------------------

Condition = Callable[[str], tuple[str, list]]  # colonne identifiant → (SQL, paramètres)


def _liste(valeurs) -> str:
    return ", ".join(["%s"] * len(valeurs))


def _selection(
    expression,
    requete: Requete,
    colonnes: Callable[[str], tuple[str, list]],
    en_plus,
) -> tuple[str, str, str, str, list, list]:
    """SELECT, FROM, identifiant, WHERE (expression, ouverture, condition en plus) et
    paramètres."""
    de, ident, where, params = moteur_de_la_base().source(expression)
    conditions, params = [where], list(params)
    for condition in (
        _filtre_ouvert(requete.ouvert_le) if requete.ouvert_le else None,
        _sans_les_aides if requete.aides_a_part else None,
        en_plus,
    ):
        if condition:
            sql, params_condition = condition(ident)
            conditions.append(sql)
            params += params_condition
    select, params_select = colonnes(ident)
    return select, de, ident, " AND ".join(conditions), params_select, params


def _lire(
    expression,
    requete: Requete,
    *,
    distance: bool = False,
    limite: int | None = None,
    par_nom: bool = False,
    en_plus: Condition | None = None,
    ordonne: bool = True,
) -> list[tuple]:
    """(identifiant[, distance][, nom]) des fiches de l'expression, dans l'ordre des
    identifiants (ou des noms).

    `ordonne=False` : dans n'importe quel ordre, pour qui lit tout, ou rien s'il atteint la
    limite. PostgreSQL, pour rendre les premiers identifiants, parcourt sinon la clé primaire
    en testant chaque fiche (60 000 autour de Lyon, 75 ms) au lieu de combiner ses index GIN
    (10 ms)."""

    def colonnes(ident: str) -> tuple[str, list]:
        select, params = [ident], []
        if distance:
            sql_distance, params = _distance_de(ident, requete)
            select.append(sql_distance)
        if par_nom:
            select.append("s.nom")
        return ", ".join(select), params

    select, de, ident, where, params_select, params = _selection(
        expression, requete, colonnes, en_plus
    )
    sql = f"SELECT {select} FROM {de}"
    if par_nom:
        sql += f" JOIN repertoire_service s ON s.id = {ident} WHERE {where} ORDER BY s.nom, {ident}"
    else:
        sql += f" WHERE {where}" + (f" ORDER BY {ident}" if ordonne else "")
    if limite is not None:
        sql += " LIMIT %s"
        params.append(limite)
    with pour_lire().cursor() as cursor:
        cursor.execute(sql, params_select + params)
        return cursor.fetchall()


def _compter(
    expression, requete: Requete, plafond: int = TOTAL_MAX + 1, en_plus: Condition | None = None
) -> int:
    """Le nombre de fiches de l'expression, sans jamais en lire plus que `plafond`."""
    select, de, _, where, _, params = _selection(
        expression, requete, lambda ident: (ident, []), en_plus
    )
    with pour_lire().cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT {select} FROM {de} WHERE {where} LIMIT %s) AS n",
            [*params, plafond],
        )
        return cursor.fetchone()[0]


def _distance_de(ident: str, requete: Requete) -> tuple[str, list]:
    """La distance de la fiche à la position cherchée, par son lieu le plus proche (None sans
    lieu), lue dans l'index couvrant des points."""
    distance = geo.distance_sql("p.latitude", "p.longitude", moteur_de_la_base().MINIMUM)
    return (
        f"(SELECT MIN({distance}) FROM repertoire_pointservice p WHERE p.service_id = {ident})",
        _parametres_distance(requete),
    )


def _parametres_distance(requete: Requete) -> list[float]:
    return geo.parametres_distance(*requete.position) if requete.position else []


def _dans_le_rayon(requete: Requete) -> Condition:
    def condition(ident: str) -> tuple[str, list]:
        distance = geo.distance_sql("p.latitude", "p.longitude", moteur_de_la_base().MINIMUM)
        return (
            f"EXISTS (SELECT 1 FROM repertoire_pointservice p WHERE p.service_id = {ident} "
            f"AND {distance} <= %s)",
            [*_parametres_distance(requete), requete.rayon_km],
        )

    return condition


def _dans_le_rayon_ou_couvert(requete: Requete) -> Condition:
    def condition(ident: str) -> tuple[str, list]:
        rayon, params = _dans_le_rayon(requete)(ident)
        zone, params_zone = _zone_couvrante(ident, requete)
        return (
            f"({rayon} OR EXISTS (SELECT 1 FROM repertoire_indexservice j "
            f"WHERE j.service_id = {ident} AND j.joignable_partout = %s) OR {zone})",
            [*params, True, *params_zone],
        )

    return condition


def _filtre_ouvert(le: dt.datetime) -> Condition:
    """`repertoire.horaires.est_ouvert` en SQL, même règle : un horaire exceptionnel du jour
    l'emporte (une fermeture sur tout) ; sinon un jour férié ferme, sauf service ouvert ces
    jours-là ; sinon la semaine type. « Jusqu'à 23:59 » vaut « jusqu'à minuit »."""
    if timezone.is_aware(le):
        le = timezone.localtime(le)
    ops = connection.ops
    jour = ops.adapt_datefield_value(le.date())
    heure = ops.adapt_timefield_value(le.time().replace(microsecond=0))
    minuit = ops.adapt_timefield_value(MINUIT)
    params = [jour, jour, jour, jour, True, jour, jour, heure, heure, minuit, jour, jour]
    params += [le.weekday(), heure, heure, minuit]
    ferie = est_ferie(le.date())
    if ferie:
        params.append(True)

    def condition(ident: str) -> tuple[str, list]:
        exceptions = (
            f"SELECT 1 FROM repertoire_horaireexceptionnel e WHERE e.service_id = {ident} "
            "AND e.date_debut <= %s AND e.date_fin >= %s"
        )
        dans = "{t}.ouverture <= %s AND ({t}.fermeture > %s OR {t}.fermeture = %s)"
        sql = (
            f"((EXISTS ({exceptions}) AND NOT EXISTS ({exceptions} AND e.ferme = %s) "
            f"AND EXISTS ({exceptions} AND {dans.format(t='e')})) "
            f"OR (NOT EXISTS ({exceptions}) "
            "AND EXISTS (SELECT 1 FROM repertoire_plagehoraire p "
            f"WHERE p.service_id = {ident} AND p.jour = %s AND {dans.format(t='p')})"
        )
        if ferie:
            sql += (
                " AND EXISTS (SELECT 1 FROM repertoire_service sf "
                f"WHERE sf.id = {ident} AND sf.ouvert_jours_feries = %s)"
            )
        return sql + "))", params

    return condition


def rechercher(
    critere: Critere,
    *,
    page: int = 1,
    par_page: int = 20,
    charger: Callable[[set[int]], dict[int, Any]] | None = None,
) -> PageResultats:
    """`charger` lit les services de la page (par défaut en modèles, `_services`) : l'API
    les lit en valeurs (repertoire/resumes.py) ; `raisons` n'en lit que `besoins_charges`
    et `accueil_a_domicile`."""
    page = max(1, int(page))
    par_page = min(max(1, int(par_page)), PAR_PAGE_MAX)
    requete = Requete()
    try:
        comprendre(critere, requete)
    except SaisieIncomprise as erreur:
        _lieu_malgre_tout(critere, requete)
        message = " ".join([*requete.messages, str(erreur)])
        return PageResultats(
            [],
            0,
            page,
            par_page,
            commune=requete.commune,
            message=message,
            **compris(critere, requete),
        )
    plan = planifier(requete)
    lignes, total = executer(plan, requete, tri=critere.tri, page=page, par_page=par_page)
    if critere.rayon_km is None and _elargir_le_rayon_par_defaut(plan, requete, total):
        plan = planifier(requete)
        lignes, total = executer(plan, requete, tri=critere.tri, page=page, par_page=par_page)
    for relacher in (
        _un_mot_suffit,
        _un_des_publics_du_texte,
        _sans_public_du_texte,
        _sans_les_mots,
    ):
        if total or not relacher(requete):
            continue
        plan = planifier(requete)
        lignes, total = executer(plan, requete, tri=critere.tri, page=page, par_page=par_page)
    from repertoire.recherche.aides import aides_pour_payer  # qui lit ce module

    services = (charger or _services)({ligne.service_id for ligne in lignes})
    resultats = [
        Resultat(
            service=services[ligne.service_id],
            score=float(ligne.score),
            distance_km=ligne.distance,
            raisons=raisons(services[ligne.service_id], ligne, requete),
        )
        for ligne in lignes
        # Une ligne de l'index dont la fiche vient d'être supprimée (avant la réindexation,
        # ou lue sur une réplique en retard) est sautée, jamais une erreur.
        if ligne.service_id in services
    ]
    return PageResultats(
        resultats,
        total=min(total, TOTAL_MAX),
        page=page,
        par_page=par_page,
        commune=requete.commune,
        message=" ".join(requete.messages),
        total_exact=total <= TOTAL_MAX,
        rayon_km=requete.rayon_km if requete.position else None,
        plus_loin=plus_loin(plan, requete, total),
        aides=aides_pour_payer(requete, charger=charger),
        **compris(critere, requete),
        besoins_voisins=besoins_voisins(critere, requete) if not total else [],
    )


def _lieu_malgre_tout(critere: Critere, requete: Requete) -> None:
    """Une saisie incomprise dit quand même la commune comprise : la page peut alors proposer
    le point d'information qui la couvre."""
    if requete.commune is None and critere.commune:
        with suppress(SaisieIncomprise):
            _comprendre_lieu(critere, requete)


def _un_des_publics_du_texte(requete: Requete) -> bool:
    """Sans réponse, des publics lus dans la saisie (« enfant sourd ») cessent d'être tous
    exigés : un service pour l'un d'eux suffit."""
    if len(requete.publics_du_texte) < 2 or requete.publics is None:
        return False
    requete.cles_publics = _publics(*requete.publics_du_texte)[1]
    requete.messages.append(
        "Aucun service n'est indiqué pour tous ces publics à la fois : voici ceux qui "
        "répondent à l'un d'eux."
    )
    return True


def _sans_public_du_texte(requete: Requete) -> bool:
    """Sans réponse, un public lu dans la saisie (pas choisi dans la liste) est relâché."""
    if not requete.publics_du_texte or requete.publics is None:
        return False
    requete.publics = requete.cles_publics = None
    if not requete.termes and not requete.besoins_du_texte:
        # Le public était toute la saisie (« handicapés ») : ses mots redeviennent des mots
        # cherchés dans les fiches, plutôt que de rendre tout le répertoire.
        _corriger(requete.mots_des_publics, requete, set())
        requete.texte_lu = " ".join(requete.mots_des_publics)
        requete.messages.append(
            "Aucun service n'est indiqué pour ce public : voici ceux qui en parlent."
        )
        return True
    requete.messages.append(
        "Aucun service n'est indiqué pour ce public précis : voici ceux qui répondent au reste."
    )
    return True


def _un_mot_suffit(requete: Requete) -> bool:
    """Sans réponse, des mots qui ne nomment ni besoin ni public cessent d'être tous exigés :
    une fiche qui en contient un suffit (« mon père perd ses repères »)."""
    if len(requete.termes) < 2:
        return False
    requete.termes = [sorted({terme for groupe in requete.termes for terme in groupe})]
    requete.groupes = [[mot for groupe in requete.groupes for mot in groupe]]
    requete.messages.append(
        "Aucun service ne contient tous ces mots : voici ceux qui en contiennent au moins un."
    )
    return True


def _sans_les_mots(requete: Requete) -> bool:
    """Sans réponse, quand la saisie nomme un besoin ou un public (« mon fils autiste de 6
    ans »), les autres mots cessent d'être exigés : le besoin et le public suffisent."""
    if not requete.termes or not (requete.besoins_du_texte or requete.publics is not None):
        return False
    requete.termes, requete.groupes = [], []
    requete.texte_lu = ""
    requete.messages.append(
        "Aucun service ne contient tous vos mots : voici ceux qui répondent au besoin ou au "
        "public compris."
    )
    return True


PEU_DE_RESULTATS = 5
RAYONS_PLUS_LOIN = (20.0, 50.0, 100.0, RAYON_MAX_KM)


def plus_loin(plan: Plan, requete: Requete, total: int) -> list[tuple[float, int]]:
    """Quand il y a moins de PEU_DE_RESULTATS réponses autour d'un lieu : combien il y en
    aurait à 20, 50, 100 puis 200 km (les mêmes critères, le même décompte exact que le
    total), jusqu'au premier rayon qui en donne assez. Une page et l'API le disent, pour
    proposer d'élargir plutôt que de laisser sans réponse. `plan` : celui de la requête,
    fait par `rechercher` ; son filtre et ses candidats ne dépendent pas du rayon."""
    if not requete.position or total >= PEU_DE_RESULTATS:
        return []
    comptes = []
    for km in RAYONS_PLUS_LOIN:
        if km <= requete.rayon_km:
            continue
        nombre = min(_total_autour(plan, replace(requete, rayon_km=km)), TOTAL_MAX)
        if nombre > total:
            comptes.append((km, nombre))
        if nombre >= PEU_DE_RESULTATS:
            break
    return comptes


def _elargir_le_rayon_par_defaut(plan: Plan, requete: Requete, total: int) -> bool:
    """Le rayon que personne n'a choisi (10 km par défaut) s'élargit quand il laisse moins de
    PEU_DE_RESULTATS réponses : au premier rayon de RAYONS_PLUS_LOIN qui en donne assez, ou
    au plus grand qui en donne davantage. Près de Donzy, la maison de retraite la plus
    proche est à 15 km : la personne qui n'a rien précisé la veut, pas une page vide. Un
    rayon choisi est respecté (`plus_loin` propose alors d'élargir)."""
    comptes = plus_loin(plan, requete, total)  # ses derniers comptes : ce rayon-là
    if not comptes:
        return False
    meilleur = comptes[-1][0]
    requete.messages.append(
        f"Peu de réponses à moins de {requete.rayon_km:g} km : la recherche a été élargie à "
        f"{meilleur:g} km. Choisissez une distance pour la fixer."
    )
    requete.rayon_km = meilleur
    return True


def _services(ids: set[int]) -> dict[int, Service]:
    """La page et ce qu'elle affiche, en un nombre fixe de requêtes."""
    return {service.pk: service for service in Service.objects.filter(pk__in=ids).avec_resume()}


def raisons(service: Service, ligne: Ligne, requete: Requete) -> list[str]:
    """Pourquoi ce service est là, en mots simples, du plus parlant au plus général."""
    besoins = {**requete.besoins_du_texte, **(requete.besoins or {})}
    phrases = [
        f"répond au besoin « {b.libelle} »" for b in service.besoins_charges if b.pk in besoins
    ]
    if ligne.dans_texte:
        phrases.append(f"contient « {requete.texte_lu} »")
    if ligne.proche and ligne.distance is not None:
        phrases.append(f"à {ligne.distance:.1f} km".replace(".", ","))
    if ligne.couvert and not ligne.proche and requete.commune:
        ou = "à domicile sur" if service.accueil_a_domicile else "sur"
        phrases.append(f"intervient {ou} {requete.commune.nom}")
    if requete.position and ligne.joignable_partout and not (ligne.proche or ligne.couvert):
        phrases.append("joignable à distance (téléphone, visio), où que vous soyez")
    if requete.ouvert_le:
        phrases.append("ouvert à l'heure demandée")
    return phrases


# --- Les aides à part -------------------------------------------------------------------------


def _aides_a_part(requete: Requete) -> bool:
    """Les aides (APA, ASH… : `referentiels.est_une_aide`) ne se classent pas parmi les
    services qui aident, sauf quand la saisie (liste ou texte) nomme un droit (« apa »,
    « aide sociale à l'hébergement ») ou la famille des droits (« allocation », « aide pour
    payer ») : elles viennent alors à leur rang. Un droit atteint par la famille d'un autre
    besoin (« Aider un proche » contient « Droits des aidants ») n'est pas nommé."""
    par_pk = thesaurus_en_memoire.besoins().par_pk
    for besoins in (requete.besoins or {}, requete.besoins_du_texte):
        nommes = (par_pk[pk] for pk in besoins if pk in par_pk)
        if any(
            b.parent_id not in besoins and (b.slug in DROITS or b.slug == FAMILLE_DES_DROITS)
            for b in nommes
        ):
            return False
    return True


def _sans_les_aides(ident: str) -> tuple[str, list]:
    """La fiche `ident` n'est pas une aide : les aides sont peu nombreuses, la sous-requête
    (sur la clé CLE_AIDE de l'index) n'est évaluée qu'une fois.

    Quand la requête lit déjà la ligne d'index de la fiche et que la base sait y lire une clé
    (PostgreSQL : `CLES_SUR_LA_LIGNE`), la clé y est lue : la sous-requête relisait, à chaque
    requête, les 5 000 aides du banc (10 à 20 ms, autant par processus parallèle)."""
    moteur = moteur_de_la_base()
    de, colonne, where, params = moteur.source(Cles((CLE_AIDE,)))
    if getattr(moteur, "CLES_SUR_LA_LIGNE", False) and ident == colonne:
        sql, params = moteur.drapeau(Cles((CLE_AIDE,)))
        return f"NOT ({sql})", list(params)
    return f"{ident} NOT IN (SELECT {colonne} FROM {de} WHERE {where})", list(params)


# --- Ce qui a été compris, et les besoins voisins (issue 13, § 3 et § 10) -------------------


def compris(critere: Critere, requete: Requete) -> dict[str, str]:
    """Le besoin et le public que la recherche a compris, en slugs du thésaurus : choisis dans
    la liste, sinon nommés par le texte (« mon père perd la mémoire » → troubles cognitifs)."""
    besoins, publics = thesaurus_en_memoire.besoins(), thesaurus_en_memoire.publics()
    besoin = critere.besoin if critere.besoin in besoins.par_slug else ""
    public = critere.public if critere.public in publics.par_slug else ""
    return {
        "besoin_compris": besoin or next(iter(requete.besoins_nommes), ""),
        "public_compris": public or next(iter(requete.publics_du_texte), ""),
    }


BESOINS_VOISINS_COMPTES = 6  # chaque voisin coûte un décompte : quelques-uns seulement


def besoins_voisins(critere: Critere, requete: Requete) -> list[BesoinVoisin]:
    """Une recherche sans réponse pour un besoin autour d'un lieu propose les besoins voisins
    (`selectors.besoins_proches` : associés par le thésaurus, même famille, puis la famille
    entière) qui ont des réponses au même endroit, dans le même rayon, avec les mêmes filtres
    (public, modes, ouverture), sans les mots. Chacun est compté comme le total d'une
    recherche sur lui ; une famille sans réponse épargne le décompte de ses membres."""
    nommes = [critere.besoin] if critere.besoin else requete.besoins_nommes
    if not requete.position or not nommes:
        return []
    voisins, familles = besoins_proches(nommes)
    cherches = {*(requete.besoins or {}), *requete.besoins_du_texte}
    par_slug = thesaurus_en_memoire.besoins().par_slug
    comptes: dict[str, int] = {}
    for slug in [*familles, *voisins]:
        if len(comptes) >= BESOINS_VOISINS_COMPTES:
            break
        entree = par_slug.get(slug)
        if entree is None or entree.pk in cherches:
            continue
        if entree.parent_id is not None and comptes.get(_slug_de(entree.parent_id)) == 0:
            continue  # sa famille n'a aucune réponse ici : lui non plus
        comptes[slug] = _total_pour_besoin(requete, slug)
    ordre = [*voisins, *familles]  # les plus proches d'abord, la famille entière pour finir
    return [
        BesoinVoisin(slug, par_slug[slug].libelle, comptes[slug])
        for slug in ordre
        if comptes.get(slug)
    ]


def _slug_de(pk: int) -> str:
    entree = thesaurus_en_memoire.besoins().par_pk.get(pk)
    return entree.slug if entree else ""


def _total_pour_besoin(requete: Requete, slug: str) -> int:
    """Le total qu'aurait la même recherche sur ce besoin choisi, sans les mots."""
    besoins, cles = _besoins(besoin_et_descendants(slug))
    autre = replace(
        requete,
        besoins=besoins,
        cles_besoins=cles,
        groupes=[],
        termes=[],
        texte_lu="",
        texte_explique=False,
        besoins_du_texte={},
        cles_besoins_du_texte=None,
    )
    return min(_total_autour(planifier(autre), autre), TOTAL_MAX)
