"""Le formulaire d'un nouveau service proposé (issue 11, § 1) : messages en français à côté de
chaque champ, besoins et publics en cases groupées par leur parent du thésaurus, lieux pris
parmi ceux de la structure. Sans JavaScript : la structure est choisie avant (page de choix ou
lien « Proposer un service » de sa fiche)."""

from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget

from contribution.nouveaux_services import CHAMPS_DU_SERVICE, LIBELLES
from repertoire.models import Besoin, Public, Structure
from repertoire.widgets import AideFalcTextarea

MODES_D_ACCUEIL = [
    ("accueil_sur_place", "Sur place, dans un lieu d'accueil"),
    ("accueil_a_domicile", "Intervention à domicile"),
    ("accueil_a_distance", "À distance (téléphone, visio)"),
]
Groupes = list[tuple[str, list[tuple[str, str]]]]


def _obligatoire(message: str) -> dict[str, str]:
    return {"required": message}


def groupes_du_thesaurus(entrees: list[Besoin] | list[Public]) -> Groupes:
    """Chaque entrée de premier niveau et ses enfants, dans l'ordre du thésaurus ; le parent
    est lui-même proposé en tête de son groupe (« … : en général »)."""
    enfants: dict[int, list[tuple[str, str]]] = {}
    for entree in entrees:
        if entree.parent_id is not None:
            enfants.setdefault(entree.parent_id, []).append((entree.slug, entree.libelle))
    groupes: Groupes = []
    for entree in entrees:
        if entree.parent_id is None:
            siens = enfants.get(entree.pk, [])
            tete = f"{entree.libelle} : en général" if siens else entree.libelle
            groupes.append((entree.libelle, [(entree.slug, tete), *siens]))
    return groupes


class NouveauServiceForm(forms.Form):
    nom = forms.CharField(
        label=LIBELLES["nom"],
        max_length=150,
        help_text="Par exemple : Accueil de jour Alzheimer, Portage de repas.",
        error_messages={
            "required": "Donnez le nom du service.",
            "max_length": "Ce nom est trop long : 150 caractères au plus.",
        },
    )
    description = forms.CharField(
        label=LIBELLES["description"],
        help_text="Ce que fait le service, pour qui, comment y accéder.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Décrivez le service en quelques phrases.",
            "max_length": "Cette description est trop longue : 5 000 caractères au plus.",
        },
    )
    resume_falc = forms.CharField(
        label=f"{LIBELLES['resume_falc']} (facultatif)",
        required=False,
        max_length=2000,
        widget=AideFalcTextarea(attrs={"rows": 5}),
        error_messages={"max_length": "Ce résumé est trop long : 2 000 caractères au plus."},
    )
    besoins = forms.MultipleChoiceField(
        label="À quels besoins répond-il ?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins un besoin : c'est ainsi que le service sera trouvé.",
            "invalid_choice": "Choisissez parmi les besoins proposés.",
        },
    )
    publics = forms.MultipleChoiceField(
        label="Pour quels publics ? (facultatif)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez parmi les publics proposés."},
    )
    accueil = forms.MultipleChoiceField(
        label="Comment le service accueille-t-il ?",
        choices=MODES_D_ACCUEIL,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins un mode d'accueil.",
            "invalid_choice": "Choisissez parmi les modes d'accueil proposés.",
        },
    )
    lieux = forms.ModelMultipleChoiceField(
        label="Dans quels lieux de la structure ?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choisissez parmi les lieux de la structure.",
            "invalid_pk_value": "Choisissez parmi les lieux de la structure.",
        },
    )
    site_web = forms.URLField(
        label=f"{LIBELLES['site_web']} (facultatif)",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="Format : https://…",
        error_messages={"invalid": "Adresse web non valide. Format : https://…"},
    )
    telephone = forms.CharField(
        label=f"{LIBELLES['telephone']} (facultatif)",
        required=False,
        max_length=30,
        help_text="Format : 03 86 00 00 00",
        error_messages={"max_length": "Ce numéro est trop long : 30 caractères au plus."},
    )
    courriel = forms.EmailField(
        label=f"{LIBELLES['courriel']} (facultatif)",
        required=False,
        help_text="Format : nom@domaine.fr",
        error_messages={"invalid": "Cette adresse n'est pas valide. Format : nom@domaine.fr"},
    )

    def __init__(self, *args: Any, structure: Structure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.groupes = {
            "besoins": groupes_du_thesaurus(list(Besoin.objects.all())),
            "publics": groupes_du_thesaurus(list(Public.objects.all())),
        }
        self.fields["besoins"].choices = self.groupes["besoins"]
        self.fields["publics"].choices = self.groupes["publics"]
        self.fields["lieux"].queryset = structure.lieux.select_related("commune")
        self.fields["lieux"].label_from_instance = _lieu_lisible

    @classmethod
    def depuis(cls, valeurs: dict[str, Any], *, structure: Structure, **kwargs: Any) -> Any:
        """Prérempli des valeurs d'une proposition (pour « Modifier puis accepter »)."""
        initial = {
            **valeurs,
            "accueil": [mode for mode, _ in MODES_D_ACCUEIL if valeurs.get(mode)],
        }
        return cls(structure=structure, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        sur_place = "accueil_sur_place" in (donnees.get("accueil") or [])
        if sur_place and not donnees.get("lieux") and self.fields["lieux"].queryset.exists():
            self.add_error("lieux", "Accueil sur place : cochez au moins un lieu d'accueil.")
        return donnees

    def valeurs(self) -> dict[str, Any]:
        """Les valeurs proposées, en JSON (slugs, clés des lieux, booléens des modes)."""
        donnees = self.cleaned_data
        modes = set(donnees["accueil"])
        valeurs: dict[str, Any] = {
            champ: donnees[champ] for champ in CHAMPS_DU_SERVICE if champ in donnees
        }
        valeurs.update({mode: mode in modes for mode, _ in MODES_D_ACCUEIL})
        valeurs["besoins"] = list(donnees["besoins"])
        valeurs["publics"] = list(donnees["publics"])
        valeurs["lieux"] = [lieu.pk for lieu in donnees["lieux"]]
        valeurs["telephone"] = donnees["telephone"].strip()
        valeurs["courriel"] = donnees["courriel"]
        return valeurs

    def cases_groupees(self, nom: str) -> list[tuple[str, list[BoundWidget]]]:
        """Pour le gabarit : chaque groupe du thésaurus et ses cases (un fieldset chacun)."""
        cases = {case.data["value"]: case for case in self[nom]}
        return [
            (legende, [cases[slug] for slug, _ in options])
            for legende, options in self.groupes[nom]
        ]

    @property
    def groupes_besoins(self) -> list[tuple[str, list[BoundWidget]]]:
        return self.cases_groupees("besoins")

    @property
    def groupes_publics(self) -> list[tuple[str, list[BoundWidget]]]:
        return self.cases_groupees("publics")


def _lieu_lisible(lieu: Any) -> str:
    commune = f" ({lieu.commune.nom})" if lieu.commune_id else ""
    return f"{lieu.nom}{commune}"


class ChoixStructureForm(forms.Form):
    """La page de choix : une partie du nom (quand la liste est longue), puis la structure."""

    nom = forms.CharField(label="Nom de la structure (ou une partie)", required=False)
    structure = forms.TypedChoiceField(
        label="Structure",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choisissez l'une des structures proposées."},
    )

    def __init__(self, *args: Any, structures: list[Structure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [("", "Choisissez une structure")] + [
            (s.pk, s.nom) for s in structures
        ]
