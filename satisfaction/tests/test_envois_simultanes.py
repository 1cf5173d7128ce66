"""Des envois simultanés, chacun sur sa connexion comme d'autres processus : le même
questionnaire envoyé plusieurs fois au même instant n'est enregistré qu'une fois, et des
questionnaires différents sont tous comptés (aucun compte perdu). Même socle que
contribution/tests/test_signalements_simultanes.py."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from satisfaction import services
from satisfaction.models import (
    CLE_REPONDANTS,
    Comptage,
    EnvoiRecent,
    Question,
    Reponse,
    Version,
)
from satisfaction.tests.conftest import creer_version_1
from territoires.models import Departement, Region

T = TypeVar("T")
ENVOIS = 6
VALEURS = {"pour_qui": "moi", "motifs": ["cmi"], "etat": "decision", "accueil": "satisfait"}


def _dans_un_fil(fonction: Callable[[], T]) -> T:
    def avec_sa_connexion() -> T:
        try:
            return fonction()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as fil:
        return fil.submit(avec_sa_connexion).result()


@pytest.fixture
def base_partagee_par_les_fils(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sous SQLite, un fichier (la base en mémoire refuse une seconde écriture au lieu de la
    faire attendre), avec les seules tables utiles ; sous PostgreSQL, la base du test."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return
    reglages = connections.settings[DEFAULT_DB_ALIAS]
    fichier = {**reglages, "NAME": str(tmp_path / "fils.sqlite3")}
    monkeypatch.setitem(connections.settings, DEFAULT_DB_ALIAS, fichier)

    def creer_les_tables() -> None:
        with connection.schema_editor() as editeur:
            for modele in (Region, Departement, Version, Question, Reponse, Comptage, EnvoiRecent):
                editeur.create_model(modele)
        Region.objects.create(code="27", nom="Bourgogne-Franche-Comté")
        Departement.objects.create(code="58", nom="Nièvre", region_id="27")

    _dans_un_fil(creer_les_tables)


def _envoyer_ensemble(textes: list[str]) -> list[bool]:
    version = _dans_un_fil(creer_version_1)
    nievre = _dans_un_fil(lambda: Departement.objects.get(pk="58"))
    barriere = threading.Barrier(len(textes))

    def un_envoi(texte: str) -> bool:
        try:
            barriere.wait(timeout=30)  # tous partent ensemble
            reponse = services.recevoir_en_ligne(
                client="c" * 64, version=version, departement=nievre, valeurs=VALEURS, texte=texte
            )
            return reponse is not None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(textes)) as fils:
        return list(fils.map(un_envoi, textes))


def _compte(question: str, segment: str = "tous") -> int:
    comptes = Comptage.objects.filter(segment=segment, question=question)
    return sum(comptes.values_list("nombre", flat=True))


# Transactionnel : chaque fil a sa connexion et voit ce que les autres valident ; la remise à
# zéro ne vide que les tables de satisfaction (communes et départements restent).
@pytest.mark.django_db(transaction=True, available_apps=["satisfaction"])
def test_le_meme_questionnaire_envoye_plusieurs_fois_au_meme_instant_compte_une_fois(
    base_partagee_par_les_fils, settings
):
    settings.SATISFACTION_DOUBLON_MINUTES = 30
    enregistres = _envoyer_ensemble(["Trop long."] * ENVOIS)
    assert enregistres.count(True) == 1
    assert _dans_un_fil(Reponse.objects.count) == 1
    assert _dans_un_fil(lambda: _compte(CLE_REPONDANTS)) == 1


@pytest.mark.django_db(transaction=True, available_apps=["satisfaction"])
def test_des_questionnaires_differents_envoyes_ensemble_sont_tous_comptes(
    base_partagee_par_les_fils,
):
    enregistres = _envoyer_ensemble([f"Avis {n}" for n in range(ENVOIS)])
    assert enregistres == [True] * ENVOIS
    assert _dans_un_fil(Reponse.objects.count) == ENVOIS
    assert _dans_un_fil(lambda: _compte(CLE_REPONDANTS)) == ENVOIS
    assert _dans_un_fil(lambda: _compte("accueil")) == ENVOIS
    assert _dans_un_fil(lambda: _compte("accueil", segment="motifs=cmi")) == ENVOIS
