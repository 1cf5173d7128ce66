"""Les clés de recherche (besoins, publics, modes, zones, mailles des lieux) indexées avec le
texte, pour qu'une recherche entière soit une seule expression de l'index plein texte.

SQLite : l'index FTS5 reçoit une colonne `cles` (recréé ; fts5vocab n'est plus lu depuis la
0003). PostgreSQL : tsvector « simple » généré et son index GIN. Les colonnes de modes de la
fiche disparaissent (ce sont maintenant des clés) ; un index couvrant (service, latitude,
longitude) donne la distance d'un candidat sans lire la table. Les fiches existantes sont
réindexées par le code courant : à garder comme dernière migration de l'index.
"""

from django.db import migrations, models

SQLITE = [
    (
        "DROP TABLE recherche_vocabulaire",
        "CREATE VIRTUAL TABLE recherche_vocabulaire USING fts5vocab(recherche_fts, 'row')",
    ),
    (
        "DROP TABLE recherche_fts",
        "CREATE VIRTUAL TABLE recherche_fts USING fts5(nom, texte, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
    ),
    (
        "CREATE VIRTUAL TABLE recherche_fts USING fts5(nom, texte, cles, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
        "DROP TABLE recherche_fts",
    ),
]

POSTGRESQL = [
    (
        "ALTER TABLE repertoire_indexservice ADD COLUMN cles_document tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, cles)) STORED",
        "ALTER TABLE repertoire_indexservice DROP COLUMN cles_document",
    ),
    (
        "CREATE INDEX recherche_cles ON repertoire_indexservice USING gin (cles_document)",
        "DROP INDEX recherche_cles",
    ),
]


def _instructions(schema_editor) -> list[tuple[str, str]]:
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])


def creer(apps, schema_editor) -> None:
    for creation, _ in _instructions(schema_editor):
        schema_editor.execute(creation)
    if apps.get_model("repertoire", "Service").objects.exists():
        from repertoire.recherche.index import indexer_services

        indexer_services()


def supprimer(apps, schema_editor) -> None:
    for _, suppression in reversed(_instructions(schema_editor)):
        if suppression:
            schema_editor.execute(suppression)


class Migration(migrations.Migration):
    dependencies = [("repertoire", "0003_mots_de_l_index_sur_sqlite")]

    operations = [
        migrations.RemoveField(model_name="indexservice", name="a_distance"),
        migrations.RemoveField(model_name="indexservice", name="a_domicile"),
        migrations.RemoveField(model_name="indexservice", name="modes_acces"),
        migrations.RemoveField(model_name="indexservice", name="sur_place"),
        migrations.AddField(
            model_name="indexservice",
            name="cles",
            field=models.TextField(
                default="",
                help_text="besoins, publics, modes, zones et mailles des lieux "
                "(recherche.expression)",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="pointservice",
            index=models.Index(
                fields=["service", "latitude", "longitude"], name="point_service_coords"
            ),
        ),
        migrations.RunPython(creer, supprimer),
    ]
