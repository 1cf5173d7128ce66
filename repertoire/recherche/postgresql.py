"""Moteur PostgreSQL : plein texte « autonomie_fr » (french + unaccent), mots en trigrammes,
index GiST sur les points. Objets créés par la migration 0002 ; ce module les lit et les tient.
"""

from repertoire.recherche.geo import boite, distance_sql, parametres_distance

MINIMUM = "least"


def _expression(groupes: list[list[str]], poids: str) -> str:
    """Chaque mot racinisé en préfixe (« aidants » → aid:*) ; tous les mots requis. Les mots
    ne contiennent que [a-z0-9] : aucun opérateur tsquery saisi ne peut passer."""
    return " & ".join(
        "(" + " | ".join(f"{mot}:*{poids}" for mot in alternatives) + ")"
        for alternatives in groupes
    )


def cte_texte(groupes: list[list[str]], *, nom_seul: bool = False) -> tuple[str, list]:
    """Le nom a le poids A dans la colonne `document` : « nom seul » filtre sur ce poids."""
    return (
        "SELECT service_id FROM repertoire_indexservice "
        "WHERE document @@ to_tsquery('autonomie_fr', %s)",
        [_expression(groupes, "A" if nom_seul else "")],
    )


def source_texte(groupes: list[list[str]], *, nom_seul: bool = False) -> tuple[str, str, list]:
    """FROM (l'index alias `i`), WHERE et paramètres, pour parcourir les fiches qui
    contiennent les mots et s'arrêter dès que la page est pleine."""
    return (
        "repertoire_indexservice i",
        "i.document @@ to_tsquery('autonomie_fr', %s)",
        [_expression(groupes, "A" if nom_seul else "")],
    )


def cte_proches(lat: float, lon: float, km: float) -> tuple[str, list]:
    """Préfiltre GiST sur le rectangle englobant, puis distance exacte."""
    sud, nord, ouest, est = boite(lat, lon, km)
    distance = distance_sql("latitude", "longitude", MINIMUM)
    sql = (
        f"SELECT * FROM (SELECT service_id, MIN({distance}) AS distance "
        "FROM repertoire_pointservice "
        "WHERE point(longitude, latitude) <@ box(point(%s, %s), point(%s, %s)) "
        "GROUP BY service_id) AS proches WHERE distance <= %s"
    )
    return sql, [*parametres_distance(lat, lon), ouest, sud, est, nord, km]


def prefixes_connus(cursor, prefixes: list[str]) -> set[str]:
    """Les préfixes par lesquels commence au moins un mot de l'index (LIKE servi par pg_trgm)."""
    if not prefixes:
        return set()
    cursor.execute(
        "SELECT prefixe FROM unnest(%s::text[]) AS prefixe WHERE EXISTS "
        "(SELECT 1 FROM recherche_mot WHERE mot LIKE prefixe || '%%')",
        [prefixes],
    )
    return {ligne[0] for ligne in cursor.fetchall()}


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
