"""Le journal des imports FINESS (ImportFiness) appartient désormais à l'application echanges.

Seul l'état des migrations change ici : la table reste, et echanges/0001 la reprend (et la
renomme) sans perdre une ligne.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('repertoire', '0007_champs_corriges_a_la_main'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportFiness')],
            database_operations=[],
        ),
    ]
