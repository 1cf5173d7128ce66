"""Formulaires des contributions : messages d'erreur en français, à côté de chaque champ."""

from typing import Any

from django import forms
from django.db import models

from contribution.models import Motif
from repertoire.models import Service, Structure
from repertoire.widgets import AideFalcTextarea

# Les champs principaux qu'un gestionnaire (ou un modérateur) modifie ici.
CHAMPS: dict[type[models.Model], list[str]] = {
    Structure: ["nom", "description", "site_web", "telephone"],
    Service: ["nom", "description", "resume_falc", "site_web"],
}
LIBELLES = {
    "nom": "Nom",
    "description": "Description",
    "site_web": "Site web",
    "telephone": "Téléphone d'accueil",
    "resume_falc": "Résumé en FALC (facile à lire et à comprendre)",
}


class SignalementForm(forms.Form):
    motif = forms.ChoiceField(
        label="Qu'est-ce qui est faux ?",
        choices=Motif.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez ce qui est faux.",
            "invalid_choice": "Choisissez l'un des motifs proposés.",
        },
    )
    texte = forms.CharField(
        label="La bonne information",
        help_text="Par exemple : les nouveaux horaires, le bon numéro de téléphone.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Dites-nous ce qui est faux et, si vous la connaissez, la bonne "
            "information.",
            "max_length": "Ce texte est trop long : 2 000 caractères au plus.",
        },
    )
    courriel = forms.EmailField(
        label="Votre adresse électronique (facultatif)",
        help_text="Seulement pour vous dire ce que nous en avons fait. Format : nom@domaine.fr",
        required=False,
        error_messages={"invalid": "Cette adresse n'est pas valide. Format : nom@domaine.fr"},
    )
    # Pot de miel : caché à tous (attribut hidden du gabarit) ; rempli, l'envoi est ignoré.
    site_internet = forms.CharField(label="Ne pas remplir ce champ", required=False)

    def est_un_robot(self) -> bool:
        return bool(self.cleaned_data.get("site_internet"))


def _champ_du_modele(champ: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(champ, models.URLField):
        kwargs["assume_scheme"] = "https"
    return champ.formfield(**kwargs)


class FicheForm(forms.Form):
    """Les champs principaux d'une fiche, avec la version lue (verrou optimiste, vérifié par
    la porte des fiches). Un formulaire simple : il ne touche pas l'instance."""

    version_lue = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, fiche: Structure | Service, **kwargs: Any) -> None:
        self.champs = CHAMPS[type(fiche)]
        kwargs.setdefault(
            "initial",
            {"version_lue": fiche.version, **{c: getattr(fiche, c) for c in self.champs}},
        )
        super().__init__(*args, **kwargs)
        champs = forms.fields_for_model(
            type(fiche), fields=self.champs, formfield_callback=_champ_du_modele
        )
        for nom, champ in champs.items():
            champ.label = LIBELLES[nom]
            if champ.required:
                champ.error_messages["required"] = f"Le champ « {LIBELLES[nom]} » est obligatoire."
            if isinstance(champ, forms.URLField):
                champ.error_messages["invalid"] = "Adresse web non valide. Format : https://…"
            if nom == "resume_falc":
                champ.widget = AideFalcTextarea(attrs={"rows": 6})
            self.fields[nom] = champ

    def valeurs(self) -> dict[str, Any]:
        return {champ: self.cleaned_data[champ] for champ in self.champs}


class RaisonForm(forms.Form):
    raison = forms.CharField(
        label="Raison",
        help_text="Elle est envoyée à l'auteur s'il a laissé son adresse.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Dites pourquoi : la raison est obligatoire."},
    )


class RetablirForm(forms.Form):
    history_id = forms.IntegerField(widget=forms.HiddenInput)
    version_lue = forms.IntegerField(widget=forms.HiddenInput)
