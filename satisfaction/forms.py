"""Les formulaires du questionnaire, construits depuis les questions d'une version."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from satisfaction.models import Question, TypeQuestion
from territoires.models import Departement
from territoires.selectors import choix_commune

TEXTE_MAX = 2_000
ERREURS = {
    TypeQuestion.ECHELLE: "Choisissez une réponse. Si la question ne vous concerne pas, "
    "choisissez « Non concerné ».",
    TypeQuestion.CHOIX_UNIQUE: "Choisissez une réponse.",
    TypeQuestion.CHOIX_MULTIPLE: "Cochez au moins une réponse.",
}


def champ_de(question: Question, *, obligatoire: bool | None = None) -> forms.Field:
    requis = question.obligatoire if obligatoire is None else obligatoire
    commun: dict[str, Any] = {"label": question.libelle, "help_text": question.aide}
    if question.type == TypeQuestion.TEXTE:
        return forms.CharField(
            required=False,
            max_length=TEXTE_MAX,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={"max_length": f"Écrivez {TEXTE_MAX} caractères au plus."},
            **commun,
        )
    erreurs = {
        "required": ERREURS[question.type],
        "invalid_choice": "Cette réponse n'est pas dans la liste.",
    }
    if question.type == TypeQuestion.CHOIX_MULTIPLE:
        return forms.MultipleChoiceField(
            choices=question.choix_proposes(), required=requis, error_messages=erreurs,
            widget=forms.CheckboxSelectMultiple, **commun,
        )  # fmt: skip
    return forms.ChoiceField(
        choices=question.choix_proposes(), required=requis, error_messages=erreurs,
        widget=forms.RadioSelect, **commun,
    )  # fmt: skip


class QuestionsForm(forms.Form):
    """Les questions données, une par champ nommé par sa clé."""

    def __init__(self, *args: Any, questions: list[Question], obligatoires: bool = True, **kw):
        super().__init__(*args, **kw)
        self.questions = questions
        for question in questions:
            self.fields[question.cle] = champ_de(
                question, obligatoire=None if obligatoires else False
            )

    def valeurs(self) -> dict[str, str | list[str]]:
        """Les réponses fermées données (une question laissée vide n'y est pas)."""
        return {
            q.cle: self.cleaned_data[q.cle]
            for q in self.questions
            if q.type != TypeQuestion.TEXTE and self.cleaned_data.get(q.cle)
        }

    def texte_libre(self) -> str:
        return "\n\n".join(
            self.cleaned_data[q.cle].strip()
            for q in self.questions
            if q.type == TypeQuestion.TEXTE and self.cleaned_data.get(q.cle, "").strip()
        )


def choix_departements() -> list[tuple[str, str]]:
    return [("", "Choisissez un département")] + [
        (d.code, f"{d.code} – {d.nom}") for d in Departement.objects.order_by("code")
    ]


class PremiereEtapeForm(QuestionsForm):
    """L'étape 1 : la MDPH (par la commune ou le département), puis les questions."""

    mdph_commune = forms.CharField(
        label="Votre commune",
        help_text="Le nom ou le code postal. Par exemple : Nevers, ou 58000.",
        required=False,
        max_length=100,
    )
    mdph_departement = forms.ChoiceField(label="Ou votre département", required=False, choices=())

    field_order = ["mdph_commune", "mdph_departement"]

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["mdph_departement"].choices = choix_departements()
        self.fields["mdph_departement"].error_messages["invalid_choice"] = (
            "Ce département n'est pas dans la liste."
        )
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        self.departement = self._departement(
            donnees.get("mdph_commune", "").strip(), donnees.get("mdph_departement", "")
        )
        return donnees

    def _departement(self, commune: str, code: str) -> Departement | None:
        if code:
            return Departement.objects.filter(pk=code).first()
        if not commune:
            if "mdph_departement" not in self.errors:
                self.add_error(
                    "mdph_commune", "Écrivez votre commune, ou choisissez votre département."
                )
            return None
        choix = choix_commune(commune)
        if choix.retenue is None:
            self.add_error(
                "mdph_commune",
                f"Nous ne trouvons pas la commune « {commune} ». Vérifiez l'orthographe, "
                "ou choisissez votre département.",
            )
            return None
        departements = {choix.retenue.departement_id} | {c.departement_id for c in choix.autres}
        if len(departements) > 1:
            self.add_error(
                "mdph_commune",
                f"Plusieurs communes s'appellent « {commune} ». Ajoutez le code postal, "
                "ou choisissez votre département.",
            )
            return None
        return choix.retenue.departement


class DerniereEtapeForm(QuestionsForm):
    # Pot de miel : caché à tous (attribut hidden du gabarit) ; rempli, l'envoi est ignoré.
    site_internet = forms.CharField(label="Site internet", required=False)

    def est_un_robot(self) -> bool:
        return bool(self.cleaned_data.get("site_internet"))


MOIS = re.compile(r"^(\d{4})-(\d{2})$")


class SaisiePapierForm(QuestionsForm):
    """Un questionnaire papier recopié par un agent de la MDPH : toutes les questions en une
    page, aucune obligatoire (une case laissée vide sur le papier n'est pas comptée)."""

    departement = forms.ChoiceField(label="MDPH (département)")
    mois = forms.CharField(
        label="Mois de réception du questionnaire",
        help_text="Par exemple : 2026-03 pour mars 2026.",
        widget=forms.TextInput(attrs={"type": "month", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, departements: list[Departement], **kw: Any):
        super().__init__(*args, obligatoires=False, **kw)
        self.fields["departement"].choices = [(d.code, str(d)) for d in departements]
        self.fields["departement"].error_messages = {
            "required": "Choisissez la MDPH.",
            "invalid_choice": "Vous ne pouvez pas saisir pour cette MDPH.",
        }
        self.fields["mois"].error_messages = {"required": "Donnez le mois de réception."}
        self.order_fields(["departement", "mois"])

    def clean_mois(self) -> dt.date:
        texte = self.cleaned_data["mois"].strip()
        lu = MOIS.match(texte)
        if not lu or not 1 <= int(lu[2]) <= 12:
            raise forms.ValidationError("Écrivez le mois ainsi : 2026-03 (année, tiret, mois).")
        mois = dt.date(int(lu[1]), int(lu[2]), 1)
        if mois > timezone.localdate():
            raise forms.ValidationError("Ce mois n'est pas encore arrivé.")
        if mois.year < 2018:
            raise forms.ValidationError("Le questionnaire existe depuis 2018.")
        return mois
