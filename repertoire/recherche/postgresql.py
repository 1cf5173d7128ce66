"""Moteur PostgreSQL : plein texte « autonomie_fr » (french + unaccent), clés en tsvector
« simple », mots en trigrammes, index GiST sur les points. Objets créés par les migrations
0002 et 0004 ; ce module les lit et les tient.
"""

from repertoire.recherche.expression import Cles, Et, Mots, Sauf
from repertoire.recherche.geo import boite, distance_sql, parametres_distance

MINIMUM = "least"


def _requete_texte(terme: Mots) -> str:
    """Chaque mot racinisé en préfixe (« aidants » → aid:*) ; tous les mots requis ; le nom a
    le poids A dans `document`. Les mots ne contiennent que [a-z0-9] : aucun opérateur
    tsquery saisi ne peut passer."""
    poids = "A" if terme.nom_seul else ""
    return " & ".join(
        "(" + " | ".join(f"{mot.rstrip('*')}:*{poids}" for mot in alternatives) + ")"
        for alternatives in terme.groupes
    )


def rendre(terme) -> tuple[str, list]:
    """L'expression en condition SQL : texte sur `document`, clés sur `cles_document`, que le
    planificateur combine par des parcours d'index GIN."""
    if isinstance(terme, Mots):
        return "f.document @@ to_tsquery('autonomie_fr', %s)", [_requete_texte(terme)]
    if isinstance(terme, Cles):
        return "f.cles_document @@ to_tsquery('simple', %s)", [" | ".join(terme.cles)]
    if isinstance(terme, Sauf):
        gardee, params_gardee = rendre(terme.gardee)
        exclue, params_exclue = rendre(terme.exclue)
        return f"({gardee}) AND NOT ({exclue})", params_gardee + params_exclue
    parties = [rendre(t) for t in terme.termes]
    operateur = " AND " if isinstance(terme, Et) else " OR "
    return (
        operateur.join(f"({sql})" for sql, _ in parties),
        [p for _, params in parties for p in params],
    )


def source(terme, *, fiche: bool = False) -> tuple[str, str, str, list]:
    """FROM, colonne identifiant, WHERE et paramètres des fiches qui satisfont l'expression ;
    la source est la fiche elle-même, `fiche` n'y change rien."""
    where, params = rendre(terme) if terme is not None else ("TRUE", [])
    return "repertoire_indexservice f", "f.service_id", where, params


def drapeau(terme) -> tuple[str, list]:
    """Vrai si la fiche satisfait l'expression : le même opérateur, ligne par ligne."""
    return rendre(terme)


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
    """Les préfixes par lesquels commence au moins un mot de l'index (LIKE servi par pg_trgm),
    cherchés tels quels : GIN parcourt ses lexèmes par préfixe."""
    if not prefixes:
        return {}
    cursor.execute(
        "SELECT prefixe FROM unnest(%s::text[]) AS prefixe WHERE EXISTS "
        "(SELECT 1 FROM recherche_mot WHERE mot LIKE prefixe || '%%')",
        [prefixes],
    )
    return {ligne[0]: [f"{ligne[0]}*"] for ligne in cursor.fetchall()}


def mots_existants(cursor, candidats: list[str]) -> set[str]:
    if not candidats:
        return set()
    cursor.execute("SELECT mot FROM recherche_mot WHERE mot = ANY(%s)", [candidats])
    return {ligne[0] for ligne in cursor.fetchall()}


def retirer(cursor, service_ids: list[int]) -> None:
    """Rien à faire : tsvector et points suivent les lignes ; un mot orphelin ne gêne pas."""


def ajouter(cursor, service_ids: list[int]) -> None:
    """Verse les mots des fiches dans le vocabulaire, sans accents ni majuscules."""
    cursor.execute(
        "INSERT INTO recherche_mot (mot) SELECT DISTINCT mot FROM repertoire_indexservice, "
        "regexp_split_to_table(lower(unaccent(nom || ' ' || texte)), '[^a-z0-9]+') AS mot "
        "WHERE service_id = ANY(%s) AND length(mot) BETWEEN 2 AND 60 ON CONFLICT DO NOTHING",
        [service_ids],
    )


def vider(cursor) -> None:
    cursor.execute("TRUNCATE recherche_mot")


def optimiser(cursor) -> None:
    cursor.execute("ANALYZE repertoire_indexservice")
    cursor.execute("ANALYZE repertoire_pointservice")
    cursor.execute("ANALYZE recherche_mot")
