"""Mesure du CPU serveur de chaque requête, pour le banc de charge (`bench/search.py --charge`).

Désactivée par défaut : `MESURE_CPU_SERVEUR=true` ajoute le middleware en tête de la liste.
Le temps CPU du fil qui traite la requête (`time.thread_time`, juste même avec plusieurs fils
par processus) part dans l'en-tête standard `Server-Timing: cpu;dur=<ms>`, que le client de
charge relève : l'horloge d'une machine partagée compte l'attente des autres, le CPU non.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def mesure_cpu(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        debut = time.thread_time()
        reponse = get_response(request)
        # Une réponse en flux se calcule après ce point : elle n'est pas mesurée.
        if not reponse.streaming:
            duree = (time.thread_time() - debut) * 1000
            reponse["Server-Timing"] = f"cpu;dur={duree:.2f}"
        return reponse

    return middleware
