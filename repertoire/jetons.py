"""Jetons personnels de l'API des professionnels : créer, reconnaître, révoquer.

Un logiciel partenaire (le dossier d'un CLIC, d'un DAC) lit les fiches au nom d'une personne,
avec ses droits à elle : le jeton ne donne rien de plus que sa session. Le jeton en clair
n'existe qu'au moment de sa création ; la base ne garde que son empreinte.
"""

import hashlib
import secrets
from typing import Any

from django.utils import timezone

from repertoire.models import JetonApi

PREFIXE = "aut_"
UTILISATION_NOTEE_TOUTES_LES = timezone.timedelta(minutes=5)


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def creer_jeton(*, utilisateur: Any, nom: str) -> tuple[JetonApi, str]:
    """Le jeton enregistré et son texte en clair, à montrer une seule fois."""
    texte = PREFIXE + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(
        utilisateur=utilisateur, nom=nom, empreinte=empreinte(texte), debut=texte[:10]
    )
    return jeton, texte


def utilisateur_du_jeton(texte: str) -> Any | None:
    """La personne dont c'est un jeton valide (non révoqué, compte actif), sinon None.

    La date de dernière utilisation est notée au plus toutes les cinq minutes : une écriture
    par requête ferait de chaque lecture une écriture."""
    if not texte.startswith(PREFIXE) or len(texte) > 100:
        return None
    jeton = (
        JetonApi.objects.valides()
        .select_related("utilisateur")
        .filter(empreinte=empreinte(texte))
        .first()
    )
    if jeton is None:
        return None
    maintenant = timezone.now()
    if jeton.utilise_le is None or maintenant - jeton.utilise_le > UTILISATION_NOTEE_TOUTES_LES:
        JetonApi.objects.filter(pk=jeton.pk).update(utilise_le=maintenant)
    return jeton.utilisateur


def revoquer_jeton(*, jeton: JetonApi) -> None:
    """Un jeton révoqué ne sert plus ; il reste listé, avec sa date de révocation."""
    if jeton.revoque_le is None:
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
