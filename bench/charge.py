"""Client de charge HTTP du banc de recherche, lancé par `bench/search.py --charge` dans un
processus à part (il ne partage ni le GIL ni le CPU de Python avec le serveur mesuré).

Lit sur l'entrée standard un JSON {"port": …, "clients": …, "chemins": [...]}, ouvre autant
de connexions HTTP/1.1 (gardées ouvertes tant que le serveur le permet ; les workers
synchrones de gunicorn les ferment après chaque réponse, le client rouvre alors) et rejoue
les chemins dans l'ordre, chaque client prenant le suivant dès qu'il a reçu sa réponse.
Écrit sur la sortie standard un JSON : par requête, la latence (ms, horloge), le statut et le
CPU serveur lu dans `Server-Timing: cpu;dur=…` (core/mesure.py) ; la durée totale et le CPU du
client lui-même. Sans dépendance : asyncio de la bibliothèque standard, un seul fil.
"""

import asyncio
import json
import re
import sys
import time

CPU_SERVEUR = re.compile(rb"cpu;dur=([0-9.]+)")


async def _lire_reponse(lecteur: asyncio.StreamReader) -> tuple[int, float | None, bool]:
    """(statut, CPU serveur en ms ou None, connexion à fermer ?)."""
    entetes = await lecteur.readuntil(b"\r\n\r\n")
    lignes = entetes.split(b"\r\n")
    statut = int(lignes[0].split()[1])
    longueur, fermer, cpu = None, False, None
    for ligne in lignes[1:]:
        nom, _, valeur = ligne.partition(b":")
        nom = nom.strip().lower()
        if nom == b"content-length":
            longueur = int(valeur)
        elif nom == b"connection":
            fermer = valeur.strip().lower() == b"close"
        elif nom == b"server-timing":
            trouve = CPU_SERVEUR.search(valeur)
            cpu = float(trouve.group(1)) if trouve else None
    if longueur is None:
        await lecteur.read()
        fermer = True
    else:
        await lecteur.readexactly(longueur)
    return statut, cpu, fermer


async def _client(port: int, file: asyncio.Queue, mesures: list) -> None:
    lecteur = ecrivain = None
    while True:
        try:
            chemin = file.get_nowait()
        except asyncio.QueueEmpty:
            break
        requete = (
            f"GET {chemin} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
            # Comme le mandataire de production : sans lui, DEBUG=false redirige vers https.
            "X-Forwarded-Proto: https\r\n\r\n"
        ).encode()
        debut = time.perf_counter()
        try:
            if ecrivain is None:
                lecteur, ecrivain = await asyncio.open_connection("127.0.0.1", port)
            ecrivain.write(requete)
            await ecrivain.drain()
            statut, cpu, fermer = await _lire_reponse(lecteur)
        except (OSError, asyncio.IncompleteReadError, ValueError) as erreur:
            statut, cpu, fermer = f"{type(erreur).__name__}", None, True
        mesures.append(((time.perf_counter() - debut) * 1000, statut, cpu))
        if fermer and ecrivain is not None:
            ecrivain.close()
            lecteur = ecrivain = None
    if ecrivain is not None:
        ecrivain.close()


async def charger(port: int, clients: int, chemins: list[str]) -> dict:
    file: asyncio.Queue = asyncio.Queue()
    for chemin in chemins:
        file.put_nowait(chemin)
    mesures: list = []
    debut, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(_client(port, file, mesures) for _ in range(clients)))
    return {
        "duree_s": time.perf_counter() - debut,
        "cpu_client_s": time.process_time() - cpu,
        "mesures": mesures,
    }


if __name__ == "__main__":
    ordre = json.load(sys.stdin)
    resultat = asyncio.run(charger(ordre["port"], ordre["clients"], ordre["chemins"]))
    json.dump(resultat, sys.stdout)
