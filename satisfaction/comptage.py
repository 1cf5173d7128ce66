"""Ce qu'une réponse ajoute aux comptes (`Comptage`) : la seule règle de comptage.

Pour chaque sous-groupe de la réponse (« tous », puis un par réponse à une question croisée :
`pour_qui=proche`, `motifs=cmi`, `etat=decision`…), un questionnaire de plus
(`_repondants`) et, pour chaque question fermée, un de plus au niveau ou au code choisi. Une
question croisée n'est comptée que dans « tous » (la croiser avec elle-même ne dit rien).
Une question sans réponse (papier) n'est pas comptée : le dénominateur d'un taux est la
somme des niveaux exprimés, jamais le nombre de questionnaires.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from satisfaction.models import CLE_REPONDANTS, SEGMENT_TOUS, Question, TypeQuestion

Valeurs = dict[str, str | list[str]]


def codes(valeur: str | list[str] | None) -> list[str]:
    if not valeur:
        return []
    return [valeur] if isinstance(valeur, str) else list(valeur)


def segments_de(questions: Iterable[Question], valeurs: Valeurs) -> list[str]:
    segments = [SEGMENT_TOUS]
    for question in questions:
        if question.croisee:
            segments += [f"{question.cle}={code}" for code in codes(valeurs.get(question.cle))]
    return segments


def comptes_de(
    *,
    questions: list[Question],
    departement: str,
    mois: dt.date,
    origine: str,
    valeurs: Valeurs,
) -> Counter:
    """{(département, mois, origine, segment, question, signature, niveau): n} d'une réponse."""
    comptes: Counter = Counter()
    fermees = [q for q in questions if q.type != TypeQuestion.TEXTE]
    for segment in segments_de(fermees, valeurs):
        base = (departement, mois, origine, segment)
        comptes[(*base, CLE_REPONDANTS, "", "")] += 1
        for question in fermees:
            if question.croisee and segment != SEGMENT_TOUS:
                continue
            for code in codes(valeurs.get(question.cle)):
                comptes[(*base, question.cle, question.signature, code)] += 1
    return comptes
