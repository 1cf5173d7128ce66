"""Formulaires des comptes : connexion, code à usage unique, invitation, mot de passe choisi."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from comptes.models import Invitation
from comptes.permissions import Action, peut
from territoires.perimetres import Niveau


class ConnexionForm(AuthenticationForm):
    """Adresse électronique (ou identifiant d'un ancien compte) et mot de passe.

    Le champ garde le nom `username` : django-axes compte les échecs sur ce champ.
    """

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse électronique ou identifiant"
        self.fields["username"].widget = forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].label = "Mot de passe"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à usage unique",
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class ActivationForm(forms.Form):
    code = forms.CharField(
        label="Code affiché par l'application",
        help_text="6 chiffres, qui changent toutes les 30 secondes.",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class InvitationForm(forms.ModelForm):
    """Qui inviter, pour quelle institution, à quel rôle et sur quel territoire.

    La permission (`peut(personne, Action.INVITER, invitation)`) est vérifiée ici, sur
    l'invitation telle qu'elle serait envoyée.
    """

    class Meta:
        model = Invitation
        fields = ("adresse", "institution", "type", "niveau", "region", "departement", "epci")

    def __init__(self, *args: Any, par: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.par = par
        self.fields["adresse"].widget.attrs["autocomplete"] = "off"
        self.fields["niveau"].choices = [
            c for c in self.fields["niveau"].choices if c[0] != Niveau.COMMUNES
        ]
        self.fields["niveau"].help_text = "Vide : le territoire de l'institution."

    def clean_adresse(self) -> str:
        adresse = self.cleaned_data["adresse"].strip()
        deja = Invitation.objects.filter(
            adresse__iexact=adresse, acceptee_le__isnull=True, expire_le__gt=timezone.now()
        )
        if self.data.get("institution") and self.data.get("type"):
            deja = deja.filter(institution_id=self.data["institution"], type=self.data["type"])
            if deja.exists():
                raise ValidationError(
                    "Une invitation à ce rôle attend déjà une réponse à cette adresse."
                )
        return adresse

    def clean(self) -> dict:
        donnees = super().clean()
        # L'instance n'est remplie qu'après clean() : on vérifie l'invitation telle que saisie.
        proposee = Invitation(**{champ: donnees.get(champ) for champ in self.Meta.fields})
        if not self.errors and not peut(self.par, Action.INVITER, proposee):
            raise ValidationError(
                "Vous ne pouvez pas inviter à ce rôle pour cette institution et ce territoire."
            )
        return donnees


class MotDePasseForm(forms.Form):
    """Le mot de passe d'un nouveau compte, vérifié par les validateurs du projet."""

    mot_de_passe = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Au moins 8 caractères, pas seulement des chiffres, ni trop courant.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, adresse: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.futur = get_user_model()(username=adresse.lower(), email=adresse)

    def clean_confirmation(self) -> str:
        mot_de_passe = self.cleaned_data.get("mot_de_passe")
        confirmation = self.cleaned_data["confirmation"]
        if mot_de_passe and mot_de_passe != confirmation:
            raise ValidationError("Les deux mots de passe ne sont pas identiques.")
        return confirmation

    def clean_mot_de_passe(self) -> str:
        mot_de_passe = self.cleaned_data["mot_de_passe"]
        password_validation.validate_password(mot_de_passe, self.futur)
        return mot_de_passe


def adresse_deja_prise(adresse: str, *, sauf: Any = None) -> bool:
    """Une adresse n'appartient qu'à un compte, sans tenir compte de la casse."""
    comptes = get_user_model()._default_manager.filter(email__iexact=adresse.strip())
    return bool(adresse.strip()) and comptes.exclude(pk=getattr(sauf, "pk", None)).exists()
