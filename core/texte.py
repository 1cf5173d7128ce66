"""Normalisation des noms pour les recherches tolérantes (casse, accents, tirets, « st »)."""

import re
import unicodedata

_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEPARATEURS = re.compile(r"[\s\-'’_./,;()]+")


def sans_accents(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte: str) -> str:
    """« St-Pierre-le-Moûtier » et « saint pierre le moutier » donnent la même clé."""
    mots = _SEPARATEURS.split(sans_accents(texte).lower())
    return " ".join(_ABREVIATIONS.get(mot, mot) for mot in mots if mot)
