"""Le parcours en ligne, une étape par page : les réponses en cours restent côté serveur
(dans la session), pour revenir en arrière et repartir sans rien perdre, sans JavaScript.

La session garde ce qui a été saisi tel quel (`saisies`), étape validée ou non : revenir à
une étape la montre comme on l'a laissée. Rien n'est enregistré avant l'envoi final, qui
revalide toutes les étapes.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.utils.datastructures import MultiValueDict

from satisfaction.forms import DerniereEtapeForm, PremiereEtapeForm, QuestionsForm
from satisfaction.models import Question, Version

CLE_SESSION = "satisfaction"
TITRES = {
    1: "Vous et votre demande",
    2: "Votre avis sur la MDPH",
    3: "La réponse à vos besoins",
    4: "Pour finir",
}
NOMBRE_ETAPES = len(TITRES)
# Un questionnaire abandonné ne reste pas dans la session d'un anonyme plus de 2 heures
# (le texte libre en cours peut être personnel) ; `purger_satisfaction` efface ensuite les
# sessions expirées.
DUREE_SESSION_ANONYME = 2 * 3600


@dataclass
class Parcours:
    version_id: int
    saisies: dict[str, list[str]] = field(default_factory=dict)
    etape_validee: int = 0
    departement: str = ""

    @classmethod
    def de_la_session(cls, session: SessionBase, version: Version) -> "Parcours":
        """Le parcours en cours, ou un nouveau (aucun, ou commencé sur une autre version)."""
        lu = session.get(CLE_SESSION) or {}
        if lu.get("version_id") != version.pk:
            return cls(version_id=version.pk)
        return cls(**lu)

    def garder(self, session: SessionBase, *, anonyme: bool = True) -> None:
        session[CLE_SESSION] = self.__dict__
        if anonyme:  # la session d'une personne connectée garde sa durée
            session.set_expiry(DUREE_SESSION_ANONYME)

    @staticmethod
    def oublier(session: SessionBase) -> None:
        session.pop(CLE_SESSION, None)

    def retenir(self, donnees: Any, noms: list[str]) -> None:
        for nom in noms:
            self.saisies[nom] = [v for v in donnees.getlist(nom) if isinstance(v, str)]

    def donnees(self) -> MultiValueDict:
        return MultiValueDict(self.saisies)

    def valeurs_initiales(self, form: QuestionsForm) -> dict[str, Any]:
        """Ce qui a été saisi, pour remontrer une étape sans la valider (aucune erreur
        affichée à qui revient ou arrive)."""
        initiales: dict[str, Any] = {}
        for nom, champ in form.fields.items():
            valeurs = self.saisies.get(nom)
            if valeurs:
                multiple = isinstance(champ, forms.MultipleChoiceField)
                initiales[nom] = valeurs if multiple else valeurs[0]
        return initiales

    def premiere_etape_permise(self, numero: int) -> int:
        """On n'ouvre une étape qu'après avoir validé les précédentes."""
        return min(numero, self.etape_validee + 1)


def questions_de(version: Version, etape: int) -> list[Question]:
    return [q for q in version.questions.all() if q.etape == etape]


def formulaire(version: Version, etape: int, donnees: Any = None) -> QuestionsForm:
    classe = {1: PremiereEtapeForm, NOMBRE_ETAPES: DerniereEtapeForm}.get(etape, QuestionsForm)
    return classe(donnees, questions=questions_de(version, etape), auto_id="id_%s")


def formulaire_a_montrer(version: Version, etape: int, parcours: Parcours) -> QuestionsForm:
    """L'étape non liée, préremplie de ce que la session garde."""
    form = formulaire(version, etape)
    form.initial = parcours.valeurs_initiales(form)
    return form
