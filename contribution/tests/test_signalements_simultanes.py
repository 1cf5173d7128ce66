"""Deux envois identiques du même signalement, au même instant : un seul est enregistré (la
fenêtre des doublons est vérifiée sous le verrou de la fiche)."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from contribution import services
from contribution.models import Motif, Signalement
from repertoire.models import Structure

T = TypeVar("T")
ENVOIS = 4


def _dans_un_fil(fonction: Callable[[], T]) -> T:
    """Sur la connexion d'un fil (la sienne, fermée ensuite), comme un autre processus."""

    def avec_sa_connexion() -> T:
        try:
            return fonction()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as fil:
        return fil.submit(avec_sa_connexion).result()


@pytest.fixture
def base_partagee_par_les_fils(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Sous SQLite, les fils écrivent dans un fichier, comme en production (la base de test en
    mémoire, en cache partagé, refuse aussitôt une seconde écriture au lieu de la faire
    attendre) : on y crée les deux seules tables utiles, sans les tables qu'elles référencent
    (clés étrangères non vérifiées dans ce fichier). Voir core/tests/test_limitation.py.
    Vrai si les fils écrivent dans la base du test (qu'il faut alors remettre en l'état)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return True
    reglages = connections.settings[DEFAULT_DB_ALIAS]
    options = reglages.get("OPTIONS", {})
    sans_cles = f"{options.get('init_command', '')}; PRAGMA foreign_keys=OFF;".lstrip("; ")
    fichier = {
        **reglages,
        "NAME": str(tmp_path / "fils.sqlite3"),
        "OPTIONS": {**options, "init_command": sans_cles},
    }
    monkeypatch.setitem(connections.settings, DEFAULT_DB_ALIAS, fichier)

    def creer_les_tables() -> None:
        with connection.schema_editor() as editeur:
            editeur.create_model(Structure)
            editeur.create_model(Signalement)

    _dans_un_fil(creer_les_tables)
    return False


# Transactionnel : chaque fil a sa connexion et voit ce que les autres valident. La remise à
# zéro de fin de test ne vide que les tables de contribution ; la structure est retirée à la
# main (communes et thésaurus restent).
@pytest.mark.django_db(transaction=True, available_apps=["contribution"])
def test_deux_signalements_identiques_envoyes_en_meme_temps_ne_sont_enregistres_qu_une_fois(
    base_partagee_par_les_fils,
):
    structure = _dans_un_fil(lambda: Structure.objects.bulk_create([Structure(nom="CLIC")])[0])
    barriere = threading.Barrier(ENVOIS)

    def un_envoi(_: int) -> bool:
        try:
            barriere.wait(timeout=30)  # tous partent ensemble
            signalement = services.signaler(
                fiche=structure,
                motif=Motif.HORAIRES,
                texte="Fermé le lundi",
                courriel="",
                client="x" * 64,
            )
            return signalement is not None
        finally:
            connection.close()

    try:
        with ThreadPoolExecutor(max_workers=ENVOIS) as fils:
            enregistres = list(fils.map(un_envoi, range(ENVOIS)))
        assert enregistres.count(True) == 1
        assert _dans_un_fil(lambda: Signalement.objects.count()) == 1
    finally:
        if base_partagee_par_les_fils:
            _dans_un_fil(lambda: _retirer(structure))


def _retirer(structure: Structure) -> None:
    Signalement.objects.filter(structure=structure).delete()
    Structure.objects.filter(pk=structure.pk).delete()
