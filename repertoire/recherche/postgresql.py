"""Moteur PostgreSQL : plein texte « autonomie_fr » (french + unaccent), clés en tsvector
« simple », mots en trigrammes, index GiST sur les points. Objets créés par les migrations
0002, 0004 et 0005 ; ce module les lit et les tient.
"""

from collections import defaultdict
from collections.abc import Sequence

from repertoire.recherche.expression import Cles, Et, Mots, Sauf
from repertoire.recherche.geo import boite, distance_sql, parametres_distance

MINIMUM = "least"
MOTS_MAX = 50  # au-delà, un préfixe se cherche tel quel
# Les clés d'une fiche se lisent sur sa ligne (`f.cles_document`), dans la requête même qui
# la trouve : `moteur._sans_les_aides` en profite.
CLES_SUR_LA_LIGNE = True


# Le tsvector du nom seul, tel que l'index `recherche_nom` (migration 0005) le connaît.
NOM = "to_tsvector('autonomie_fr'::regconfig, f.nom::text)"


def _requete_texte(terme: Mots, poids: str = "") -> str:
    """Chaque groupe : ses lexèmes exacts ou, à défaut, la racine de son préfixe (« aid:* ») ;
    tous les groupes requis. Les termes viennent de `termes_des_prefixes`, déjà racinisés :
    la requête se lit en configuration « simple ». Ils ne contiennent que [a-z0-9] : aucun
    opérateur tsquery saisi ne peut passer."""
    return " & ".join(
        "(" + " | ".join(_operande(t, poids) for t in alternatives) + ")"
        for alternatives in terme.groupes
        if alternatives
    )


def _operande(terme: str, poids: str) -> str:
    if terme.endswith("*"):
        return f"{terme[:-1]}:*{poids}"
    return f"{terme}:{poids}" if poids else terme


def _mots(terme: Mots, par_index: bool) -> tuple[str, list]:
    """Les mots du nom seul : par l'index du nom pour trouver les fiches, car le poids A de
    `document` ferait relire chaque fiche qui a le mot ailleurs ; mais, fiche par fiche, le
    poids A, qui évite d'analyser le nom à nouveau."""
    if terme.nom_seul and par_index:
        return f"{NOM} @@ to_tsquery('simple', %s)", [_requete_texte(terme)]
    poids = "A" if terme.nom_seul else ""
    return "f.document @@ to_tsquery('simple', %s)", [_requete_texte(terme, poids)]


def _rendre(terme, par_index: bool) -> tuple[str, list]:
    if isinstance(terme, Mots):
        return _mots(terme, par_index)
    if isinstance(terme, Cles):
        return "f.cles_document @@ to_tsquery('simple', %s)", [" | ".join(terme.cles)]
    if isinstance(terme, Sauf):
        gardee, params_gardee = _rendre(terme.gardee, par_index)
        exclue, params_exclue = _rendre(terme.exclue, False)
        return f"({gardee}) AND NOT ({exclue})", params_gardee + params_exclue
    parties = [_rendre(t, par_index) for t in terme.termes]
    operateur = " AND " if isinstance(terme, Et) else " OR "
    return (
        operateur.join(f"({sql})" for sql, _ in parties),
        [p for _, params in parties for p in params],
    )


def rendre(terme) -> tuple[str, list]:
    """L'expression en condition SQL : texte sur `document`, nom seul sur son index, clés sur
    `cles_document` ; le planificateur combine ces parcours d'index GIN. Ce qui est exclu
    (« sauf ») ne peut se lire par un index : vérifié fiche par fiche."""
    return _rendre(terme, True)


def source(terme) -> tuple[str, str, str, list]:
    """FROM, colonne identifiant, WHERE et paramètres des fiches qui satisfont l'expression."""
    where, params = rendre(terme) if terme is not None else ("TRUE", [])
    return "repertoire_indexservice f", "f.service_id", where, params


def drapeau(terme) -> tuple[str, list]:
    """Vrai si la fiche satisfait l'expression : les mêmes opérateurs, fiche par fiche."""
    return _rendre(terme, False)


def sql_proches(lat: float, lon: float, km: float) -> tuple[str, list]:
    """(service, distance) des points du rectangle englobant, par l'index GiST ; le cercle
    exact est appliqué par l'appelant."""
    sud, nord, ouest, est = boite(lat, lon, km)
    distance = distance_sql("latitude", "longitude", MINIMUM)
    sql = (
        f"SELECT service_id, {distance} FROM repertoire_pointservice "
        "WHERE point(longitude, latitude) <@ box(point(%s, %s), point(%s, %s))"
    )
    return sql, [*parametres_distance(lat, lon), ouest, sud, est, nord]


def termes_des_prefixes(cursor, prefixes: list[str]) -> dict[str, list[str]]:
    """Pour chaque préfixe par lequel commence au moins un mot de l'index : les lexèmes
    (racines) de ses mots s'ils sont au plus MOTS_MAX, sinon la racine du préfixe
    (« adapt* »). GIN lit un lexème exact par sa liste ; un préfixe l'oblige à réunir celles
    de tous ses lexèmes dans une table de bits, trois fois plus lent pour un mot courant.
    Un mot vide du français (« nous ») donne une liste vide : il ne contraint rien, comme
    `to_tsquery` l'ignorerait."""
    if not prefixes:
        return {}
    cursor.execute(
        "SELECT p.prefixe, m.mot, "
        "ARRAY(SELECT lexeme FROM unnest(to_tsvector('autonomie_fr', m.mot))), "
        "ARRAY(SELECT lexeme FROM unnest(to_tsvector('autonomie_fr', p.prefixe))) "
        "FROM unnest(%s::text[]) AS p(prefixe) CROSS JOIN LATERAL "
        "(SELECT mot FROM recherche_mot WHERE mot LIKE p.prefixe || '%%' LIMIT %s) AS m",
        [prefixes, MOTS_MAX + 1],
    )
    mots: dict[str, list[str]] = defaultdict(list)
    lexemes: dict[str, set[str]] = defaultdict(set)
    racines: dict[str, list[str]] = {}
    for prefixe, mot, lexemes_du_mot, racine in cursor.fetchall():
        mots[prefixe].append(mot)
        lexemes[prefixe].update(lexemes_du_mot)
        racines[prefixe] = [f"{lexeme}*" for lexeme in racine]
    return {
        prefixe: sorted(lexemes[prefixe])
        if racines[prefixe] and len(liste) <= MOTS_MAX and lexemes[prefixe]
        else racines[prefixe]
        for prefixe, liste in mots.items()
    }


def mots_existants(cursor, candidats: list[str]) -> set[str]:
    if not candidats:
        return set()
    # Une jointure sur la liste : avec `mot = ANY(…)`, le planificateur préfère l'index des
    # trigrammes à la clé primaire (12 ms au lieu de 0,3 pour 233 candidats).
    cursor.execute(
        "SELECT m.mot FROM unnest(%s::text[]) AS c(mot) JOIN recherche_mot m ON m.mot = c.mot",
        [candidats],
    )
    return {ligne[0] for ligne in cursor.fetchall()}


def retirer(cursor, service_ids: list[int]) -> None:
    """Rien à faire : tsvector et points suivent les lignes ; un mot orphelin ne gêne pas."""


def ajouter(cursor, fiches: Sequence[tuple], points: Sequence[tuple]) -> None:
    """Verse les mots des fiches dans le vocabulaire, sans accents ni majuscules ; tsvector
    et points suivent les lignes (`index.COLONNES_INDEX`)."""
    service_ids = [fiche[0] for fiche in fiches]
    cursor.execute(
        "INSERT INTO recherche_mot (mot) SELECT DISTINCT mot FROM repertoire_indexservice, "
        "regexp_split_to_table(lower(unaccent(nom || ' ' || texte)), '[^a-z0-9]+') AS mot "
        "WHERE service_id = ANY(%s) AND length(mot) BETWEEN 2 AND 60 ON CONFLICT DO NOTHING",
        [service_ids],
    )


def vider(cursor) -> None:
    cursor.execute("TRUNCATE recherche_mot")


# Index GIN dont la liste d'attente se vide après une reconstruction (migration 0019).
INDEX_GIN = ("recherche_document", "recherche_cles", "recherche_nom", "recherche_mot_trigrammes")


def optimiser(cursor) -> None:
    """Après une reconstruction : des statistiques à jour, et les listes d'attente GIN vidées
    (chaque recherche relit sinon la sienne, jusqu'à 256 ko). Seul le propriétaire d'un index
    peut vider sa liste : un autre rôle la laisse à l'autovacuum."""
    cursor.execute("ANALYZE repertoire_indexservice")
    cursor.execute("ANALYZE repertoire_pointservice")
    cursor.execute("ANALYZE recherche_mot")
    cursor.execute(
        "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
        "WHERE c.oid = ANY(%s::regclass[]) AND pg_has_role(c.relowner, 'USAGE')",
        [list(INDEX_GIN)],
    )
