"""Limitation du débit de l'API publique par adresse IP, en fenêtres fixes d'une minute.

Le compteur vit en base (`CompteurDebit`), partagé par tous les processus web (un compteur
en mémoire compterait par processus), sans serveur de plus. L'incrément est atomique sous
PostgreSQL comme sous SQLite : une seule instruction d'insertion ou de mise à jour qui rend le
nouveau total ; une rafale simultanée ne laisse passer que la limite (l'ancien compteur sur le
cache en base lisait puis réécrivait, et laissait passer 152 requêtes sur 120 sous PostgreSQL).
Les fenêtres passées sont effacées par chaque processus une fois par minute, en une requête.
"""

import logging
import re
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from core.models import CompteurDebit

FENETRE_SECONDES = 60
LONGUEUR_ADRESSE = CompteurDebit._meta.get_field("adresse").max_length
# Ce qui n'entre pas dans une adresse IPv4 ou IPv6 ne doit pas entrer dans la clé du compteur.
_IP_INTERDIT = re.compile(r"[^0-9A-Fa-f.:]")

journal = logging.getLogger(__name__)

# Dernière fenêtre purgée par ce processus ; une course entre fils ne coûte qu'une purge de plus.
_purgee_jusqu_a = 0


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
            return derniere[:LONGUEUR_ADRESSE]
    return request.META.get("REMOTE_ADDR", "")[:LONGUEUR_ADRESSE]


class LimiteParIP(BaseThrottle):
    """Au plus API_LIMITE_PAR_MINUTE requêtes par adresse et par minute civile ; 0 : illimité."""

    def allow_request(self, request: HttpRequest) -> bool:
        limite = settings.API_LIMITE_PAR_MINUTE
        if limite <= 0:
            return True
        fenetre = int(time.time() // FENETRE_SECONDES)
        try:
            # Un point de sauvegarde : une erreur de la base n'interrompt pas la transaction.
            with transaction.atomic():
                _purger_avant(fenetre)
                compte = CompteurDebit.objects.compter(
                    fenetre=fenetre, adresse=adresse_client(request)
                )
        except DatabaseError:
            # Un compteur indisponible ne doit pas fermer une API publique en lecture seule.
            journal.exception("Limitation de débit indisponible : requête acceptée.")
            return True
        return compte <= limite

    def wait(self) -> float:
        """Jusqu'à la prochaine fenêtre ; sans état, car une instance sert tous les fils."""
        return FENETRE_SECONDES - time.time() % FENETRE_SECONDES


def _purger_avant(fenetre: int) -> None:
    """Efface les fenêtres passées, au plus une fois par minute et par processus."""
    global _purgee_jusqu_a
    if fenetre > _purgee_jusqu_a:
        CompteurDebit.objects.anterieurs_a(fenetre).delete()
        _purgee_jusqu_a = fenetre
