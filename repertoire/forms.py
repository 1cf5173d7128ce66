"""Formulaires du répertoire."""

from typing import Any

from django import forms
from django.utils import timezone

CONFLIT = (
    "Cette fiche a été modifiée par quelqu'un d'autre pendant votre saisie ({quand}). "
    "Rechargez la page pour voir ses changements ; vos modifications n'ont pas été enregistrées."
)


class VerrouOptimisteForm(forms.ModelForm):
    """Refuse d'écraser en silence une fiche enregistrée par quelqu'un d'autre (verrou optimiste).

    La version lue au chargement voyage dans un champ caché. À la validation, la ligne est
    verrouillée jusqu'à la fin de la transaction (select_for_update sous PostgreSQL ; sous
    SQLite, la transaction IMMEDIATE sérialise déjà les écritures) puis sa version comparée :
    deux enregistrements simultanés ne peuvent pas réussir tous les deux. À utiliser dans une
    transaction, comme le fait l'admin ; chaque enregistrement incrémente la version.
    """

    version_chargee = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version_chargee"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if self.instance.pk is not None:
            self._verifier_version(donnees.get("version_chargee"))
        return donnees

    def _verifier_version(self, chargee: int | None) -> None:
        modele = type(self.instance)
        enregistree = (
            modele._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", "modifie_le")
            .first()
        )
        if enregistree is None:
            quand = "supprimée entre-temps"
        elif enregistree["version"] != chargee:
            quand = (
                f"enregistrée le {timezone.localtime(enregistree['modifie_le']):%d/%m/%Y à %H:%M}"
            )
        else:
            return
        raise forms.ValidationError(CONFLIT.format(quand=quand), code="conflit_de_version")

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is not None:
            self.instance.version = self.cleaned_data["version_chargee"] + 1
        return super().save(commit)
