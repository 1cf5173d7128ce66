"""Formulaires des contributions : messages d'erreur en français, à côté de chaque champ."""

from typing import Any

from django import forms
from django.db import models

from contribution.models import Motif
from repertoire import permanences, sous_fiches
from repertoire.models import Contact, Jour, Lieu, Service, Structure
from repertoire.widgets import AideFalcTextarea
from territoires.models import Commune
from territoires.selectors import choix_commune

# Ce qu'un gestionnaire (ou un modérateur) modifie, page par page : les champs de la fiche et
# ses liens (besoins, publics, lieux d'un service).
CHAMPS: dict[type[models.Model], list[str]] = {
    Structure: ["nom", "description", "site_web", "telephone"],
    Service: ["nom", "description", "resume_falc", "site_web"],
}
CHAMPS_ACCES = [
    "besoins",
    "publics",
    "age_min",
    "age_max",
    "lieux",
    "accueil_sur_place",
    "accueil_a_domicile",
    "accueil_a_distance",
    "conditions_acces",
    "documents_necessaires",
    "frais",
    "frais_precisions",
    "date_debut",
    "date_fin",
]
LIBELLES = {
    "nom": "Nom",
    "description": "Description",
    "site_web": "Site web",
    "telephone": "Téléphone d'accueil",
    "resume_falc": "Résumé en FALC (facile à lire et à comprendre)",
    "besoins": "Besoins auxquels il répond",
    "publics": "Publics accueillis",
    "lieux": "Lieux où il est tenu",
    "date_debut": "Début du dispositif (s'il est expérimental ou à durée limitée)",
    "date_fin": "Fin du dispositif (la fiche est cachée après cette date)",
    "plages": "Horaires de la semaine",
    "exceptions": "Fermetures et horaires exceptionnels",
    "permanences": "Permanences",
    "contacts": "Contacts",
    "lieux_de_la_structure": "Lieux",
    "ouvert_jours_feries": "Ouvert les jours fériés",
    "horaires_precisions": "Précisions sur les horaires",
}


def libelle(modele: type[models.Model], champ: str) -> str:
    if champ in LIBELLES:
        return LIBELLES[champ]
    return str(modele._meta.get_field(champ).verbose_name).capitalize()


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
    if isinstance(champ, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(champ, models.ManyToManyField):
        kwargs["widget"] = forms.CheckboxSelectMultiple
    return champ.formfield(**kwargs)


class FicheForm(forms.Form):
    """Des champs d'une fiche (par défaut les principaux, `CHAMPS`), avec la version lue
    (verrou optimiste, vérifié par la porte des fiches). Un formulaire simple : il ne touche
    pas l'instance ; `valeurs()` est ce qu'il demande d'écrire."""

    version_lue = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, fiche: Structure | Service, champs: list[str] | None = None, **kwargs: Any
    ) -> None:
        self.champs = champs or CHAMPS[type(fiche)]
        self.fiche = fiche
        kwargs.setdefault("initial", {"version_lue": fiche.version, **self._actuelles()})
        super().__init__(*args, **kwargs)
        champs_ = forms.fields_for_model(
            type(fiche), fields=self.champs, formfield_callback=_champ_du_modele
        )
        for nom, champ in champs_.items():
            self.fields[nom] = self._adapter(nom, champ)

    def _actuelles(self) -> dict[str, Any]:
        noms = sous_fiches.noms(self.fiche)
        return {
            c: sous_fiches.lire(self.fiche, c) if c in noms else getattr(self.fiche, c)
            for c in self.champs
        }

    def _adapter(self, nom: str, champ: forms.Field) -> forms.Field:
        champ.label = libelle(type(self.fiche), nom)
        if champ.required:
            champ.error_messages["required"] = f"Le champ « {champ.label} » est obligatoire."
        if isinstance(champ, forms.URLField):
            champ.error_messages["invalid"] = "Adresse web non valide. Format : https://…"
        if isinstance(champ, forms.DateField):
            champ.error_messages["invalid"] = "Date non valide. Format : jj/mm/aaaa."
        if nom == "resume_falc":
            champ.widget = AideFalcTextarea(attrs={"rows": 6})
        if nom == "lieux":
            champ.queryset = self.fiche.structure.lieux.all()
            champ.help_text = "Un lieu manque ? Ajoutez-le dans les lieux de la structure."
        if nom in ("besoins", "publics"):
            champ.queryset = champ.queryset.order_by("ordre", "libelle")
        return champ

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        for debut, fin, message in BORNES:
            bornes = (donnees.get(debut), donnees.get(fin))
            if None not in bornes and bornes[0] > bornes[1]:
                self.add_error(fin, message)
        return donnees

    def valeurs(self) -> dict[str, Any]:
        noms = sous_fiches.noms(self.fiche)
        return {
            c: [o.pk for o in self.cleaned_data[c]] if c in noms else self.cleaned_data[c]
            for c in self.champs
        }


BORNES = (
    ("age_min", "age_max", "L'âge maximum doit être supérieur ou égal à l'âge minimum."),
    ("date_debut", "date_fin", "La date de fin doit venir après la date de début."),
)


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


# --- Horaires, fermetures, permanences, contacts : une ligne par élément ----------------------

HEURE = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERREURS_HEURE = {"invalid": "Heure non valide. Format : 09:30.", "required": "Indiquez l'heure."}
ERREURS_DATE = {"invalid": "Date non valide. Format : jj/mm/aaaa.", "required": "Indiquez la date."}


def _heure(label: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=HEURE, error_messages=ERREURS_HEURE, **kwargs)


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, error_messages=ERREURS_DATE, **kwargs)


class LigneForm(forms.Form):
    """Une ligne d'un ensemble ; `lieux` : les lieux de la structure, au choix."""

    def __init__(self, *args: Any, lieux: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "lieu" in self.fields:
            self.fields["lieu"].queryset = lieux
        self.fields["DELETE"] = forms.BooleanField(label="Supprimer cette ligne", required=False)

    def ligne(self) -> dict[str, Any]:
        return {c: v for c, v in self.cleaned_data.items() if c not in ("DELETE", *CALCULES)}

    def _ouverture_avant_fermeture(self, donnees: dict[str, Any]) -> None:
        ouverture, fermeture = donnees.get("ouverture"), donnees.get("fermeture")
        if ouverture and fermeture and ouverture >= fermeture:
            self.add_error("fermeture", "L'heure de fermeture doit venir après l'ouverture.")


CALCULES = ("frequence", "jour_semaine", "rang")


class PlageForm(LigneForm):
    jour = forms.TypedChoiceField(
        label="Jour",
        choices=[("", "— choisir —"), *Jour.choices],
        coerce=int,
        error_messages={"required": "Choisissez le jour."},
    )
    ouverture = _heure("Ouverture")
    fermeture = _heure("Fermeture")
    lieu = forms.ModelChoiceField(
        label="Lieu", queryset=Lieu.objects.none(), required=False, empty_label="tous ses lieux"
    )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        self._ouverture_avant_fermeture(donnees)
        return donnees


class ExceptionForm(LigneForm):
    date_debut = _date("Du")
    date_fin = _date("Au (inclus)")
    ferme = forms.BooleanField(label="Fermé toute la journée", required=False, initial=True)
    ouverture = _heure("Sinon, ouvert de", required=False)
    fermeture = _heure("à", required=False)
    motif = forms.CharField(label="Motif (facultatif)", max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and debut > fin:
            self.add_error("date_fin", "La date de fin doit venir après la date de début.")
        if not donnees.get("ferme") and not (donnees.get("ouverture") and donnees.get("fermeture")):
            self.add_error(
                "ouverture", "Fermé toute la journée, ou indiquez les heures d'ouverture."
            )
        if donnees.get("ferme"):
            donnees["ouverture"] = donnees["fermeture"] = None
        self._ouverture_avant_fermeture(donnees)
        return donnees


class PermanenceForm(LigneForm):
    lieu = forms.ModelChoiceField(
        label="Lieu de la permanence",
        queryset=Lieu.objects.none(),
        help_text="Une mairie, une maison France services… Un lieu manque ? Ajoutez-le dans "
        "les lieux de la structure.",
        error_messages={"required": "Choisissez le lieu."},
    )
    frequence = forms.ChoiceField(
        label="Quand",
        choices=[("", "— choisir —"), *permanences.Frequence.CHOIX],
        error_messages={"required": "Choisissez quand elle se tient."},
    )
    jour_semaine = forms.TypedChoiceField(
        label="Jour de la semaine",
        choices=[("", "— choisir —"), *Jour.choices],
        coerce=int,
        required=False,
    )
    rang = forms.TypedChoiceField(
        label="Pour « une fois par mois » : le combientième",
        choices=[("", "— choisir —"), (1, "1er"), (2, "2e"), (3, "3e"), (4, "4e"), (-1, "dernier")],
        coerce=int,
        required=False,
    )
    date_debut = _date("À partir du")
    date_fin = _date("Jusqu'au (facultatif)", required=False)
    ouverture = _heure("De")
    fermeture = _heure("À")
    precisions = forms.CharField(label="Précisions (facultatif)", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial")
        if initial and initial.get("regle"):
            recurrence = permanences.recurrence_de(initial["regle"])
            kwargs["initial"] = {
                **initial,
                "frequence": recurrence.frequence,
                "jour_semaine": recurrence.jour,
                "rang": recurrence.rang,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        frequence = donnees.get("frequence")
        chaque_semaine_ou_mois = frequence not in (None, "", permanences.Frequence.UNE_FOIS)
        if chaque_semaine_ou_mois and donnees.get("jour_semaine") in (None, ""):
            self.add_error("jour_semaine", "Choisissez le jour de la semaine.")
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and debut > fin:
            self.add_error("date_fin", "La date de fin doit venir après la date de début.")
        self._ouverture_avant_fermeture(donnees)
        if frequence and not self.errors:
            donnees["regle"] = permanences.regle_de(
                permanences.Recurrence(frequence, donnees.get("jour_semaine"), donnees.get("rang"))
            )
        return donnees


class ContactForm(LigneForm):
    libelle = forms.CharField(
        label="Intitulé",
        max_length=150,
        help_text="Par exemple : accueil, référente APA.",
        error_messages={"required": "Donnez un intitulé à ce contact."},
    )
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    courriel = forms.EmailField(
        label="Adresse électronique",
        required=False,
        error_messages={"invalid": "Cette adresse n'est pas valide. Format : nom@domaine.fr"},
    )
    visibilite = forms.ChoiceField(
        label="Qui le voit",
        choices=Contact.Visibilite.choices,
        initial=Contact.Visibilite.PUBLIC,
        help_text="« Réservé aux professionnels » : jamais montré au public.",
    )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if not donnees.get("telephone") and not donnees.get("courriel"):
            self.add_error("telephone", "Indiquez un téléphone ou une adresse électronique.")
        return donnees


class HorairesForm(FicheForm):
    """Ce que la page des horaires modifie en plus des créneaux."""

    def __init__(self, *args: Any, fiche: Service, **kwargs: Any) -> None:
        champs = ["ouvert_jours_feries", "horaires_precisions"]
        super().__init__(*args, fiche=fiche, champs=champs, **kwargs)


class VersionForm(FicheForm):
    def __init__(self, *args: Any, fiche: Structure | Service, **kwargs: Any) -> None:
        super().__init__(*args, fiche=fiche, champs=["nom"], **kwargs)
        del self.fields["nom"]
        self.champs = []


class EnsembleFormSet(forms.BaseFormSet):
    def lignes(self) -> list[dict[str, Any]]:
        """Les lignes gardées : ni supprimées, ni laissées vides."""
        return [
            form.ligne()
            for form in self.forms
            if form.has_changed() or form in self.initial_forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


def ensemble_formset(form: type[LigneForm]) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, formset=EnsembleFormSet, extra=2)


FORMULAIRES_DES_ENSEMBLES = {
    "plages": PlageForm,
    "exceptions": ExceptionForm,
    "permanences": PermanenceForm,
    "contacts": ContactForm,
}


class LieuForm(forms.Form):
    """Un lieu d'accueil : adresse, commune (nom, code postal ou code INSEE), accessibilité.
    Sans coordonnées saisies, un lieu qui change de commune est situé à sa mairie."""

    version_lieu = forms.IntegerField(widget=forms.HiddenInput, required=False)
    nom = forms.CharField(
        label="Nom du lieu",
        max_length=150,
        help_text="Par exemple : siège, antenne de Clamecy, mairie de Decize.",
        error_messages={"required": "Donnez un nom à ce lieu."},
    )
    adresse = forms.CharField(label="Adresse (numéro et voie)", max_length=255, required=False)
    complement_adresse = forms.CharField(
        label="Complément d'adresse (facultatif)", max_length=255, required=False
    )
    code_postal = forms.RegexField(
        label="Code postal",
        regex=r"^\d[\dAB]\d{3}$",
        required=False,
        error_messages={"invalid": "Code postal non valide : 5 chiffres, par exemple 58000."},
    )
    commune = forms.CharField(
        label="Commune",
        max_length=100,
        help_text="Son nom, son code postal ou son code INSEE.",
        error_messages={"required": "Indiquez la commune."},
    )
    latitude = forms.FloatField(
        label="Latitude (facultatif)",
        required=False,
        min_value=-90,
        max_value=90,
        help_text="Laissez vide : le lieu est placé à la mairie de sa commune.",
        error_messages={"invalid": "Latitude non valide, par exemple 46.99."},
    )
    longitude = forms.FloatField(
        label="Longitude (facultatif)",
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={"invalid": "Longitude non valide, par exemple 3.16."},
    )
    accessibilite = forms.CharField(
        label="Accessibilité du lieu (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui aide une personne en fauteuil, malvoyante ou malentendante à venir.",
    )
    entree_plain_pied = forms.NullBooleanField(label="Entrée de plain-pied")
    stationnement_adapte = forms.NullBooleanField(label="Stationnement adapté")
    sanitaires_adaptes = forms.NullBooleanField(label="Sanitaires adaptés")
    boucle_magnetique = forms.NullBooleanField(label="Boucle magnétique")

    def __init__(self, *args: Any, lieu: Lieu, **kwargs: Any) -> None:
        self.lieu = lieu
        if lieu.pk:
            kwargs.setdefault("initial", self._initial(lieu))
        super().__init__(*args, **kwargs)
        for nom in OUI_NON:
            self.fields[nom].widget = forms.Select(choices=OUI_NON_CHOIX)

    @staticmethod
    def _initial(lieu: Lieu) -> dict[str, Any]:
        initial = {c: getattr(lieu, c) for c in sous_fiches.CHAMPS_DU_LIEU if c != "commune"}
        commune = lieu.commune
        return {**initial, "commune": commune.nom if commune else "", "version_lieu": lieu.version}

    def clean_commune(self) -> Commune:
        saisie = self.cleaned_data["commune"].strip()
        if self.lieu.commune_id and saisie == self.lieu.commune.nom:
            return self.lieu.commune
        choix = choix_commune(saisie)
        if choix.retenue is None:
            raise forms.ValidationError(
                f"Aucune commune ne correspond à « {saisie} ». Essayez son code postal."
            )
        if choix.approchee:
            # Une fiche publiée ne reçoit pas une commune devinée : la personne la confirme.
            raise forms.ValidationError(
                f"Aucune commune ne s'appelle « {saisie} ». Vouliez-vous dire "
                f"« {choix.retenue} » ? Écrivez-la ainsi, ou donnez son code postal."
            )
        return choix.retenue

    def ligne(self) -> dict[str, Any]:
        donnees = dict(self.cleaned_data)
        commune = donnees["commune"]
        if donnees["latitude"] is None or donnees["longitude"] is None:
            if commune.pk != self.lieu.commune_id or self.lieu.latitude is None:
                donnees["latitude"], donnees["longitude"] = commune.latitude, commune.longitude
            else:
                donnees["latitude"], donnees["longitude"] = self.lieu.latitude, self.lieu.longitude
        ligne = {c: donnees[c] for c in sous_fiches.CHAMPS_DU_LIEU}
        return {"id": self.lieu.pk, "version": donnees["version_lieu"], **ligne}


OUI_NON = ("entree_plain_pied", "stationnement_adapte", "sanitaires_adaptes", "boucle_magnetique")
OUI_NON_CHOIX = [("unknown", "je ne sais pas"), ("true", "oui"), ("false", "non")]
