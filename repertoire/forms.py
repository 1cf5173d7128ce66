"""Formulaires du répertoire."""

from typing import Any

from django import forms
from django.utils import timezone

CHAMP_VERSION = "version_chargee"
CONFLIT = (
    "Cette fiche ({fiche}) a été modifiée par quelqu'un d'autre pendant votre saisie ({quand}). "
    "Rechargez la page pour voir ses changements ; vos modifications n'ont pas été enregistrées."
)
# Un gabarit qui n'affiche pas le champ caché : refusé aussi, mais sans accuser un collègue.
VERSION_ABSENTE = (
    "La version lue de cette fiche ({fiche}) manque au formulaire : impossible de vérifier "
    "que personne ne l'a modifiée entre-temps ; vos modifications n'ont pas été enregistrées."
)


class VerrouOptimisteForm(forms.ModelForm):
    """Refuse d'écraser en silence une fiche enregistrée par quelqu'un d'autre (verrou optimiste).

    La version lue au chargement voyage dans un champ caché. À la validation, la ligne est
    verrouillée jusqu'à la fin de la transaction (select_for_update sous PostgreSQL ; sous
    SQLite, la transaction IMMEDIATE sérialise déjà les écritures) puis sa version comparée :
    deux enregistrements simultanés ne peuvent pas réussir tous les deux. À utiliser dans une
    transaction, comme le fait l'admin. L'enregistrement passe par la porte des fiches
    (`repertoire.ecriture`), qui incrémente la version et revérifie sous verrou.
    Le champ caché doit être rendu par la page (l'admin : `repertoire.admin.AvecVerrouOptimiste`).
    """

    version_chargee = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[CHAMP_VERSION].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if self.instance.pk is not None:
            self._verifier_version(donnees.get(CHAMP_VERSION))
        return donnees

    def _verifier_version(self, chargee: int | None) -> None:
        fiche = f"{self.instance._meta.verbose_name} « {self.instance} »"
        if chargee is None:
            raise forms.ValidationError(VERSION_ABSENTE.format(fiche=fiche), code="version_absente")
        quand = self._enregistrement_concurrent(chargee)
        if quand:
            raise forms.ValidationError(
                CONFLIT.format(fiche=fiche, quand=quand), code="conflit_de_version"
            )

    def _enregistrement_concurrent(self, chargee: int) -> str | None:
        """Quand la fiche a changé depuis la version `chargee`, ou None si elle n'a pas bougé."""
        enregistree = (
            type(self.instance)
            ._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", "modifie_le")
            .first()
        )
        if enregistree is None:
            return "supprimée entre-temps"
        if enregistree["version"] != chargee:
            return (
                f"enregistrée le {timezone.localtime(enregistree['modifie_le']):%d/%m/%Y à %H:%M}"
            )
        return None


class JetonForm(forms.Form):
    nom = forms.CharField(
        label="À quoi servira ce jeton ?",
        max_length=100,
        help_text="Par exemple : logiciel de suivi du CLIC. Ce nom vous aidera à le reconnaître.",
        error_messages={
            "required": "Donnez un nom à ce jeton.",
            "max_length": "Ce nom est trop long : 100 caractères au plus.",
        },
    )
