"""Lecture typée des variables d'environnement : une valeur invalide arrête le démarrage."""

import os

from django.core.exceptions import ImproperlyConfigured

_VRAI = {"1", "true", "yes", "on", "oui", "vrai"}
_FAUX = {"0", "false", "no", "off", "non", "faux", ""}


def env_str(nom: str, defaut: str = "") -> str:
    return os.environ.get(nom, defaut)


def env_bool(nom: str, defaut: bool) -> bool:
    brut = os.environ.get(nom)
    if brut is None:
        return defaut
    valeur = brut.strip().lower()
    if valeur in _VRAI:
        return True
    if valeur in _FAUX:
        return False
    raise ImproperlyConfigured(f"{nom} doit valoir true ou false, pas « {brut} ».")


def env_int(nom: str, defaut: int) -> int:
    brut = os.environ.get(nom)
    if brut is None or brut.strip() == "":
        return defaut
    try:
        return int(brut)
    except ValueError:
        raise ImproperlyConfigured(f"{nom} doit être un nombre entier, pas « {brut} ».") from None


def env_list(nom: str, defaut: list[str]) -> list[str]:
    brut = os.environ.get(nom)
    if brut is None:
        return defaut
    return [element.strip() for element in brut.split(",") if element.strip()]
