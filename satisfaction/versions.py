"""Les règles des versions du questionnaire.

- Une version qui a reçu une réponse est figée : on ne modifie, n'ajoute ni ne retire
  aucune de ses questions (ses résultats en dépendent). Changer une question, c'est créer
  une nouvelle version (`nouvelle_version`), puis la mettre en service.
- Chaque question a une clé stable et une signature (type, libellé, choix). Deux questions de
  même clé et même signature sont comparables d'une version à l'autre : leurs comptes
  s'additionnent (`Comptage.question` + `Comptage.signature`). Une question dont le libellé
  ou les choix changent garde sa clé mais change de signature : ses résultats forment une
  nouvelle série, jamais mêlée à l'ancienne.
"""

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Max

from satisfaction.models import Question, TypeQuestion, Version

# L'échelle entre dans la signature : changer l'échelle change toutes les séries.
ECHELLE = "tres_satisfait,satisfait,insatisfait,tres_insatisfait|non_concerne"
CHAMPS_MODIFIABLES = {
    "etape", "ordre", "type", "libelle", "aide", "choix", "obligatoire", "croisee",
}  # fmt: skip


class VersionFigee(Exception):
    """Une modification refusée, dite en français : la version a déjà des réponses."""


def signature_de(*, type: str, libelle: str, choix: list) -> str:
    """Empreinte de ce que voit la personne qui répond (le texte d'aide n'en est pas)."""
    echelle = ECHELLE if type == TypeQuestion.ECHELLE else ""
    contenu = json.dumps([type, " ".join(libelle.split()), choix, echelle], ensure_ascii=False)
    return hashlib.sha256(contenu.encode()).hexdigest()[:16]


def _exiger_modifiable(version: Version) -> None:
    if version.est_figee():
        raise VersionFigee(
            f"La version {version.numero} du questionnaire a déjà reçu des réponses : elle ne "
            "change plus. Créez une nouvelle version pour modifier une question."
        )


def modifier_question(question: Question, **champs: Any) -> Question:
    """Modifie une question d'une version encore sans réponse (la signature suit)."""
    inconnus = set(champs) - CHAMPS_MODIFIABLES
    if inconnus:
        raise ValueError(f"Champs non modifiables : {', '.join(sorted(inconnus))}")
    _exiger_modifiable(question.version)
    for nom, valeur in champs.items():
        setattr(question, nom, valeur)
    question.signature = signature_de(
        type=question.type, libelle=question.libelle, choix=question.choix
    )
    question.save()
    return question


def ajouter_question(version: Version, **champs: Any) -> Question:
    _exiger_modifiable(version)
    question = Question(version=version, **champs)
    question.signature = signature_de(
        type=question.type, libelle=question.libelle, choix=question.choix
    )
    question.save()
    return question


def retirer_question(question: Question) -> None:
    _exiger_modifiable(question.version)
    question.delete()


@transaction.atomic
def nouvelle_version(
    *,
    depuis: Version,
    changements: dict[str, dict[str, Any]] | None = None,
    retirees: tuple[str, ...] = (),
    ajoutees: tuple[dict[str, Any], ...] = (),
) -> Version:
    """Une nouvelle version (hors service) copiée de `depuis`, avec des questions changées
    ({clé: {champ: valeur}}), retirées (clés) ou ajoutées ; les clés restent stables."""
    changements = changements or {}
    numero = (Version.objects.aggregate(m=Max("numero"))["m"] or 0) + 1
    version = Version.objects.create(numero=numero, titre=depuis.titre)
    for question in depuis.questions.all():
        if question.cle in retirees:
            continue
        champs = {nom: getattr(question, nom) for nom in CHAMPS_MODIFIABLES}
        champs.update(changements.get(question.cle, {}))
        ajouter_question(version, cle=question.cle, **champs)
    for champs in ajoutees:
        ajouter_question(version, **champs)
    return version


@transaction.atomic
def mettre_en_service(version: Version) -> None:
    """La version proposée en ligne et imprimée ; les réponses déjà reçues gardent la leur."""
    Version.objects.filter(en_service=True).exclude(pk=version.pk).update(en_service=False)
    Version.objects.filter(pk=version.pk).update(en_service=True)
    version.en_service = True


def comparables(a: Question, b: Question) -> bool:
    """Même clé, même signature : les résultats de ces deux questions s'additionnent."""
    return a.cle == b.cle and a.signature == b.signature
