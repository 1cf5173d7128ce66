"""Aide à l'écriture d'un résumé « facile à lire et à comprendre » (FALC), pour les éditeurs.

`mesurer_lisibilite(texte)` mesure un texte français ; le gabarit `repertoire/_aide_falc.html`
(avec `mesure`) l'affiche à côté du champ, avec les règles du FALC. L'administration des
services et le formulaire d'un gestionnaire (widget `AideFalcTextarea`) s'en servent.
Tout est calculé sur place : textstat compte les syllabes françaises avec les dictionnaires
de césure de pyphen, fournis avec le paquet (aucun téléchargement, aucun appel réseau).
"""

import re
from dataclasses import dataclass, field

from textstat.textstat import textstatistics

# Règles européennes du FALC (Inclusion Europe, « L'information pour tous », 2009), en bref.
REGLES_FALC = (
    "Des phrases courtes : 15 mots au plus.",
    "Une seule idée par phrase.",
    "Des mots de tous les jours ; expliquez un mot difficile si vous devez l'employer.",
    "Pas d'abréviations ni de sigles (écrivez « Maison départementale des personnes "
    "handicapées » plutôt que « MDPH », ou expliquez le sigle).",
    "Parlez directement à la personne : « vous ».",
    "Des phrases à la forme active et positive, sans double négation.",
    "Les chiffres en chiffres (« 3 » et non « trois »), sans pourcentages.",
    "Une phrase par ligne ; ne coupez pas une phrase entre deux lignes.",
)
MOTS_PAR_PHRASE_MAX = 15
SYLLABES_MOT_LONG = 4  # « accompagnement » (4) est long ; « aider » (2) ne l'est pas

_MESURE = textstatistics()
_MESURE.set_lang("fr")
_FIN_DE_PHRASE = re.compile(r"(?<=[.!?…])\s+|\n+")
# Un mot : les lettres élidées (l', d', qu') ne comptent pas, un trait d'union sépare.
_MOT = re.compile(r"\b\w+\b(?!['’])")
_SIGLE = re.compile(r"\b[A-ZÀ-Ý]{2,}\b")


@dataclass(frozen=True)
class Lisibilite:
    """Ce qu'on dit à l'éditeur d'un résumé FALC."""

    score: float | None  # Kandel et Moles (Flesch adapté au français), 0 à 100 et plus
    niveau: str
    phrases: int = 0
    mots: int = 0
    mots_par_phrase: float = 0.0
    phrase_la_plus_longue: str = ""
    mots_de_la_plus_longue: int = 0
    mots_longs: list[str] = field(default_factory=list)
    sigles: list[str] = field(default_factory=list)
    conseils: list[str] = field(default_factory=list)


def phrases_de(texte: str) -> list[str]:
    """Les phrases : coupées après . ! ? … et à chaque retour à la ligne (le FALC écrit une
    phrase par ligne, souvent sans point)."""
    return [p.strip() for p in _FIN_DE_PHRASE.split(texte) if _MOT.search(p or "")]


def mesurer_lisibilite(texte: str) -> Lisibilite:
    """Mesure la lisibilité d'un texte français.

    Score de Kandel et Moles (1958), la formule de Flesch adaptée au français, calculée par
    textstat (`set_lang("fr")`) : 207 − 1,015 × mots par phrase − 73,6 × syllabes par mot.
    Au-dessus de 80 : très facile ; 60 à 80 : facile ; 50 à 60 : assez difficile ; en dessous
    de 50 : difficile. S'y ajoutent ce que le score ne dit pas : la phrase la plus longue
    (le FALC veut 15 mots au plus), les mots longs (4 syllabes ou plus, souvent rares) et les
    sigles (interdits par le FALC, sauf expliqués).
    """
    phrases = phrases_de(texte)
    if not phrases:
        return Lisibilite(score=None, niveau="aucun texte à mesurer")
    # textstat ne voit pas les fins de ligne : chaque phrase reçoit son point.
    ponctue = " ".join(p if p[-1] in ".!?…" else f"{p}." for p in phrases)
    longueurs = [len(_MOT.findall(p)) for p in phrases]
    la_plus_longue = max(range(len(phrases)), key=longueurs.__getitem__)
    mots = _MOT.findall(texte)
    longs = _uniques(m for m in mots if _MESURE.syllable_count(m) >= SYLLABES_MOT_LONG)
    mesure = Lisibilite(
        score=round(_MESURE.flesch_reading_ease(ponctue), 1),
        niveau="",
        phrases=len(phrases),
        mots=len(mots),
        mots_par_phrase=round(len(mots) / len(phrases), 1),
        phrase_la_plus_longue=phrases[la_plus_longue],
        mots_de_la_plus_longue=longueurs[la_plus_longue],
        mots_longs=longs,
        sigles=_uniques(_SIGLE.findall(texte)),
    )
    return Lisibilite(
        **{**mesure.__dict__, "niveau": niveau_de(mesure.score), "conseils": conseils(mesure)}
    )


def niveau_de(score: float | None) -> str:
    if score is None:
        return "aucun texte à mesurer"
    if score >= 80:
        return "très facile à lire"
    if score >= 60:
        return "facile à lire"
    if score >= 50:
        return "assez difficile à lire"
    return "difficile à lire"


def conseils(mesure: Lisibilite) -> list[str]:
    """Ce que l'éditeur peut changer, dans l'ordre où cela compte le plus."""
    resultat = []
    if mesure.mots_de_la_plus_longue > MOTS_PAR_PHRASE_MAX:
        resultat.append(
            f"Une phrase a {mesure.mots_de_la_plus_longue} mots : coupez-la "
            f"({MOTS_PAR_PHRASE_MAX} mots au plus)."
        )
    if mesure.sigles:
        resultat.append(f"Écrivez en entier ou expliquez : {', '.join(mesure.sigles)}.")
    if mesure.mots_longs:
        resultat.append(f"Cherchez un mot plus simple pour : {', '.join(mesure.mots_longs[:8])}.")
    return resultat


def _uniques(mots) -> list[str]:
    vus: dict[str, str] = {}
    for mot in mots:
        vus.setdefault(mot.lower(), mot)
    return list(vus.values())
