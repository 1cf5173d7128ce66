"""Les référentiels (communes, thésaurus) sont chargés une fois par session de test ; un seul
Chromium sert tous les tests de navigateur (-m navigateur), de toutes les applications."""

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

# Fixtures partagées par plusieurs applications (un animateur connecté…).
# `onglet` : l'onglet connecté des tests de navigateur du pilotage et de l'accompagnement.
pytest_plugins = ["comptes.tests.fixtures", "pilotage.tests.navigateur"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from repertoire.services import synchroniser_referentiels
    from territoires.services import charger_communes

    with django_db_blocker.unblock():
        charger_communes()
        synchroniser_referentiels()
    yield
    with django_db_blocker.unblock():
        _fermer_les_connexions_restees_ouvertes()


def _fermer_les_connexions_restees_ouvertes() -> None:
    """PostgreSQL refuse de supprimer la base de test tant qu'une autre session y est
    connectée : un fil du serveur des tests de navigateur peut n'avoir pas encore rendu la
    sienne quand la session de test se termine. On la ferme, en disant laquelle c'était."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid, state, left(query, 120), pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, etat, requete, _ in curseur.fetchall():
            print(f"Connexion restée ouverte à la base de test fermée : {pid} ({etat}) {requete}")


@pytest.fixture(autouse=True)
def _memoires_vides():
    """Un test annulé laisse en mémoire des communes ou des besoins qui n'existent plus."""
    from core.memoire import vider_memoires

    vider_memoires()
    yield
    vider_memoires()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Le Chromium de Debian ; absent, le test est sauté sur un poste mais échoue en CI."""
    if not shutil.which(CHROMIUM):
        raison = f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(raison)
        pytest.skip(raison)
    # L'API synchrone de Playwright garde une boucle asyncio ouverte dans ce fil : Django y
    # refuserait l'ORM, dont ces tests se servent entre deux pages (le serveur a son propre fil).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        navigateur = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM)
        yield navigateur
        navigateur.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def admin_client(db, admin_user):
    """Le client administrateur de pytest-django, double facteur passé : l'administration
    l'exige d'un superutilisateur (comptes.double_facteur)."""
    from django.test import Client

    from comptes.tests.outils import connecter_avec_double_facteur

    client = Client()
    connecter_avec_double_facteur(client, admin_user)
    return client
