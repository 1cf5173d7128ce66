"""PostgreSQL : un index GIN sur le tsvector du seul nom, pour les mots cherchés dans le nom.

Dans `document`, le nom a le poids A ; mais un index GIN ne sait pas les poids : « aid:*A »
y relisait chaque fiche qui contient le mot n'importe où (62 000 pour « handicap
psychique », 300 ms), et le planificateur, qui ne voit pas non plus les poids, surestimait
les fiches trouvées et parcourait toute la table dans l'ordre des identifiants. Un index
d'expression ne réécrit pas la table ; ses statistiques donnent les bonnes estimations.
"""

from django.db import migrations

CREATION = (
    "CREATE INDEX recherche_nom ON repertoire_indexservice "
    "USING gin (to_tsvector('autonomie_fr'::regconfig, nom::text))"
)


def creer(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATION)
        schema_editor.execute("ANALYZE repertoire_indexservice")


def supprimer(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX recherche_nom")


class Migration(migrations.Migration):
    dependencies = [("repertoire", "0004_cles_de_recherche")]

    operations = [migrations.RunPython(creer, supprimer)]
