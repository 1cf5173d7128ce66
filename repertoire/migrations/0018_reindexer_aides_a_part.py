"""Réindexe une fois les fiches : les aides (APA, ASH…) portent leurs clés (ADR 17) et le
nom de la structure rejoint le texte. Aucun changement de schéma ; le code courant écrit
l'index, comme la migration 0004 : à garder après toute migration qui change l'index."""

from django.db import migrations


def reindexer(apps, schema_editor) -> None:
    if apps.get_model("repertoire", "IndexService").objects.exists():
        from repertoire.recherche.index import indexer_services

        indexer_services()


class Migration(migrations.Migration):
    dependencies = [("repertoire", "0017_comptage_des_recherches")]

    operations = [migrations.RunPython(reindexer, migrations.RunPython.noop)]
