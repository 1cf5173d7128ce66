"""Les noms comparés par la détection : ce qui ne distingue pas deux offres est retiré."""

import re

from core.texte import normaliser

# Mots qui ne distinguent rien (« Maison de la Solidarité » et « Maison Solidarité »).
MOTS_VIDES = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur"}
    | {"un", "une"}
)
# Abréviations courantes des noms de structures, en plus de celles de core.texte (« st »).
ABREVIATIONS = {
    "res": "residence",
    "resid": "residence",
    "asso": "association",
    "assoc": "association",
    "ctre": "centre",
}
_CHIFFRES = re.compile(r"\d+")


def cle_du_nom(nom: str) -> str:
    """« EHPAD St-Joseph de la Loire » et « Ehpad Saint Joseph Loire » donnent la même clé :
    minuscules sans accents ni ponctuation, abréviations développées, mots vides retirés,
    mots rangés (l'ordre ne distingue pas deux offres)."""
    mots = (ABREVIATIONS.get(mot, mot) for mot in normaliser(nom).split())
    return " ".join(sorted(mot for mot in " ".join(mots).split() if mot not in MOTS_VIDES))


def nombres_du_nom(nom: str) -> frozenset[str]:
    """Les nombres d'un nom : « Antenne 1 » et « Antenne 2 » sont deux offres, aussi proches
    que soient leurs noms."""
    return frozenset(n.lstrip("0") or "0" for n in _CHIFFRES.findall(nom))
