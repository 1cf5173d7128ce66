import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from veille.selectors import Maille

PERIODE_PAR_DEFAUT_JOURS = 90


class PeriodeForm(forms.Form):
    """La période et la maille d'un tableau de veille (GET : une adresse à partager)."""

    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    maille = forms.ChoiceField(label="Par", choices=Maille.CHOIX, required=False)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            raise forms.ValidationError("La date de début doit précéder la date de fin.")
        return donnees

    def periode(self) -> tuple[dt.date, dt.date, str]:
        """(du, au, maille) compris ; les 90 derniers jours par EPCI si rien ne l'est."""
        donnees = self.cleaned_data if self.is_valid() else {}
        au = donnees.get("au") or timezone.localdate()
        du = donnees.get("du") or au - dt.timedelta(days=PERIODE_PAR_DEFAUT_JOURS - 1)
        return du, au, donnees.get("maille") or Maille.EPCI
