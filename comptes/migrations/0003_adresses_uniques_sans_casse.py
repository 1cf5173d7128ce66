"""Une adresse électronique n'appartient qu'à un compte, sans tenir compte de la casse.

Index unique sur lower(email) des comptes qui ont une adresse (les comptes sans adresse,
`createsuperuser`, restent permis). Avant de le créer, la migration compte les adresses
partagées et refuse, sans rien modifier, en disant comment les corriger.
"""

from django.db import migrations

INDEX = "comptes_adresse_unique_sans_casse"


def refuser_les_doublons(apps, schema_editor) -> None:
    User = apps.get_model("auth", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    with schema_editor.connection.cursor() as curseur:
        curseur.execute(
            f"SELECT COUNT(*) FROM (SELECT lower(email) FROM {table} WHERE email <> '' "
            "GROUP BY lower(email) HAVING COUNT(*) > 1) AS doublons"
        )
        (nombre,) = curseur.fetchone()
    if nombre:
        raise RuntimeError(
            f"{nombre} adresse(s) électronique(s) sont partagées par plusieurs comptes "
            "(sans tenir compte de la casse) : une adresse ne peut appartenir qu'à un compte. "
            "Rien n'a été modifié. Dans l'administration (Utilisateurs, recherche par "
            "adresse), corrigez l'adresse des comptes en double ou videz-la sur les comptes "
            "qui ne servent plus, puis relancez « manage.py migrate »."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("comptes", "0002_invitations_et_fermeture_des_sessions"),
    ]

    operations = [
        migrations.RunPython(refuser_les_doublons, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (lower(email)) WHERE email <> ''",
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
