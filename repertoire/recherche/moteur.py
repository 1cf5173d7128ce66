"""Le moteur : comprend la saisie, interroge l'index de la base, explique.

Les mêmes requêtes SQL servent SQLite et PostgreSQL ; seuls le texte (FTS5 ou tsvector), le
vocabulaire et le préfiltre géographique (R*Tree ou GiST) viennent du module de la base.
Une page coûte une requête au moteur, et une ou deux de plus quand un raccourci (petit
cercle, meilleurs seaux, total plafonné) ne suffit pas : voir `executer`.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from types import ModuleType

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone

from core.texte import sans_accents
from repertoire.horaires import MINUIT, est_ferie
from repertoire.models import Besoin, Lieu, ModeAcces, Public, Service, ZoneIntervention
from repertoire.recherche import geo, postgresql, sqlite
from repertoire.recherche.types import Critere, PageResultats, Resultat
from repertoire.selectors import besoin_et_descendants, besoins_pour_texte
from territoires.models import Commune
from territoires.selectors import trouver_communes

RAYON_PAR_DEFAUT_KM = 10.0
RAYON_MAX_KM = 200.0
LONGUEUR_MAX = 200
MOTS_MAX = 8
LONGUEUR_MOT_CORRIGE = (3, 30)  # en deçà, trop de voisins ; au-delà, ce n'est pas un mot
CORRECTIONS_MAX = 5
PAR_PAGE_MAX = 100
TOTAL_MAX = 1000  # au-delà, « plus de 1 000 résultats » : compter tout coûterait plus que la page
CERCLES = (1 / 6, 1 / 3)  # fractions du rayon essayées d'abord (voir `executer`)
CERCLE_MIN_KM = 4.0  # en deçà, tout le rayon coûte peu
MOTS_VIDES = frozenset(
    {"a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l"}
    | {"la", "le", "les", "leur", "ma", "mes", "mon", "ou", "par", "pour", "qui", "sa", "ses"}
    | {"son", "sur", "un", "une"}
)
MODES_ACCUEIL = {"sur-place": "sur_place", "a-domicile": "a_domicile", "a-distance": "a_distance"}
_MOT = re.compile(r"[a-z0-9]+")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def moteur_de_la_base() -> ModuleType:
    return postgresql if connection.vendor == "postgresql" else sqlite


# --- La saisie comprise -----------------------------------------------------------------------


@dataclass
class Requete:
    """Ce que le SQL reçoit : la saisie validée, corrigée et traduite en identifiants."""

    groupes: list[list[str]] = field(default_factory=list)  # un groupe d'alternatives par mot
    besoins_du_texte: dict[int, str] = field(default_factory=dict)  # pk → libellé
    besoins: dict[int, str] | None = None
    publics: list[int] | None = None
    mode_accueil: str = ""
    mode_acces: str = ""
    position: tuple[float, float] | None = None
    rayon_km: float = RAYON_PAR_DEFAUT_KM
    commune: Commune | None = None
    ouvert_le: dt.datetime | None = None
    messages: list[str] = field(default_factory=list)


class SaisieIncomprise(Exception):
    """La saisie ne peut donner aucun résultat ; le message est montré tel quel."""


def comprendre(critere: Critere, requete: Requete) -> None:
    """Remplit la requête ; lève SaisieIncomprise quand rien ne peut correspondre."""
    _comprendre_texte(critere.q, requete)
    _comprendre_lieu(critere, requete)
    if critere.besoin:
        requete.besoins = _besoins(besoin_et_descendants(critere.besoin))
        if not requete.besoins:
            raise SaisieIncomprise(f"Le besoin « {critere.besoin[:80]} » n'existe pas.")
    if critere.public:
        requete.publics = _publics(critere.public)
        if not requete.publics:
            raise SaisieIncomprise(f"Le public « {critere.public[:80]} » n'existe pas.")
    requete.mode_accueil = _choix(critere.mode_accueil, MODES_ACCUEIL, "mode d'accueil", requete)
    requete.mode_acces = _choix(critere.mode_acces, ModeAcces.values, "mode d'accès", requete)
    requete.ouvert_le = critere.ouvert_le


def _choix(valeur: str, permis, nom: str, requete: Requete) -> str:
    if valeur and valeur not in permis:
        requete.messages.append(f"Le {nom} « {valeur[:80]} » est inconnu ; il est ignoré.")
        return ""
    return valeur


def mots_de(texte: str) -> list[str]:
    """Minuscules sans accents, découpés comme le fait l'index, sans mots vides."""
    mots = _MOT.findall(sans_accents(texte).lower())
    return list(dict.fromkeys(m for m in mots if m not in MOTS_VIDES and len(m) > 1))


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
    requete.besoins_du_texte = _besoins(
        slug for trouve in besoins_pour_texte(texte) for slug in besoin_et_descendants(trouve)
    )
    mots = mots_de(texte)
    if len(mots) > MOTS_MAX:
        requete.messages.append(f"Seuls les {MOTS_MAX} premiers mots ont été pris en compte.")
        mots = mots[:MOTS_MAX]
    requete.groupes = _corriger(mots, requete)
    if not requete.groupes and not requete.besoins_du_texte:
        raise SaisieIncomprise(f"Aucun service ne correspond à « {texte[:80]} ».")


def _corriger(mots: list[str], requete: Requete) -> list[list[str]]:
    """Un mot inconnu de l'index est remplacé par ses voisins à une faute près ; sans voisin,
    il est ignoré (et dit), pour ne pas vider les résultats à cause d'une faute."""
    moteur = moteur_de_la_base()
    racines = {mot: _racine(mot) for mot in mots}
    with connection.cursor() as cursor:
        connus = moteur.prefixes_connus(cursor, list(set(racines.values())))
        inconnus = [m for m in mots if racines[m] not in connus]
        voisins = {m: _voisins(m) for m in inconnus if _corrigeable(m)}
        existants = moteur.mots_existants(cursor, sorted(set().union(*voisins.values())))
    groupes = []
    for mot in mots:
        if racines[mot] in connus:
            groupes.append([racines[mot]])
            continue
        corrections = sorted(voisins.get(mot, set()) & existants)[:CORRECTIONS_MAX]
        if corrections:
            groupes.append(corrections)
            requete.messages.append(f"« {mot} » compris comme « {' ou '.join(corrections)} ».")
        else:
            requete.messages.append(f"« {mot} » ne figure dans aucune fiche ; il est ignoré.")
    return groupes


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


def _besoins(slugs) -> dict[int, str]:
    return dict(Besoin.objects.filter(slug__in=list(slugs)).values_list("pk", "libelle"))


def _publics(slug: str) -> list[int]:
    """Le public et ses sous-publics : « personnes âgées » inclut les plus de 75 ans."""
    return list(
        Public.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values_list("pk", flat=True)
    )


def _comprendre_lieu(critere: Critere, requete: Requete) -> None:
    saisie = critere.commune.strip()[:LONGUEUR_MAX]
    if saisie:
        requete.commune = next(iter(trouver_communes(saisie, limite=1)), None)
        if requete.commune is None:
            raise SaisieIncomprise(f"Aucune commune ne correspond à « {saisie[:80]} ».")
        requete.position = (requete.commune.latitude, requete.commune.longitude)
    elif critere.lat is not None or critere.lon is not None:
        requete.position = _position(critere.lat, critere.lon)
        requete.commune = commune_la_plus_proche(*requete.position)
    if requete.position:
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


# --- La requête SQL ---------------------------------------------------------------------------


@dataclass
class Sql:
    """Une requête assemblée morceau par morceau, paramètres dans l'ordre du texte."""

    ctes: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def cte(self, nom: str, sql: str, params: list) -> None:
        self.ctes.append(f"{nom} AS MATERIALIZED ({sql})")
        self.params += params


def _liste(valeurs) -> str:
    return ", ".join(["%s"] * len(valeurs))


def requete_sql(
    requete: Requete, *, tri: str, limite: int, decalage: int, cercle_km: float | None = None
) -> tuple[str, list]:
    """Une seule requête : candidats (intersection du texte et du lieu), filtres, score, tri,
    page et total plafonné, pour qu'une page coûte un aller-retour au moteur.

    `cercle_km` restreint le préfiltre géographique à un cercle plus petit que le rayon (voir
    `executer`) ; la distance complète n'est calculée que pour les candidats hors du cercle,
    et seulement quand le tri l'exige.
    """
    ctes, params = _candidats(requete, cercle_km)
    distance = _distance_paresseuse(requete)
    ordre = {
        "distance": "distance ASC NULLS LAST, score DESC",
        "nom": "s.nom ASC",
    }.get(tri, "score DESC, distance ASC NULLS LAST")
    texte = (
        f"{ctes} SELECT k.service_id, k.score, k.dans_texte, {distance} AS distance, "
        "k.dans_le_cercle, k.couvert, k.joignable_partout, "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM k LIMIT {TOTAL_MAX + 1}) AS n) AS total FROM k"
        + (" JOIN repertoire_service s ON s.id = k.service_id" if tri == "nom" else "")
        + f" ORDER BY {ordre}, k.service_id LIMIT %s OFFSET %s"
    )
    return texte, [*params, *_parametres_distance(requete), limite, decalage]


def total_sql(requete: Requete) -> tuple[str, list]:
    """Le nombre de candidats dans tout le rayon, compté jusqu'à TOTAL_MAX + 1 seulement."""
    ctes, params = _candidats(requete, None)
    return f"{ctes} SELECT COUNT(*) FROM (SELECT 1 FROM k LIMIT {TOTAL_MAX + 1}) AS n", params


def _candidats(requete: Requete, cercle_km: float | None) -> tuple[str, list]:
    """Les CTE jusqu'à `k` : un candidat par ligne, son score, sa distance s'il est dans le
    cercle, et les drapeaux qui servent aux raisons.

    Chaque ensemble (mots, mots du nom, besoin reconnu) n'est sondé qu'une fois par candidat,
    dans `d` : chaque IN distinct coûterait une liste de plus. Autour d'un lieu, le besoin
    reconnu se vérifie fiche par fiche (EXISTS sur un index) plutôt que d'énumérer ses
    services dans toute la France.
    """
    moteur = moteur_de_la_base()
    sql = Sql()
    ensembles: list[str] = []
    drapeaux = {"dans_texte": "1 = 0", "dans_nom": "1 = 0", "dans_besoin": "1 = 0"}
    params_drapeaux: list = []
    if requete.groupes:
        for nom, cte, nom_seul in [("dans_texte", "t", False), ("dans_nom", "tn", True)]:
            sql.cte(cte, *moteur.cte_texte(requete.groupes, nom_seul=nom_seul))
            drapeaux[nom] = f"i.service_id IN (SELECT service_id FROM {cte})"
        ensembles.append("SELECT service_id FROM t")
    if requete.besoins_du_texte and requete.position:
        drapeaux["dans_besoin"] = _existe_besoin(requete.besoins_du_texte)
        params_drapeaux += list(requete.besoins_du_texte)
    elif requete.besoins_du_texte:
        sql.cte("th", *_services_des_besoins(requete.besoins_du_texte))
        drapeaux["dans_besoin"] = "i.service_id IN (SELECT service_id FROM th)"
        ensembles.append("SELECT service_id FROM th")
    texte = " UNION ".join(ensembles)
    ensembles = [texte] if texte else []
    if requete.position:
        lat, lon = requete.position
        sql.cte("pr", *moteur.cte_proches(lat, lon, cercle_km or requete.rayon_km))
        sql.cte("co", *_zones_couvrant(requete.commune))
        # Le cercle donne la distance ; zones et services à distance, seulement leur présence.
        ensembles = [
            "SELECT service_id, MIN(distance) AS distance FROM (SELECT service_id, distance "
            "FROM pr UNION ALL SELECT service_id, NULL FROM co UNION ALL SELECT service_id, "
            "NULL FROM repertoire_indexservice WHERE joignable_partout = %s) AS u "
            "GROUP BY service_id"
        ]
        sql.params.append(True)
        drapeaux["couvert"] = "i.service_id IN (SELECT service_id FROM co)"
    else:
        drapeaux["couvert"] = "1 = 0"
    filtres, params_filtres = _filtres(requete)
    if requete.besoins is not None and not ensembles:
        ensembles.append(_services_des_besoins(requete.besoins)[0])
        sql.params += list(requete.besoins)
    elif requete.besoins is not None:
        filtres.append(_existe_besoin(requete.besoins))
        params_filtres += list(requete.besoins)
    sql.cte("c", _intersection(ensembles, distance=bool(requete.position)), [])
    sql.cte(
        "d",
        "SELECT i.service_id, i.joignable_partout, c.distance AS dans_le_cercle, "
        + ", ".join(f"{expression} AS {nom}" for nom, expression in drapeaux.items())
        + " FROM c JOIN repertoire_indexservice i ON i.service_id = c.service_id"
        + (f" WHERE {' AND '.join(filtres)}" if filtres else ""),
        params_drapeaux + params_filtres,
    )
    points = " + ".join(
        f"CASE WHEN {nom} THEN {n} ELSE 0 END"
        for nom, n in [("dans_texte", 1), ("dans_nom", 1), ("dans_besoin", 2)]
    )
    condition = " WHERE dans_texte OR dans_besoin" if texte and requete.position else ""
    sql.cte("k", f"SELECT d.*, {points} AS score FROM d{condition}", [])
    return f"WITH {', '.join(sql.ctes)}", sql.params


def _intersection(ensembles: list[str], *, distance: bool) -> str:
    """Le premier ensemble (le lieu, qui porte la distance, s'il y en a un) filtré par les
    autres ; un IN sur une sous-requête, que les deux bases servent par un index éphémère."""
    if not ensembles:
        return "SELECT service_id, NULL AS distance FROM repertoire_indexservice"
    premier = (
        ensembles[0]
        if distance
        else f"SELECT service_id, NULL AS distance FROM ({ensembles[0]}) AS e"
    )
    conditions = [f"service_id IN ({ensemble})" for ensemble in ensembles[1:]]
    return f"SELECT * FROM ({premier}) AS e0" + (
        f" WHERE {' AND '.join(conditions)}" if conditions else ""
    )


def _distance_paresseuse(requete: Requete) -> str:
    """Dans le cercle, la distance vient du préfiltre ; hors du cercle (zone d'intervention,
    service à distance), elle n'est calculée que pour les lignes que le tri examine."""
    if not requete.position:
        return "NULL"
    distance = geo.distance_sql("p.latitude", "p.longitude", moteur_de_la_base().MINIMUM)
    return (
        "COALESCE(k.dans_le_cercle, (SELECT MIN("
        f"{distance}) FROM repertoire_pointservice p WHERE p.service_id = k.service_id))"
    )


def _parametres_distance(requete: Requete) -> list[float]:
    return geo.parametres_distance(*requete.position) if requete.position else []


def _services_des_besoins(besoins: dict[int, str]) -> tuple[str, list]:
    table = Service.besoins.through._meta.db_table
    return (
        f"SELECT DISTINCT service_id FROM {table} WHERE besoin_id IN ({_liste(besoins)})",
        list(besoins),
    )


def _existe_besoin(besoins: dict[int, str]) -> str:
    table = Service.besoins.through._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {table} sb WHERE sb.service_id = i.service_id "
        f"AND sb.besoin_id IN ({_liste(besoins)}))"
    )


def _zones_couvrant(commune: Commune | None) -> tuple[str, list]:
    """Services dont une zone d'intervention contient la commune (ou son arrondissement)."""
    table = ZoneIntervention._meta.db_table
    conditions, params = ["type = %s"], [ZoneIntervention.Type.FRANCE]
    if commune:
        codes = [commune.code_insee, commune.commune_parent_id or commune.code_insee]
        conditions += ["(type = %s AND code IN (%s, %s))", "(type = %s AND code = %s)"]
        params += [ZoneIntervention.Type.COMMUNE, *codes]
        params += [ZoneIntervention.Type.DEPARTEMENT, commune.departement_id]
        conditions.append("(type = %s AND code = %s)")
        params += [ZoneIntervention.Type.REGION, commune.departement.region_id]
        if commune.epci_id:
            conditions.append("(type = %s AND code = %s)")
            params += [ZoneIntervention.Type.EPCI, commune.epci_id]
    return f"SELECT DISTINCT service_id FROM {table} WHERE {' OR '.join(conditions)}", params


def _filtres(requete: Requete) -> tuple[list[str], list]:
    filtres: list[str] = []
    params: list = []
    if requete.publics is not None:
        table = Service.publics.through._meta.db_table
        filtres.append(
            f"EXISTS (SELECT 1 FROM {table} sp WHERE sp.service_id = i.service_id "
            f"AND sp.public_id IN ({_liste(requete.publics)}))"
        )
        params += requete.publics
    if requete.mode_accueil:
        filtres.append(f"i.{MODES_ACCUEIL[requete.mode_accueil]} = %s")
        params.append(True)
    if requete.mode_acces:
        filtres.append("i.modes_acces LIKE %s")
        params.append(f"% {requete.mode_acces} %")
    if requete.ouvert_le:
        filtre, params_ouvert = _filtre_ouvert(requete.ouvert_le)
        filtres.append(filtre)
        params += params_ouvert
    return filtres, params


def _filtre_ouvert(le: dt.datetime) -> tuple[str, list]:
    """`repertoire.horaires.est_ouvert` en SQL, même règle : un horaire exceptionnel du jour
    l'emporte (une fermeture sur tout) ; sinon un jour férié ferme, sauf service ouvert ces
    jours-là ; sinon la semaine type. « Jusqu'à 23:59 » vaut « jusqu'à minuit »."""
    if timezone.is_aware(le):
        le = timezone.localtime(le)
    ops = connection.ops
    jour = ops.adapt_datefield_value(le.date())
    heure = ops.adapt_timefield_value(le.time().replace(microsecond=0))
    minuit = ops.adapt_timefield_value(MINUIT)
    exceptions = (
        "SELECT 1 FROM repertoire_horaireexceptionnel e WHERE e.service_id = i.service_id "
        "AND e.date_debut <= %s AND e.date_fin >= %s"
    )
    dans = "{t}.ouverture <= %s AND ({t}.fermeture > %s OR {t}.fermeture = %s)"
    sql = (
        f"((EXISTS ({exceptions}) AND NOT EXISTS ({exceptions} AND e.ferme = %s) "
        f"AND EXISTS ({exceptions} AND {dans.format(t='e')})) "
        f"OR (NOT EXISTS ({exceptions}) "
        "AND EXISTS (SELECT 1 FROM repertoire_plagehoraire p WHERE p.service_id = i.service_id "
        f"AND p.jour = %s AND {dans.format(t='p')})"
    )
    params = [jour, jour, jour, jour, True, jour, jour, heure, heure, minuit, jour, jour]
    params += [le.weekday(), heure, heure, minuit]
    if est_ferie(le.date()):
        sql += (
            " AND EXISTS (SELECT 1 FROM repertoire_service sf WHERE sf.id = i.service_id "
            "AND sf.ouvert_jours_feries = %s)"
        )
        params.append(True)
    return sql + "))", params


# --- Les résultats ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ligne:
    service_id: int
    score: float
    dans_texte: bool
    distance: float | None
    proche: bool
    couvert: bool
    joignable_partout: bool


def executer(requete: Requete, *, tri: str, page: int, par_page: int) -> tuple[list[Ligne], int]:
    """Les lignes de la page et le total (plafonné à TOTAL_MAX + 1).

    Autour d'un lieu, on cherche d'abord dans un petit cercle : si la dernière ligne de la
    page y est et a le meilleur score possible, aucun service plus loin ne peut la devancer,
    et la page est exacte sans avoir mesuré tout le rayon. Sinon on élargit.
    """
    decalage = (page - 1) * par_page
    if _meilleurs_seaux_possibles(requete, tri):
        lignes = _meilleurs_seaux(requete, limite=par_page, decalage=decalage)
        if lignes is not None:
            return lignes, _total_texte(requete)
    cercle = _cercle_suivant(requete, tri, 0.0, 1, 0)
    while True:
        sql, params = requete_sql(
            requete, tri=tri, limite=par_page, decalage=decalage, cercle_km=cercle
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            brutes = cursor.fetchall()
        if cercle == requete.rayon_km or _page_sure(brutes, requete, tri, par_page):
            break
        trouves = brutes[0][-1] if brutes else 0
        cercle = _cercle_suivant(requete, tri, cercle, trouves, decalage + par_page)
    lignes = [_ligne(brute, requete) for brute in brutes]
    total = brutes[0][-1] if brutes else 0
    if (cercle != requete.rayon_km and total <= TOTAL_MAX) or (not brutes and decalage):
        total = _total(requete)
    return lignes, total


def _meilleurs_seaux_possibles(requete: Requete, tri: str) -> bool:
    return tri == "pertinence" and not requete.position and bool(requete.groupes)


def _meilleurs_seaux(requete: Requete, *, limite: int, decalage: int) -> list[Ligne] | None:
    """Sans lieu, le tri est score puis identifiant. Les deux meilleurs seaux — mots dans le
    nom, puis mots ailleurs seulement (avec le besoin reconnu s'il y en a un) — se lisent
    dans l'ordre de l'index, et la lecture s'arrête à la page, sans trier tous les candidats.
    None : ces deux seaux ne remplissent pas la page."""
    moteur = moteur_de_la_base()
    voulus, lignes = decalage + limite, []
    for nom_seul, score in ((True, _score_max(requete)), (False, _score_max(requete) - 1)):
        source, condition, params = moteur.source_texte(requete.groupes, nom_seul=nom_seul)
        conditions, params_filtres = _conditions_en_flux(requete)
        if not nom_seul:
            sql_nom, params_nom = moteur.cte_texte(requete.groupes, nom_seul=True)
            conditions.append(f"i.service_id NOT IN ({sql_nom})")
            params_filtres += params_nom
        sql = (
            f"SELECT i.service_id, i.joignable_partout FROM {source} "
            f"WHERE {' AND '.join([condition, *conditions])} ORDER BY i.service_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *params_filtres, voulus - len(lignes)])
            lignes += [
                Ligne(sid, score, True, None, False, False, bool(partout))
                for sid, partout in cursor.fetchall()
            ]
        if len(lignes) == voulus:
            return lignes[decalage:]
    return None


def _conditions_en_flux(requete: Requete) -> tuple[list[str], list]:
    """Les filtres et le besoin reconnu, vérifiés fiche par fiche (EXISTS sur des index)."""
    conditions, params = _filtres(requete)
    for besoins in (requete.besoins, requete.besoins_du_texte or None):
        if besoins is not None:
            conditions.append(_existe_besoin(besoins))
            params += list(besoins)
    return conditions, params


def _total_texte(requete: Requete) -> int:
    """Compté en flux sur les mots seuls : au-delà de TOTAL_MAX, inutile d'aller plus loin ;
    en deçà, le total exact (mots ou besoin reconnu) se compte sur un ensemble petit."""
    source, condition, params = moteur_de_la_base().source_texte(requete.groupes)
    conditions, params_filtres = _filtres(requete)
    if requete.besoins is not None:
        conditions.append(_existe_besoin(requete.besoins))
        params_filtres += list(requete.besoins)
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} "
        f"WHERE {' AND '.join([condition, *conditions])} LIMIT {TOTAL_MAX + 1}) AS n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params_filtres])
        total = cursor.fetchone()[0]
    return total if total > TOTAL_MAX else _total(requete)


def _cercle_suivant(requete: Requete, tri: str, cercle: float, trouves: int, voulus: int) -> float:
    """Le plus petit cercle où l'on attend deux fois les lignes voulues, à densité égale à
    celle du cercle précédent ; à défaut, le rayon entier."""
    rayon = requete.rayon_km
    if not requete.position or tri == "nom":
        return rayon
    for part in CERCLES:
        suivant = rayon * part
        assez = not cercle or trouves * (suivant / cercle) ** 2 >= 2 * voulus
        if suivant > cercle and suivant >= CERCLE_MIN_KM and assez:
            return suivant
    return rayon


def _page_sure(brutes: list, requete: Requete, tri: str, par_page: int) -> bool:
    if len(brutes) < par_page or brutes[-1][4] is None:
        return False
    return tri == "distance" or brutes[-1][1] == _score_max(requete)


def _score_max(requete: Requete) -> int:
    return (2 if requete.groupes else 0) + (2 if requete.besoins_du_texte else 0)


def _ligne(brute: tuple, requete: Requete) -> Ligne:
    sid, score, texte, distance, _, couvert, partout, _ = brute
    proche = distance is not None and distance <= requete.rayon_km
    return Ligne(sid, score, bool(texte), distance, proche, bool(couvert), bool(partout))


def _total(requete: Requete) -> int:
    sql, params = total_sql(requete)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def rechercher(critere: Critere, *, page: int = 1, par_page: int = 20) -> PageResultats:
    page = max(1, int(page))
    par_page = min(max(1, int(par_page)), PAR_PAGE_MAX)
    requete = Requete()
    try:
        comprendre(critere, requete)
    except SaisieIncomprise as erreur:
        message = " ".join([*requete.messages, str(erreur)])
        return PageResultats([], 0, page, par_page, commune=requete.commune, message=message)
    lignes, total = executer(requete, tri=critere.tri, page=page, par_page=par_page)
    services = _services({ligne.service_id for ligne in lignes})
    resultats = [
        Resultat(
            service=services[ligne.service_id],
            score=float(ligne.score),
            distance_km=ligne.distance,
            raisons=raisons(services[ligne.service_id], ligne, requete),
        )
        for ligne in lignes
    ]
    return PageResultats(
        resultats,
        total=min(total, TOTAL_MAX),
        page=page,
        par_page=par_page,
        commune=requete.commune,
        message=" ".join(requete.messages),
        total_exact=total <= TOTAL_MAX,
    )


def _services(ids: set[int]) -> dict[int, Service]:
    """La page et ce qu'elle affiche, en un nombre fixe de requêtes."""
    services = (
        Service.objects.filter(pk__in=ids)
        .select_related("structure")
        .prefetch_related(
            Prefetch("lieux", queryset=Lieu.objects.select_related("commune")), "besoins"
        )
    )
    return {service.pk: service for service in services}


def raisons(service: Service, ligne: Ligne, requete: Requete) -> list[str]:
    """Pourquoi ce service est là, en mots simples, du plus parlant au plus général."""
    besoins = {**requete.besoins_du_texte, **(requete.besoins or {})}
    phrases = [
        f"répond au besoin « {b.libelle} »" for b in service.besoins.all() if b.pk in besoins
    ]
    if ligne.dans_texte:
        phrases.append("contient « " + " ".join(g[0] for g in requete.groupes) + " »")
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
