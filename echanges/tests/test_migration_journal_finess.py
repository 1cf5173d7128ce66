"""Le journal des imports FINESS passe de repertoire à echanges sans perdre une ligne."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from echanges.models import ImportFiness

AVANT = [("repertoire", "0007_champs_corriges_a_la_main"), ("echanges", None)]
APRES = [
    ("repertoire", "0008_journal_des_imports_finess_passe_a_echanges"),
    ("echanges", "0001_journal_des_imports_finess"),
]


def migrer(cibles: list[tuple[str, str | None]]) -> None:
    executeur = MigrationExecutor(connection)
    executeur.loader.build_graph()
    executeur.migrate(cibles)


def toutes_les_dernieres() -> list[tuple[str, str]]:
    """Revenir à 0007 défait aussi les migrations venues après (dans repertoire et dans les
    applications qui en dépendent) : on les rejoue toutes, pas seulement APRES."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def base_hors_transaction(django_db_setup, django_db_blocker) -> Iterator[None]:
    """La base de test, hors de la transaction d'un test : SQLite ne renomme pas une table dans
    un bloc atomique. Le test remet lui-même la base comme il l'a trouvée (pas de remise à zéro
    de toute la base, qui effacerait communes et thésaurus chargés pour la session)."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            migrer(toutes_les_dernieres())
            ImportFiness.objects.all().delete()


@pytest.mark.usefixtures("base_hors_transaction")
def test_les_imports_deja_journalises_restent_apres_le_deplacement():
    migrer(AVANT)
    with connection.cursor() as curseur:
        curseur.execute(
            "INSERT INTO repertoire_importfiness "
            "(fichier, perimetre, etablissements, geolocalises, debut) "
            "VALUES ('finess.csv', '58', 169, 160, '2026-01-08 10:00:00+00:00')"
        )

    migrer(APRES)

    journal = ImportFiness.objects.get()
    assert (journal.fichier, journal.etablissements, journal.geolocalises) == (
        "finess.csv",
        169,
        160,
    )
    assert "repertoire_importfiness" not in connection.introspection.table_names()
