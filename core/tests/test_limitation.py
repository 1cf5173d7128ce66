"""Le compteur de débit de l'API : exact même quand une rafale arrive d'un coup."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import TypeVar

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core import limitation
from core.limitation import LimiteParIP
from core.models import CompteurDebit

RAFALE = 50
LIMITE = 20
T = TypeVar("T")


def _sur_la_connexion_du_fil(fonction: Callable[[], T]) -> T:
    """Chaque fil ouvre sa propre connexion ; on la ferme pour ne pas la laisser à la base."""
    try:
        return fonction()
    finally:
        connection.close()


@pytest.fixture
def base_partagee_par_les_fils(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sous SQLite, les fils écrivent dans un fichier, comme en production.

    La base de test SQLite est en mémoire, en cache partagé : deux écritures simultanées y
    échouent aussitôt (« database table is locked ») au lieu d'attendre leur tour comme sur le
    fichier WAL de production. Les connexions des fils, créées d'après ces réglages, ouvrent
    donc un fichier temporaire où l'on crée la seule table du compteur.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return
    fichier = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": str(tmp_path / "fils.sqlite3")}
    monkeypatch.setitem(connections.settings, DEFAULT_DB_ALIAS, fichier)

    def creer_la_table() -> None:
        with connection.schema_editor() as editeur:
            editeur.create_model(CompteurDebit)

    with ThreadPoolExecutor(max_workers=1) as fil:
        fil.submit(_sur_la_connexion_du_fil, creer_la_table).result()


# Transactionnel : chaque fil a sa connexion et doit voir ce que les autres écrivent. La remise
# à zéro de fin de test ne vide que les tables du socle : communes et thésaurus restent.
@pytest.mark.django_db(transaction=True, available_apps=["core"])
@pytest.mark.usefixtures("base_partagee_par_les_fils")
def test_une_rafale_simultanee_ne_laisse_passer_que_la_limite(settings, caplog):
    settings.API_LIMITE_PAR_MINUTE = LIMITE
    settings.API_ENTETE_IP_CLIENT = ""
    barriere = threading.Barrier(RAFALE)
    requete = RequestFactory().get("/api/v1/besoins", REMOTE_ADDR="203.0.113.9")

    def une_requete() -> bool:
        barriere.wait(timeout=30)  # toutes partent ensemble
        return LimiteParIP().allow_request(requete)

    with ThreadPoolExecutor(max_workers=RAFALE) as fils:
        acceptees = list(fils.map(lambda _: _sur_la_connexion_du_fil(une_requete), range(RAFALE)))

    assert "Limitation de débit indisponible" not in caplog.text
    assert acceptees.count(True) == LIMITE


@pytest.fixture
def horloge(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Une horloge qu'on avance à la main, et un processus qui n'a encore rien purgé."""
    temps = SimpleNamespace(time=lambda: temps.maintenant, maintenant=1_800_000_030.0)
    monkeypatch.setattr(limitation, "time", temps)
    monkeypatch.setattr(limitation, "_purgee_jusqu_a", 0)
    return temps


@pytest.mark.django_db
def test_une_nouvelle_minute_repart_de_zero_et_efface_les_fenetres_passees(settings, horloge):
    settings.API_LIMITE_PAR_MINUTE = 2
    settings.API_ENTETE_IP_CLIENT = ""
    requete = RequestFactory().get("/api/v1/besoins", REMOTE_ADDR="203.0.113.9")
    premiere_minute = [LimiteParIP().allow_request(requete) for _ in range(3)]

    horloge.maintenant += 60
    with CaptureQueriesContext(connection) as requetes_sql:
        seconde_minute = [LimiteParIP().allow_request(requete) for _ in range(3)]

    assert premiere_minute == seconde_minute == [True, True, False]
    assert list(CompteurDebit.objects.values_list("fenetre", "requetes")) == [(30_000_001, 3)]
    purges = [q["sql"] for q in requetes_sql if q["sql"].startswith("DELETE")]
    assert len(purges) == 1, "une purge par minute et par processus"
