"""Lecture typée des variables d'environnement : une valeur invalide arrête le démarrage."""

import os
import re

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


def env_urls(nom: str) -> list[str]:
    """Des adresses séparées par des virgules. Une virgule suivie d'un schéma (« postgres:// »)
    sépare deux adresses ; les autres restent dans l'adresse (plusieurs hôtes pour libpq :
    « postgres://u:m@secours1,secours2/base »)."""
    brut = os.environ.get(nom, "")
    adresses = [a.strip() for a in re.split(r",(?=\s*[a-z][a-z0-9+.-]*://)", brut) if a.strip()]
    for adresse in adresses:
        if "://" not in adresse:
            raise ImproperlyConfigured(
                f"{nom} : « {adresse} » n'est pas une adresse de base (ex. postgres://…)."
            )
    return adresses


def env_mois_par_categorie(nom: str) -> dict[str, int]:
    """« 500:12,CCAS:3 » : {catégorie : nombre de mois}, refusé s'il est mal formé."""
    resultat: dict[str, int] = {}
    for element in env_list(nom, []):
        categorie, _, mois = element.partition(":")
        if not categorie.strip() or not mois.strip().isdigit() or int(mois) == 0:
            raise ImproperlyConfigured(
                f"{nom} : « {element} » n'est pas de la forme catégorie:mois (ex. 500:12)."
            )
        resultat[categorie.strip()] = int(mois)
    return resultat


COMMANDE_GENERER_CLE = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'


def env_cle_secrete(
    nom: str, *, debug: bool, cle_de_developpement: str, differente_de: tuple[str, ...] = ()
) -> str:
    """Une clé secrète : celle de développement seulement quand DEBUG est actif.

    DEBUG désactivé, une clé absente, courte, peu variée, de développement ou déjà utilisée
    pour autre chose arrête le démarrage : une clé faible se devine, et une clé partagée entre
    deux usages (signature des sessions, pseudonymisation) fait tomber les deux à la fois.
    """
    valeur = env_str(nom)
    if debug:
        return valeur or cle_de_developpement
    raison = raison_cle_faible(valeur, cle_de_developpement, differente_de)
    if raison:
        raise ImproperlyConfigured(
            f"{nom} {raison} (obligatoire quand DEBUG est désactivé). "
            f"Générez-en une avec : {COMMANDE_GENERER_CLE}"
        )
    return valeur


LONGUEUR_MIN_CLE = 50
CARACTERES_DISTINCTS_MIN = 10


def raison_cle_faible(
    valeur: str, cle_de_developpement: str, differente_de: tuple[str, ...]
) -> str | None:
    """Pourquoi une clé de production est refusée, ou None si elle convient.

    Les seuils reprennent et durcissent ceux du contrôle `check --deploy` de Django
    (security.W009 : au moins 50 caractères dont 5 distincts).
    """
    if not valeur:
        return "n'est pas définie"
    if valeur == cle_de_developpement or valeur.startswith("django-insecure"):
        return "est une clé de développement"
    if valeur in differente_de:
        return "est identique à une autre clé : chaque usage demande sa propre clé"
    if len(valeur) < LONGUEUR_MIN_CLE:
        return f"est trop courte ({len(valeur)} caractères, {LONGUEUR_MIN_CLE} au moins)"
    if len(set(valeur)) < CARACTERES_DISTINCTS_MIN:
        return "est trop peu variée pour être aléatoire"
    return None
