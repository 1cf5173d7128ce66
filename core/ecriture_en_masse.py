"""Écritures en masse communes aux imports et aux générateurs : clés réservées avant
l'insertion, INSERT sans instancier de modèles (COPY sous PostgreSQL), cache SQLite agrandi.

Le SQL n'est assemblé qu'à partir de `connection.ops` et des noms que Django cite lui-même.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.utils import timezone

from core.imports import par_lots

TAILLE_LOT = 1000


@contextmanager
def cache_sqlite_agrandi(kio: int = 131_072) -> Iterator[None]:
    """Le cache de pages SQLite (2 Mio par défaut) fait relire les index à chaque insertion
    au-delà de quelques dizaines de milliers de lignes ; 128 Mio le temps de l'import."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as curseur:
        curseur.execute("PRAGMA cache_size")
        (avant,) = curseur.fetchone()
        curseur.execute(f"PRAGMA cache_size = -{kio}")
    try:
        yield
    finally:
        with connection.cursor() as curseur:
            curseur.execute(f"PRAGMA cache_size = {int(avant)}")


def reserver_cles(modele: type[models.Model], nombre: int) -> list[int]:
    """Réserve des clés primaires avant un INSERT en masse, pour relier les lignes sans relire.

    PostgreSQL : la séquence les distribue. SQLite : l'import tient le verrou d'écriture
    (transaction IMMEDIATE) et AUTOINCREMENT garantit qu'une clé n'a jamais servi au-delà
    de sqlite_sequence.
    """
    if not nombre:
        return []
    table = modele._meta.db_table
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, nombre],
            )
            return [cle for (cle,) in curseur.fetchall()]
        curseur.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [table])
        (dernier,) = curseur.fetchone()
        curseur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        dernier = max(dernier or 0, curseur.fetchone()[0] or 0)
    return list(range(dernier + 1, dernier + 1 + nombre))


def inserer(
    modele: type[models.Model],
    colonnes: Sequence[str],
    lignes: Iterable[Sequence],
    *,
    sans_conflit: bool = False,
) -> None:
    """INSERT en masse, sans instancier de modèles.

    Mesuré sur 27 981 ET (SQLite) : quatre fois moins de CPU que bulk_create, dont le coût est
    l'instanciation des modèles et la préparation champ par champ. Les valeurs sont déjà
    prêtes pour la base ; les colonnes non fournies reçoivent leur valeur par défaut,
    auto_now et auto_now_add l'heure courante.
    """
    maintenant = connection.ops.adapt_datetimefield_value(timezone.now())
    complements = {}
    for champ in modele._meta.concrete_fields:
        if champ.column in colonnes or champ.primary_key:
            continue
        if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False):
            complements[champ.column] = maintenant
        elif champ.has_default() or not champ.null:
            complements[champ.column] = champ.get_db_prep_save(champ.get_default(), connection)
    toutes = [*colonnes, *complements]
    fixes = tuple(complements.values())
    conflit = OnConflict.IGNORE if sans_conflit else None
    nom = connection.ops.quote_name
    debut = (
        f"{connection.ops.insert_statement(on_conflict=conflit)} {nom(modele._meta.db_table)} "
        f"({', '.join(nom(c) for c in toutes)}) VALUES "
    )
    fin = connection.ops.on_conflict_suffix_sql([], conflit, [], [])
    valeurs = f"({', '.join(['%s'] * len(toutes))})"
    with connection.cursor() as curseur:
        if connection.vendor != "postgresql":
            # SQLite : une requête préparée, rejouée sans aller-retour réseau.
            for lot in par_lots(lignes, TAILLE_LOT):
                curseur.executemany(f"{debut}{valeurs} {fin}", [(*ligne, *fixes) for ligne in lot])
        elif not sans_conflit:
            # PostgreSQL : COPY ; mesuré 5,6 s contre 20,5 s avec executemany (27 981 ET).
            table = nom(modele._meta.db_table)
            colonnes_sql = ", ".join(nom(c) for c in toutes)
            with curseur.cursor.copy(f"COPY {table} ({colonnes_sql}) FROM STDIN") as copie:
                for ligne in lignes:
                    copie.write_row((*ligne, *fixes))
        else:
            # COPY ignore ON CONFLICT : VALUES multiples, un aller-retour par lot.
            for lot in par_lots(lignes, TAILLE_LOT):
                parametres = [valeur for ligne in lot for valeur in (*ligne, *fixes)]
                curseur.execute(f"{debut}{', '.join([valeurs] * len(lot))} {fin}", parametres)
