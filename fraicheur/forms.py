from typing import Any

from django import forms

from comptes.permissions import Action, peut
from repertoire.models import Besoin
from territoires.deploiement import departements_du_deploiement
from territoires.models import Departement


class CampagneForm(forms.Form):
    nom = forms.CharField(label="Nom de la campagne", max_length=150)
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.none(), empty_label=None
    )
    besoins = forms.ModelMultipleChoiceField(
        label="Besoins",
        queryset=Besoin.objects.filter(parent__isnull=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun besoin ni catégorie : toutes les fiches du département.",
    )
    categories = forms.CharField(
        label="Catégories FINESS",
        required=False,
        help_text="Codes séparés par des virgules, par exemple : 500, 209",
    )
    jours = forms.IntegerField(
        label="Durée de validité des liens, en jours", min_value=1, max_value=90, initial=30
    )

    def __init__(self, *args: Any, utilisateur: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        permis = [
            d.pk for d in departements_du_deploiement() if peut(utilisateur, Action.ANIMER, d)
        ]
        self.fields["departement"].queryset = Departement.objects.filter(pk__in=permis)

    def clean_categories(self) -> list[str]:
        codes = [c.strip() for c in self.cleaned_data["categories"].split(",") if c.strip()]
        fautives = [c for c in codes if not (c.isdigit() and len(c) == 3)]
        if fautives:
            raise forms.ValidationError(
                f"Une catégorie FINESS est un code de 3 chiffres : « {', '.join(fautives)} »."
            )
        return codes


class ReponseForm(forms.Form):
    message = forms.CharField(
        label="Qu'est-ce qui a changé ?",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Par exemple : nouveaux horaires, nouveau numéro de téléphone, service fermé.",
    )
