"""SQLite : les mots de l'index dans une table ordinaire (clé primaire), comme sur PostgreSQL.

fts5vocab compte les fiches de chaque mot à la lecture : vérifier qu'un préfixe existe y
coûtait plusieurs millisecondes par mot courant ; une recherche par intervalle sur la clé,
quelques microsecondes. La table est remplie depuis l'index existant.
"""

from django.db import migrations


def creer(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE TABLE recherche_mot (mot TEXT PRIMARY KEY) WITHOUT ROWID")
        schema_editor.execute(
            "INSERT INTO recherche_mot SELECT term FROM recherche_vocabulaire "
            "WHERE length(term) BETWEEN 2 AND 60"
        )


def supprimer(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE recherche_mot")


class Migration(migrations.Migration):
    dependencies = [("repertoire", "0002_index_de_recherche")]

    operations = [migrations.RunPython(creer, supprimer)]
