"""Normalisation des noms pour les recherches tolérantes (casse, accents, tirets, « st »)."""

import re
import unicodedata

_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEPARATEURS = re.compile(r"[\s\-'’_./,;()]+")


class _SansDiacritiques(dict):
    """Table de `str.translate` remplie au fil des caractères rencontrés : un signe
    diacritique combinant est supprimé, tout autre caractère gardé. L'indexation de
    300 000 fiches passait un tiers de son temps à tester chaque caractère en Python."""

    def __missing__(self, code: int) -> int | None:
        self[code] = None if unicodedata.combining(chr(code)) else code
        return self[code]


_SANS_DIACRITIQUES = _SansDiacritiques()


def sans_accents(texte: str) -> str:
    if texte.isascii():
        return texte
    return unicodedata.normalize("NFKD", texte).translate(_SANS_DIACRITIQUES)


def normaliser(texte: str) -> str:
    """« St-Pierre-le-Moûtier » et « saint pierre le moutier » donnent la même clé."""
    mots = _SEPARATEURS.split(sans_accents(texte).lower())
    return " ".join(_ABREVIATIONS.get(mot, mot) for mot in mots if mot)
