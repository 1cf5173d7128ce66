"""Lectures des référentiels : du texte libre vers les besoins, et vers data·inclusion.

Fonctions pures sur repertoire/referentiels.py : aucune requête en base.
"""

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TypeVar

from core.texte import normaliser
from repertoire.referentiels import PUBLICS, THESAURUS, EntreeBesoin, EntreePublic

E = TypeVar("E", EntreeBesoin, EntreePublic)
_PRECISION = re.compile(r"\s*\(.*?\)")


def _a_plat(racines: tuple[E, ...]) -> dict[str, tuple[E, E | None]]:
    """Chaque entrée avec son parent, premier niveau d'abord puis enfants, dans l'ordre écrit."""
    entrees: dict[str, tuple[E, E | None]] = {racine.slug: (racine, None) for racine in racines}
    for racine in racines:
        entrees.update({enfant.slug: (enfant, racine) for enfant in racine.enfants})
    return entrees


@cache
def _besoins() -> dict[str, tuple[EntreeBesoin, EntreeBesoin | None]]:
    return _a_plat(THESAURUS)


@cache
def _publics() -> dict[str, tuple[EntreePublic, EntreePublic | None]]:
    return _a_plat(PUBLICS)


@cache
def _termes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Chaque terme normalisé et les besoins qui le portent, du plus long au plus court :
    « auxiliaire de vie scolaire » doit passer avant « auxiliaire de vie ».

    Le libellé compte avec et sans sa précision entre parenthèses : « Aide sociale à
    l'hébergement (ASH) » doit se trouver par « aide sociale à l'hébergement ».
    """
    besoins_par_terme: dict[str, list[str]] = {}
    for slug, (entree, _) in _besoins().items():
        libelle_court = _PRECISION.sub("", entree.libelle)
        for terme in (entree.libelle, libelle_court, *entree.synonymes):
            cle = " ".join(_sans_liaisons(forme_simple(normaliser(terme)).split()))
            besoins_par_terme.setdefault(cle, []).append(slug)
    termes = sorted(besoins_par_terme.items(), key=lambda item: -len(item[0]))
    return tuple((terme, tuple(slugs)) for terme, slugs in termes)


# Féminins et pluriels ramenés à une forme (des deux côtés : saisie et synonymes), pour que
# « maisons de retraite », « infirmières » ou « aides soignantes » nomment leur besoin. Les
# mots de quatre lettres ou moins ne bougent pas : « fils » n'est pas « fil », ni « bus » « bu ».
_FEMININS = (("ieres", "ier"), ("iere", "ier"), ("euses", "eur"), ("euse", "eur"), ("antes", "ant"))


def forme_simple(texte: str) -> str:
    """Chaque mot normalisé sans sa marque de pluriel ni de féminin courante."""
    return " ".join(_mot_simple(mot) for mot in texte.split())


def _mot_simple(mot: str) -> str:
    if len(mot) <= 4 or mot == "|":
        return mot
    for fin, remplacement in _FEMININS:
        if mot.endswith(fin) and len(mot) > len(fin) + 2:
            return mot[: -len(fin)] + remplacement
    if mot[-1] in "sx" and not mot.endswith("ss"):
        return mot[:-1]
    return mot


def _uniques(valeurs: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(valeurs))


def besoins_pour_texte(texte: str) -> list[str]:
    """Besoins dont le libellé ou un synonyme figure, en mots entiers, dans le texte.

    Sans accents ni casse : « Maison de retraite » et « MAISON DE RETRAITE » trouvent l'EHPAD.
    Les besoins voisins suivent (« répit » trouve aussi l'accueil de jour et l'accueil
    temporaire), car c'est ce que la personne cherche sans en connaître le nom.
    """
    return besoins_et_reste(texte)[0]


# Les petits mots qui lient ceux d'un besoin : « portage repas » est « portage de repas »,
# « aide domicile » « aide à domicile ». Ignorés des deux côtés quand un besoin se reconnaît.
LIAISONS = frozenset({"de", "du", "des", "d", "a", "au", "aux", "la", "le", "les", "l", "en"})


def _sans_liaisons(mots: list[str]) -> list[str]:
    return [mot for mot in mots if mot not in LIAISONS]


def besoins_et_reste(texte: str) -> tuple[list[str], str]:
    """Les besoins du texte (voir `besoins_pour_texte`) et ce qu'il dit d'autre : « ehpad
    nevers » laisse « nevers », « maison de retraite » ne laisse rien."""
    besoins, reste = _besoins_et_reste(texte)
    return list(besoins), reste


# Lu deux fois par recherche (le moteur, puis la veille des besoins) et souvent le même
# texte : le parcours de tous les termes du thésaurus coûtait ≈ 2 ms de CPU à chaque fois.
# Le thésaurus lu ici est celui du code (referentiels.py) : rien à invalider. Peu de textes
# gardés (les 256 derniers, en mémoire du processus seulement, jamais écrits) : assez pour
# la seconde lecture et les recherches fréquentes, sans tenir un journal des saisies.
@lru_cache(maxsize=256)
def _besoins_et_reste(texte: str) -> tuple[tuple[str, ...], str]:
    mots = normaliser(texte).split()
    simples = [_mot_simple(mot) for mot in mots]
    places = [i for i, simple in enumerate(simples) if simple not in LIAISONS]
    pleins = [simples[i] for i in places]  # les mots sans leurs liaisons
    trouves: set[str] = set()
    for terme, slugs in _termes():
        cherche = terme.split()
        for debut in range(len(pleins) - len(cherche) + 1):
            if pleins[debut : debut + len(cherche)] == cherche:
                trouves.update(slugs)
                # Le passage reconnu est consommé, ses liaisons comprises : « auxiliaire de
                # vie scolaire » ne doit pas aussi évoquer l'aide à domicile.
                pleins[debut : debut + len(cherche)] = ["|"] * len(cherche)
                premier, dernier = places[debut], places[debut + len(cherche) - 1]
                simples[premier : dernier + 1] = ["|"] * (dernier + 1 - premier)
    ordonnes = [slug for slug in _besoins() if slug in trouves]
    voisins = (voisin for slug in ordonnes for voisin in _besoins()[slug][0].voir_aussi)
    # Le reste garde les mots tels que saisis (« nevers », pas sa forme simple « never »).
    reste = " ".join(mot for mot, simple in zip(mots, simples, strict=True) if simple != "|")
    return tuple(_uniques([*ordonnes, *voisins])), reste


# Les mots du quotidien qui disent un public (« mon fils autiste ») : le public du thésaurus
# qu'ils désignent. Les parents (« ma mère ») ne disent pas l'âge : ils ne sont pas ici.
MOTS_DES_PUBLICS = {
    "sourd": "handicap-auditif",
    "sourde": "handicap-auditif",
    "malentendant": "handicap-auditif",
    "malentendante": "handicap-auditif",
    "surdite": "handicap-auditif",
    "aveugle": "handicap-visuel",
    "malvoyant": "handicap-visuel",
    "malvoyante": "handicap-visuel",
    "cecite": "handicap-visuel",
    "autiste": "autisme-tsa",
    "autisme": "autisme-tsa",
    "tsa": "autisme-tsa",
    "polyhandicap": "polyhandicap",
    "polyhandicape": "polyhandicap",
    "trisomie": "handicap-intellectuel",
    "trisomique": "handicap-intellectuel",
    "enfant": "enfants-jeunes",
    "fils": "enfants-jeunes",
    "fille": "enfants-jeunes",
    "bebe": "enfants-jeunes",
    "adolescent": "enfants-jeunes",
    "ado": "enfants-jeunes",
    "handicap": "personnes-handicapees",
    "handicape": "personnes-handicapees",
    "handicapee": "personnes-handicapees",
    "adulte": "adultes",
    "age": "personnes-agees",
    "agee": "personnes-agees",
    "senior": "personnes-agees",
}


# Les mots d'une phrase qui ne nomment jamais un lieu, bien que des communes les portent
# (« Mère », « Fille », « Grand », « Bus ») : la parenté et les mots courants d'une demande.
MOTS_DE_PARENTE = frozenset(
    {"mere", "pere", "maman", "papa", "fils", "fille", "femme", "mari", "epoux", "epouse"}
    | {"frere", "soeur", "enfant", "parent", "grand", "conjoint", "voisin", "voisine", "ami"}
    | {"amie", "oncle", "tante", "neveu", "niece", "bus", "car", "train", "ligne", "plan"}
)


class _MotsOrdinaires:
    """Les mots d'une recherche qui ne disent pas un lieu : ceux des besoins, des publics et
    de la parenté, au pluriel comme au singulier (voir `commune_dans_texte`)."""

    def __contains__(self, mot: object) -> bool:
        if not isinstance(mot, str):
            return False
        return mot in _mots_ordinaires() or _mot_simple(mot) in _mots_ordinaires()


@cache
def _mots_ordinaires() -> frozenset[str]:
    des_besoins = {mot for terme, _ in _termes() for mot in terme.split()}
    return frozenset(des_besoins | set(MOTS_DES_PUBLICS) | MOTS_DE_PARENTE)


MOTS_ORDINAIRES = _MotsOrdinaires()


def publics_du_texte(mots: Iterable[str]) -> dict[str, str]:
    """Les mots (déjà normalisés) qui désignent un public : {mot : slug du public}."""
    trouves = {}
    for mot in mots:
        slug = MOTS_DES_PUBLICS.get(_mot_simple(mot))
        if slug and slug in _publics():
            trouves[mot] = slug
    return trouves


def besoin_et_descendants(slug: str) -> list[str]:
    """Le besoin, ses enfants et leurs besoins voisins ; liste vide pour un slug inconnu.

    Filtrer sur « aidants » doit montrer les plateformes de répit comme les accueils de jour.
    """
    if slug not in _besoins():
        return []
    entree = _besoins()[slug][0]
    famille = [entree, *entree.enfants]
    voisins = [_besoins()[voisin][0] for membre in famille for voisin in membre.voir_aussi]
    return _uniques(membre.slug for membre in (*famille, *voisins))


def thematiques_di_pour(besoins: Iterable[str]) -> list[str]:
    """Thématiques data·inclusion v1 des besoins ; un enfant sans les siennes prend celles
    de son parent, pour que tout service exporté porte au moins une thématique. Un slug
    absent du code (base pas encore synchronisée) est ignoré."""
    thematiques: list[str] = []
    for slug in besoins:
        if slug not in _besoins():
            continue
        entree, parent = _besoins()[slug]
        thematiques += entree.thematiques_di or (parent.thematiques_di if parent else ())
    return _uniques(thematiques)


def publics_di_pour(publics: Iterable[str]) -> list[str]:
    """Publics data·inclusion v1 des publics ; un enfant sans les siens prend ceux du parent.
    Un slug absent du code est ignoré."""
    publics_di: list[str] = []
    for slug in publics:
        if slug not in _publics():
            continue
        entree, parent = _publics()[slug]
        publics_di += entree.publics_di or (parent.publics_di if parent else ())
    return _uniques(publics_di)


def _equivalent(valeur_di: str, entrees: dict[str, tuple[E, E | None]], champ: str) -> str | None:
    """L'entrée qui reçoit une valeur data·inclusion à l'import : l'homonyme s'il existe,
    sinon la première qui la porte, premier niveau d'abord.

    Une seule entrée par valeur : plusieurs besoins se partagent une thématique à l'export,
    mais la marquer sur tous à l'import ferait dire au service plus qu'il n'offre.
    """
    if valeur_di in entrees and valeur_di in getattr(entrees[valeur_di][0], champ):
        return valeur_di
    return next((slug for slug, (e, _) in entrees.items() if valeur_di in getattr(e, champ)), None)


def besoins_pour_thematiques_di(thematiques: Iterable[str]) -> list[str]:
    """Besoins à marquer sur un service importé de data·inclusion ; valeurs inconnues ignorées."""
    slugs = (_equivalent(t, _besoins(), "thematiques_di") for t in thematiques)
    return _uniques(slug for slug in slugs if slug)


def publics_pour_publics_di(publics_di: Iterable[str]) -> list[str]:
    """Publics à marquer sur un service importé de data·inclusion ; valeurs inconnues ignorées."""
    slugs = (_equivalent(p, _publics(), "publics_di") for p in publics_di)
    return _uniques(slug for slug in slugs if slug)


def besoins_proches(slugs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Les besoins proches de ceux nommés, pour qui n'a rien trouvé (issue 13, § 3) : ceux que
    le thésaurus leur associe (`voir_aussi`, dans un sens ou dans l'autre), puis leurs frères
    (les autres besoins de la même famille), dans l'ordre du thésaurus ; et, à part, les
    familles qui les contiennent. Les besoins nommés eux-mêmes n'y sont pas."""
    nommes = [slug for slug in dict.fromkeys(slugs) if slug in _besoins()]
    familles = _uniques(
        parent.slug for slug in nommes if (parent := _besoins()[slug][1]) is not None
    )
    associes: list[str] = []
    for slug, (entree, _) in _besoins().items():
        if slug in nommes:
            associes += entree.voir_aussi
        elif set(entree.voir_aussi) & set(nommes):
            associes.append(slug)
    freres = [enfant.slug for famille in familles for enfant in _besoins()[famille][0].enfants]
    exclus = set(nommes) | set(familles)
    return _uniques(s for s in [*associes, *freres] if s not in exclus), familles
