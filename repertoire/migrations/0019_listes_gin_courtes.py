"""PostgreSQL : une liste d'attente courte (256 ko au lieu de 4 Mo) pour les index GIN de la
recherche, vidée une fois ici.

Un index GIN écrit d'abord les nouvelles entrées dans une liste d'attente que chaque
recherche relit en entier, jusqu'à ce qu'elle dépasse `gin_pending_list_limit` ou qu'un
VACUUM passe. Après une réindexation du banc (300 000 services), il y restait 400 pages par
index : 2,8 ms de plus pour chaque condition plein texte, même sur une clé qu'aucune fiche
ne porte, et un planificateur qui surestime le coût des index (Nevers, EHPAD : 70 → 20 ms).
À 256 ko, l'écriture en masse ne ralentit pas (30 000 fiches : ≈ 6 s dans les deux cas ;
sans liste d'attente, `fastupdate = off`, 11 à 17 s).
"""

from django.db import migrations

INDEX = ("recherche_document", "recherche_cles", "recherche_nom", "recherche_mot_trigrammes")


def raccourcir(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEX:
        schema_editor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = 256)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def retablir(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEX:
        schema_editor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("repertoire", "0018_reindexer_aides_a_part")]

    operations = [migrations.RunPython(raccourcir, retablir)]
