"""Client de charge HTTP du banc de recherche, lancé par `bench/search.py --charge` dans un
processus à part (il ne partage ni le GIL ni le CPU de Python avec le serveur mesuré).

Lit sur l'entrée standard un JSON {"port": …, "clients": …, "chemins": [...]}, ouvre autant
de connexions HTTP/1.1 (gardées ouvertes tant que le serveur le permet ; les workers
synchrones de gunicorn les ferment après chaque réponse, le client rouvre alors) et rejoue
les chemins dans l'ordre, chaque client prenant le suivant dès qu'il a reçu sa réponse.
Écrit sur la sortie standard un JSON : par requête, la latence (ms, horloge), le statut et le
CPU serveur lu dans `Server-Timing: cpu;dur=…` (core/mesure.py) ; la durée totale et le CPU du
client lui-même. Sans dépendance : asyncio de la bibliothèque standard, un seul fil.

`lire_reponse` sert aussi le client du banc du questionnaire (`bench/satisfaction_charge.py`).
"""

import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass

CPU_SERVEUR = re.compile(rb"cpu;dur=([0-9.]+)")


@dataclass
class Reponse:
    statut: int
    entetes: list[tuple[bytes, bytes]]  # noms en minuscules, dans l'ordre reçu
    corps: bytes
    cpu: float | None  # CPU serveur en ms (Server-Timing), ou None
    fermer: bool  # le serveur ferme la connexion

    def entete(self, nom: bytes) -> bytes | None:
        return next((v for n, v in self.entetes if n == nom), None)


async def lire_reponse(lecteur: asyncio.StreamReader) -> Reponse:
    """Une réponse HTTP/1.1 entière (en-têtes et corps) ; partagée par les bancs de charge."""
    brut = await lecteur.readuntil(b"\r\n\r\n")
    lignes = brut.split(b"\r\n")
    statut = int(lignes[0].split()[1])
    entetes = []
    for ligne in lignes[1:]:
        if ligne:
            nom, _, valeur = ligne.partition(b":")
            entetes.append((nom.strip().lower(), valeur.strip()))
    reponse = Reponse(statut, entetes, b"", None, False)
    longueur = reponse.entete(b"content-length")
    reponse.fermer = (reponse.entete(b"connection") or b"").lower() == b"close"
    trouve = CPU_SERVEUR.search(reponse.entete(b"server-timing") or b"")
    reponse.cpu = float(trouve.group(1)) if trouve else None
    if longueur is None:
        reponse.corps, reponse.fermer = await lecteur.read(), True
    else:
        reponse.corps = await lecteur.readexactly(int(longueur))
    return reponse


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
            reponse = await lire_reponse(lecteur)
            statut, cpu, fermer = reponse.statut, reponse.cpu, reponse.fermer
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
