"""Limitation du débit de l'API publique par adresse IP, en fenêtres fixes d'une minute.

Le compteur vit dans le cache de Django : en production un cache en base, partagé par tous
les processus web (un cache en mémoire compterait par processus). L'incrément n'est pas
atomique sur ce cache ; quelques requêtes de plus peuvent passer lors d'une rafale
simultanée, ce qui suffit à protéger le service sans coûter un serveur de plus.
"""

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

FENETRE_SECONDES = 60
# Ce qui n'entre pas dans une adresse IPv4 ou IPv6 ne doit pas entrer dans une clé de cache.
_IP_INTERDIT = re.compile(r"[^0-9A-Fa-f.:]")

journal = logging.getLogger(__name__)


def adresse_client(request: HttpRequest) -> str:
    """L'adresse du client, lue dans l'en-tête du mandataire de confiance s'il est configuré.

    Le mandataire ajoute l'adresse qu'il voit à la fin de la liste (X-Forwarded-For) : c'est la
    seule valeur sûre ; celles qui précèdent viennent du client et peuvent être inventées.
    """
    entete = settings.API_ENTETE_IP_CLIENT
    if entete:
        valeur = request.headers.get(entete, "")
        derniere = _IP_INTERDIT.sub("", valeur.rsplit(",", 1)[-1])
        if derniere:
            return derniere[:45]
    return request.META.get("REMOTE_ADDR", "")


class LimiteParIP(BaseThrottle):
    """Au plus API_LIMITE_PAR_MINUTE requêtes par adresse et par minute civile ; 0 : illimité."""

    def allow_request(self, request: HttpRequest) -> bool:
        limite = settings.API_LIMITE_PAR_MINUTE
        if limite <= 0:
            return True
        fenetre = int(time.time() // FENETRE_SECONDES)
        cle = f"api-limite:{adresse_client(request)}:{fenetre}"
        try:
            # Un point de sauvegarde : une erreur du cache n'interrompt pas la transaction en cours.
            with transaction.atomic():
                cache.add(cle, 0, timeout=FENETRE_SECONDES + 5)
                compte = cache.incr(cle)
        except (DatabaseError, ValueError):
            # Un cache indisponible ne doit pas fermer une API publique en lecture seule.
            journal.exception("Limitation de débit indisponible : requête acceptée.")
            return True
        return compte <= limite

    def wait(self) -> float:
        """Jusqu'à la prochaine fenêtre ; sans état, car une instance sert tous les fils."""
        return FENETRE_SECONDES - time.time() % FENETRE_SECONDES
