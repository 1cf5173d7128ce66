"""Une adresse électronique n'appartient qu'à un compte (index sur lower(email))."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from comptes.tests.factories import UtilisateurFactory
from comptes.tests.outils import connecter_avec_double_facteur

pytestmark = pytest.mark.django_db
migration = importlib.import_module("comptes.migrations.0003_adresses_uniques_sans_casse")


def test_la_migration_refuse_les_doublons_sans_rien_modifier_et_dit_comment_faire():
    with connection.cursor() as curseur:  # annulé avec la transaction du test
        curseur.execute(f"DROP INDEX {migration.INDEX}")
    UtilisateurFactory(email="accueil@ccas.fr")
    UtilisateurFactory(email="Accueil@CCAS.fr")
    UtilisateurFactory(email="a@b.fr")
    UtilisateurFactory(email="A@B.FR")
    editeur = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    with pytest.raises(RuntimeError, match=r"^2 adresse\(s\) électronique\(s\) sont partagées"):
        migration.refuser_les_doublons(apps, editeur)


def test_la_migration_passe_sans_doublon():
    UtilisateurFactory(email="")
    UtilisateurFactory(email="")
    editeur = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.refuser_les_doublons(apps, editeur)


def test_l_administration_refuse_une_adresse_deja_prise(client):
    UtilisateurFactory(email="claire@nievre.fr")
    connecter_avec_double_facteur(client, UtilisateurFactory(is_superuser=True, is_staff=True))
    donnees = {
        "username": "claire2",
        "email": "CLAIRE@nievre.fr",
        "password1": "une-phrase-solide-ici",
        "password2": "une-phrase-solide-ici",
    }
    page = client.post("/admin/auth/user/add/", donnees).content.decode()
    assert "Un autre compte a déjà cette adresse électronique." in page
