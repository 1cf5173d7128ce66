from django import forms

from accompagnement.models import Accompagnement, ActionPlan, AxeDiagnostic, Niveau, Renfort


class DateInput(forms.DateInput):
    input_type = "date"


class OuvertureForm(forms.Form):
    motif = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    debut = forms.DateField(label="Début de l'accompagnement", widget=DateInput)


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Accompagnement
        fields = [
            "signataire_cnsa",
            "signataire_departement",
            "signataire_mdph",
            "date_signature",
            "reference_document",
        ]
        widgets = {"date_signature": DateInput}


class DiagnosticForm(forms.Form):
    """Un niveau et un commentaire pour chaque axe fixe."""

    def __init__(self, *args, initial_axes: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for code, libelle in AxeDiagnostic.choices:
            valeurs = (initial_axes or {}).get(code, {})
            self.fields[f"{code}-niveau"] = forms.ChoiceField(
                label=f"{libelle} : niveau",
                choices=[("", "non renseigné"), *Niveau.choices],
                required=False,
                initial=valeurs.get("niveau", ""),
            )
            self.fields[f"{code}-commentaire"] = forms.CharField(
                label=f"{libelle} : commentaire",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=valeurs.get("commentaire", ""),
            )

    def axes(self) -> dict[str, dict]:
        return {
            code: {
                "niveau": self.cleaned_data[f"{code}-niveau"],
                "commentaire": self.cleaned_data[f"{code}-commentaire"],
            }
            for code, _ in AxeDiagnostic.choices
        }


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["intitule", "responsable", "echeance"]
        widgets = {"echeance": DateInput}


class RenfortForm(forms.ModelForm):
    class Meta:
        model = Renfort
        fields = ["intitule", "agents_etp", "mois", "budget_euros"]

    def clean_agents_etp(self):
        valeur = self.cleaned_data["agents_etp"]
        if valeur <= 0:
            raise forms.ValidationError("Indiquez un nombre d'agents positif.")
        return valeur


class SimulationForm(forms.Form):
    etp = forms.DecimalField(
        label="Effectif actuel de la MDPH (ETP)",
        min_value=0.1,
        max_digits=6,
        decimal_places=1,
        help_text="Le nombre d'agents n'est pas transmis avec les demandes : indiquez-le.",
    )
    agents = forms.DecimalField(
        label="Agents de renfort (ETP)", min_value=0, max_digits=5, decimal_places=1
    )
    mois = forms.IntegerField(label="Pendant (mois)", min_value=0, max_value=60)
    delai_cible = forms.DecimalField(
        label="Délai cible (mois)", min_value=0.5, max_value=24, initial=4, decimal_places=1
    )
