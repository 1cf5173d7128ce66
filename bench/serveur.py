"""Un vrai serveur pour les bancs de charge : gunicorn démarré comme en production
(.ci/production : DEBUG=false, clés neuves, statiques collectés, derrière un mandataire https),
et le CPU des processus lu dans /proc. Partagé par `bench/search.py --charge` et
`bench/satisfaction_charge.py` ; le client HTTP, lui, est `bench/charge.py`.

Aucun import de Django ici : le module sert avant comme après `django.setup()`.
"""

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environnement_de_production(statiques: str, **reglages: str) -> dict[str, str]:
    """Comme .ci/production : DEBUG=false, clés neuves, derrière un mandataire https ;
    `reglages` ajoute ce que le banc mesure autrement (dit par chaque banc)."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PILOTAGE_CLE_PSEUDONYMISATION": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_PROXY_SSL": "true",
        "STATIC_ROOT": statiques,
        "MESURE_CPU_SERVEUR": "true",
        # Une connexion PostgreSQL fermée pendant un palier emporterait son CPU avec elle.
        "DATABASE_CONN_MAX_AGE": "3600",
        **reglages,
    }


def centiles(valeurs: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99."""
    if len(valeurs) < 2:
        v = valeurs[0] if valeurs else float("nan")
        return v, v, v
    q = statistics.quantiles(valeurs, n=100, method="inclusive")
    return q[49], q[94], q[98]


def charge_machine() -> str:
    with open("/proc/loadavg") as fichier:
        charge = fichier.read().split()[:3]
    return f"charge moyenne {' / '.join(charge)} (1, 5, 15 min) sur {os.cpu_count()} cœurs"


def cpu_de(pids: list[int]) -> float:
    """CPU (utilisateur + système) consommé par ces processus, en secondes, lu dans /proc."""
    return sum(cpu_par_processus(pids).values())


def cpu_par_processus(pids: list[int]) -> dict[int, float]:
    tic = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fichier:
                champs = fichier.read().rsplit(")", 1)[1].split()
        except OSError:  # une connexion fermée entre-temps
            continue
        cpu[pid] = (int(champs[11]) + int(champs[12])) / tic
    return cpu


def cpu_machine() -> tuple[float, float]:
    """(occupé, total) de tous les cœurs depuis le démarrage, en secondes."""
    with open("/proc/stat") as fichier:
        valeurs = [int(v) for v in fichier.readline().split()[1:]]
    inactif = valeurs[3] + valeurs[4]
    tic = os.sysconf("SC_CLK_TCK")
    return (sum(valeurs) - inactif) / tic, sum(valeurs) / tic


def processus_postgresql() -> list[int]:
    """Les processus PostgreSQL qui servent les workers (même base, autres connexions que la
    nôtre) : sous PostgreSQL, le moteur travaille surtout là, hors du CPU des workers."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in curseur.fetchall()]
    return [pid for pid in pids if os.path.exists(f"/proc/{pid}/stat")]


def workers(maitre: int) -> list[int]:
    enfants = []
    for entree in os.listdir("/proc"):
        if entree.isdigit():
            try:
                with open(f"/proc/{entree}/stat") as fichier:
                    if int(fichier.read().rsplit(")", 1)[1].split()[1]) == maitre:
                        enfants.append(int(entree))
            except OSError:
                continue
    return enfants


def demarrer(environnement: dict[str, str], nombre_workers: int, port: int) -> subprocess.Popen:
    """collectstatic puis gunicorn (workers synchrones) ; rend la main quand /sante/ répond."""
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=RACINE,
        env=environnement,
        check=True,
    )
    gunicorn = Path(python).with_name("gunicorn")
    serveur = subprocess.Popen(
        [
            str(gunicorn),
            "autonomie.wsgi",
            "--workers",
            str(nombre_workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=RACINE,
        env=environnement,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2)
            return serveur
        except OSError:
            time.sleep(0.5)
    serveur.terminate()
    raise SystemExit("gunicorn ne répond pas sur /sante/")


def arreter(serveur: subprocess.Popen) -> None:
    serveur.terminate()
    serveur.wait(timeout=30)
