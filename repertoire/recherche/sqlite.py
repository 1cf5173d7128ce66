"""Moteur SQLite : FTS5 pour le texte et les clés (besoins, publics, lieux…), une table de
mots pour les fautes de frappe, R*Tree pour les points.

Tables créées par les migrations 0002 à 0004 ; ce module les lit et les tient.
"""

from collections import defaultdict
from collections.abc import Sequence

from repertoire.recherche.expression import Cles, Et, Mots, Sauf
from repertoire.recherche.geo import boite, distance_sql, parametres_distance

MINIMUM = "min"
PREFIXE_INDEXE = 4  # prefix = '2 3 4' dans la migration 0002
MOTS_MAX = 50  # au-delà, un préfixe reste un préfixe


# Par connexion : l'index (≈ 700 Mo pour 300 000 services) lu par mmap plutôt que copié, un
# cache de pages de 64 Mo au lieu de 2, les tris temporaires en mémoire. ≈ 15 % sur le banc.
REGLAGES = ("PRAGMA mmap_size = 1073741824", "PRAGMA cache_size = -65536", "PRAGMA temp_store = 2")


def regler_connexion(sender, connection, **kwargs) -> None:
    """Branché sur `connection_created` : sans effet hors de SQLite."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for reglage in REGLAGES:
                cursor.execute(reglage)


def _liste(valeurs: Sequence) -> str:
    return ", ".join(["%s"] * len(valeurs))


def rendre(terme) -> str:
    """L'expression en syntaxe FTS5. Mots et clés ne contiennent que [a-z0-9] : aucun
    opérateur saisi ne peut passer ; chaque famille est bornée à sa colonne."""
    if isinstance(terme, Mots):
        colonnes = "nom" if terme.nom_seul else "nom texte"
        groupes = " AND ".join(
            "(" + " OR ".join(_terme(t) for t in alternatives) + ")"
            for alternatives in terme.groupes
        )
        return f"{{{colonnes}}} : ({groupes})"
    if isinstance(terme, Cles):
        return "{cles} : (" + " OR ".join(f'"{cle}"' for cle in terme.cles) + ")"
    if isinstance(terme, Sauf):
        return f"({rendre(terme.gardee)}) NOT ({rendre(terme.exclue)})"
    operateur = " AND " if isinstance(terme, Et) else " OR "
    return operateur.join(f"({rendre(t)})" for t in terme.termes)


def _terme(terme: str) -> str:
    return f'"{terme[:-1]}"*' if terme.endswith("*") else f'"{terme}"'


def source(terme) -> tuple[str, str, str, list]:
    """FROM, colonne identifiant, WHERE et paramètres des fiches qui satisfont l'expression ;
    FTS5 les rend dans l'ordre des identifiants et s'arrête à la limite."""
    if terme is None:
        return "repertoire_indexservice f", "f.service_id", "1 = 1", []
    return "recherche_fts f", "f.rowid", "f.recherche_fts MATCH %s", [rendre(terme)]


def drapeau(terme) -> tuple[str, list]:
    """Vrai si la fiche `f` (repertoire_indexservice) satisfait l'expression (mots ou clés),
    vérifié sur son texte, déjà normalisé comme l'index (`expression.texte_indexe`) : même sens
    que FTS5, sans l'index."""
    if isinstance(terme, Mots):
        texte = "' ' || f.nom || ' '" if terme.nom_seul else "' ' || f.nom || ' ' || f.texte || ' '"
        groupes = [
            "(" + " OR ".join(f"{texte} LIKE %s" for _ in alternatives) + ")"
            for alternatives in terme.groupes
        ]
        params = [
            f"% {t[:-1]}%" if t.endswith("*") else f"% {t} %"
            for alternatives in terme.groupes
            for t in alternatives
        ]
        return "(" + " AND ".join(groupes) + ")", params
    cles = " OR ".join("' ' || f.cles || ' ' LIKE %s" for _ in terme.cles)
    return f"({cles})", [f"% {cle} %" for cle in terme.cles]


def sql_proches(lat: float, lon: float, km: float) -> tuple[str, list]:
    """(service, distance) des points du rectangle englobant, par le R*Tree, distance lue
    dans ses colonnes auxiliaires ; le cercle exact est appliqué par l'appelant."""
    sud, nord, ouest, est = boite(lat, lon, km)
    distance = distance_sql("latitude", "longitude", MINIMUM)
    sql = (
        f"SELECT service_id, {distance} FROM recherche_points "
        "WHERE min_lat <= %s AND max_lat >= %s AND min_lon <= %s AND max_lon >= %s"
    )
    return sql, [*parametres_distance(lat, lon), nord, sud, est, ouest]


def termes_des_prefixes(cursor, prefixes: list[str]) -> dict[str, list[str]]:
    """Pour chaque préfixe par lequel commence au moins un mot de l'index, les termes à
    demander à FTS5 : le préfixe lui-même (« aide* ») s'il a un index de préfixes ou trop de
    mots, sinon ses mots exacts. Un préfixe plus long que l'index de préfixes oblige FTS5 à
    fusionner en mémoire les fiches de tous ses mots (≈ 3 ms pour un mot courant, à chaque
    requête) ; un mot exact se lit au fil de l'index."""
    if not prefixes:
        return {}
    sql = " UNION ALL ".join(
        "SELECT * FROM (SELECT %s, mot FROM recherche_mot WHERE mot >= %s AND mot < %s LIMIT %s)"
        for _ in prefixes
    )
    params = [
        p for prefixe in prefixes for p in (prefixe, prefixe, prefixe + "\uffff", MOTS_MAX + 1)
    ]
    cursor.execute(sql, params)
    mots: dict[str, list[str]] = defaultdict(list)
    for prefixe, mot in cursor.fetchall():
        mots[prefixe].append(mot)
    return {
        prefixe: liste
        if len(prefixe) > PREFIXE_INDEXE and len(liste) <= MOTS_MAX
        else [f"{prefixe}*"]
        for prefixe, liste in mots.items()
    }


def mots_existants(cursor, candidats: list[str]) -> set[str]:
    if not candidats:
        return set()
    cursor.execute(f"SELECT mot FROM recherche_mot WHERE mot IN ({_liste(candidats)})", candidats)
    return {ligne[0] for ligne in cursor.fetchall()}


def retirer(cursor, service_ids: list[int]) -> None:
    """À appeler avant de supprimer les fiches : les tables virtuelles n'ont pas de cascade."""
    liste = _liste(service_ids)
    cursor.execute(f"DELETE FROM recherche_fts WHERE rowid IN ({liste})", service_ids)
    cursor.execute(
        "DELETE FROM recherche_points WHERE id IN "
        f"(SELECT id FROM repertoire_pointservice WHERE service_id IN ({liste}))",
        service_ids,
    )


def ajouter(cursor, fiches: Sequence[tuple], points: Sequence[tuple]) -> None:
    """Verse dans FTS5, le R*Tree et la table des mots les lignes qui viennent d'être écrites
    (`index.COLONNES_INDEX`, `index.COLONNES_POINT`), sans les relire."""
    cursor.executemany(
        "INSERT INTO recherche_fts (rowid, nom, texte, cles) VALUES (%s, %s, %s, %s)",
        [fiche[:4] for fiche in fiches],
    )
    cursor.executemany(
        "INSERT INTO recherche_points VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [(cle, lat, lat, lon, lon, service, lat, lon) for cle, service, _, lat, lon in points],
    )
    # Déjà normalisés (expression.texte_indexe) ; les textes se répètent d'une catégorie à
    # l'autre : chacun n'est découpé qu'une fois.
    textes = {nom for _, nom, *_ in fiches} | {texte for _, _, texte, *_ in fiches}
    mots = {mot for texte in textes for mot in texte.split() if 2 <= len(mot) <= 60}
    cursor.executemany("INSERT OR IGNORE INTO recherche_mot VALUES (%s)", [[m] for m in mots])


def vider(cursor) -> None:
    cursor.execute("DELETE FROM recherche_mot")
    cursor.execute("DELETE FROM recherche_fts")
    cursor.execute("DELETE FROM recherche_points")


def optimiser(cursor) -> None:
    cursor.execute("INSERT INTO recherche_fts (recherche_fts) VALUES ('optimize')")
