"""Ce que les journaux disent d'une tentative de connexion : jamais l'identifiant ni l'adresse.

django-axes écrit dans les journaux l'identifiant saisi et l'adresse IP du client ; ce sont des
données personnelles, et un mot de passe tapé par erreur dans le champ identifiant y finirait.
Un pseudonyme HMAC, stable pour un même couple, suffit à voir qu'une attaque se répète.
"""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_pour_journal(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str,
    request: HttpRequest | None,
) -> str:
    """Signature attendue par AXES_CLIENT_STR_CALLABLE."""
    message = f"{username or ''}\x00{ip_address or ''}".encode()
    empreinte = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"{{client: {empreinte[:12]}, chemin: {path_info}}}"


def pseudonyme(valeur: str, *, usage: str) -> str:
    """Un pseudonyme HMAC stable d'une valeur personnelle (une adresse IP), propre à un usage :
    assez pour compter les envois d'un même client, sans jamais garder la valeur en clair."""
    message = f"{usage}\x00{valeur}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
