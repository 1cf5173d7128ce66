"""Aucune donnée personnelle ni aucun jeton dans les journaux, quel que soit qui écrit.

Django écrit le chemin de chaque requête refusée (« Not Found: /compte/invitation/<jeton>/ »),
une bibliothèque peut écrire une adresse électronique ou une adresse IP, une exception peut
porter l'une ou l'autre dans son message. Ce filtre, posé sur le gestionnaire de la console
(settings.LOGGING), réécrit le message final de chaque enregistrement avant sa sortie : les
adresses électroniques, les adresses IP et les jetons des liens d'invitation et de
réinitialisation sont masqués. Le reste du message (ce qui a échoué, où) reste lisible.
"""

import logging
import re

MASQUE = "[masqué]"
# Une adresse électronique, une adresse IPv4, une adresse IPv6 : groupes hexadécimaux séparés
# par « : », avec « :: » ou au moins cinq « : » (une heure « 12:30:45 » n'en est pas une).
_COURRIEL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
# Tout segment de chemin qui suit un préfixe de lien secret (invitation, réinitialisation,
# lien signé d'une campagne) : le jeton vaut un mot de passe tant qu'il n'a pas servi.
_JETON = re.compile(r"(/(?:invitation|reinitialisation|lien)/)[^/\s?\"']+(?:/[^/\s?\"']+)?")


def masquer(texte: str) -> str:
    texte = _JETON.sub(rf"\1{MASQUE}", texte)
    texte = _COURRIEL.sub(MASQUE, texte)
    texte = _IPV4.sub(MASQUE, texte)
    return _IPV6.sub(_ipv6_masquee, texte)


def _ipv6_masquee(trouvee: re.Match) -> str:
    adresse = trouvee.group(0)
    return MASQUE if "::" in adresse or adresse.count(":") >= 5 else adresse


class SansDonneesPersonnelles(logging.Filter):
    """Réécrit le message et la trace d'une exception, une fois, avant tout formateur."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = masquer(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = masquer(record.exc_text)
        return True
