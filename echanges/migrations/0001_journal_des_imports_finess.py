"""Le journal des imports FINESS, venu de repertoire (repertoire/0006 l'avait créé).

La table existante est reprise telle quelle (état seul), puis renommée
repertoire_importfiness → echanges_importfiness : ses lignes, référence du seuil de baisse
(docs/adr/0005-import-finess-en-production.md), restent. Le type de contenu suit, pour que les
permissions déjà données et le journal de l'admin visent le même modèle.
"""

import django.utils.timezone
from django.db import migrations, models


def type_de_contenu_vers(depuis: str, vers: str):
    def deplacer(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        types = ContentType.objects.using(schema_editor.connection.alias)
        if not types.filter(app_label=vers, model='importfiness').exists():
            types.filter(app_label=depuis, model='importfiness').update(app_label=vers)

    return deplacer


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('repertoire', '0008_journal_des_imports_finess_passe_a_echanges'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportFiness',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fichier', models.CharField(max_length=255)),
                        ('date_fichier', models.DateField(blank=True, null=True, verbose_name="date d'extraction")),
                        ('perimetre', models.TextField(help_text='départements et catégories importés')),
                        ('etablissements', models.PositiveIntegerField(help_text='ET du périmètre dans le fichier')),
                        ('geolocalises', models.PositiveIntegerField(help_text='dont ET avec une ligne geolocalisation')),
                        ('debut', models.DateTimeField(default=django.utils.timezone.now)),
                        ('fin', models.DateTimeField(blank=True, help_text='vide : écriture interrompue', null=True)),
                    ],
                    options={
                        'verbose_name': 'import FINESS',
                        'verbose_name_plural': 'imports FINESS',
                        'ordering': ['-debut'],
                        'db_table': 'repertoire_importfiness',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='importfiness', table=None),
        migrations.RunPython(
            type_de_contenu_vers('repertoire', 'echanges'),
            type_de_contenu_vers('echanges', 'repertoire'),
        ),
    ]
