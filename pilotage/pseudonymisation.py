"""Pseudonymisation des identifiants venant des systèmes des MDPH.

On ne garde d'une personne qu'un HMAC-SHA256 (tronqué à 128 bits) de son identifiant source,
calculé avec la clé `PILOTAGE_CLE_PSEUDONYMISATION` (obligatoire en production). La clé doit
rester stable : la changer rend les imports suivants étrangers aux précédents.
Les identifiants en clair ne sont jamais journalisés ni cités dans les messages d'erreur.
"""

import hashlib
import hmac

from django.conf import settings


def _cle() -> bytes:
    return settings.PILOTAGE_CLE_PSEUDONYMISATION.encode()


def pseudonymiser(*, departement: str, nature: str, valeur: str, cle: bytes | None = None) -> str:
    """HMAC du couple (MDPH, identifiant) : deux MDPH peuvent avoir le même numéro local."""
    message = f"{departement}|{nature}|{valeur.strip()}".encode()
    return hmac.new(cle or _cle(), message, hashlib.sha256).hexdigest()[:32]
