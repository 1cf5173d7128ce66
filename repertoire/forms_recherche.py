"""Le formulaire de recherche publique : une requête GET, donc une adresse à partager."""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms

from core.templatetags.pages import classe
from repertoire.models import Besoin, ModeAcces, Public
from repertoire.recherche import Critere
from repertoire.recherche.moteur import RAYON_MAX_KM, RAYON_MIN_KM, RAYON_PAR_DEFAUT_KM
from territoires.selectors import choix_commune, libelles_communes

# Le vide est la distance par défaut du moteur, dite comme telle (pas « sans limite ») : 10 km,
# élargis quand ils laissent moins de 5 réponses (`moteur._elargir_le_rayon_par_defaut`) ; toute
# distance que l'API accepte (jusqu'à RAYON_MAX_KM), la page l'accepte aussi
# (`_offrir_le_rayon_demande`).
RAYONS = [
    ("", f"{RAYON_PAR_DEFAUT_KM:g} km, plus loin si peu de réponses (par défaut)"),
    *((f"{km}", f"{km} km") for km in (5, 10, 20, 30, 50, 100)),
    (f"{RAYON_MAX_KM:g}", f"{RAYON_MAX_KM:g} km (le plus loin)"),
]
MODES_ACCUEIL = [
    ("", "peu importe"),
    ("sur-place", "sur place"),
    ("a-domicile", "à domicile"),
    ("a-distance", "à distance (téléphone, visio)"),
]
TRIS = [("pertinence", "pertinence"), ("distance", "distance"), ("nom", "nom")]
LONGUEUR_MAX_TEXTE = 200


def choix_groupes(entrees: Iterable[Besoin | Public], tous: str) -> list:
    """Premier niveau en groupes (<optgroup>), chacun choisissable en entier, puis ses enfants."""
    entrees = list(entrees)
    enfants: dict[int, list] = {}
    for entree in entrees:
        if entree.parent_id:
            enfants.setdefault(entree.parent_id, []).append((entree.slug, entree.libelle))
    choix: list = [("", tous)]
    for entree in entrees:
        if entree.parent_id:
            continue
        if entree.pk in enfants:
            groupe = [(entree.slug, f"{entree.libelle} : tout")] + enfants[entree.pk]
            choix.append((entree.libelle, groupe))
        else:
            choix.append((entree.slug, entree.libelle))
    return choix


class Distance(forms.FloatField):
    """Des kilomètres écrits à la française (« 2,5 ») ou à l'anglaise (« 2.5 »), comme l'API
    les lit (`schemas.RechercheServices`)."""

    def to_python(self, value):
        return super().to_python(value.replace(",", ".") if isinstance(value, str) else value)


# Les mots que l'API (pydantic) lit comme « non » ; la case à cocher de Django lirait « oui »
# pour tout texte non vide autre que « false » (« ouvert=0 »).
NON = frozenset({"0", "off", "f", "false", "n", "no", "non"})


class Case(forms.CheckboxInput):
    """Une case dont « ouvert=0 » dit non, sur la page comme dans l'API."""

    def value_from_datadict(self, data, files, name) -> bool:
        valeur = data.get(name)
        if isinstance(valeur, str) and valeur.strip().lower() in NON:
            return False
        return super().value_from_datadict(data, files, name)


class RechercheForm(forms.Form):
    q = forms.CharField(
        label="Mots-clés",
        required=False,
        max_length=LONGUEUR_MAX_TEXTE,
        help_text="Par exemple : aide à domicile, répit, transport.",
        error_messages={
            "max_length": f"Votre texte est trop long : {LONGUEUR_MAX_TEXTE} caractères au plus."
        },
    )
    besoin = forms.ChoiceField(label="Votre besoin", required=False)
    public = forms.ChoiceField(label="Pour qui ?", required=False)
    commune = forms.CharField(
        label="Commune ou code postal",
        required=False,
        max_length=100,
        help_text="Par exemple : Nevers ou 58000.",
        error_messages={"max_length": "Le nom de commune est trop long : 100 caractères au plus."},
    )
    rayon = Distance(
        label="Distance autour de la commune",
        required=False,
        min_value=RAYON_MIN_KM,
        max_value=RAYON_MAX_KM,
        widget=forms.Select(choices=RAYONS),
        error_messages={
            "invalid": "La distance doit être un nombre de kilomètres.",
            "min_value": "La distance doit être d'au moins "
            + f"{RAYON_MIN_KM:g}".replace(".", ",")
            + " km.",
            "max_value": f"La distance est limitée à {RAYON_MAX_KM:g} km.",
        },
    )
    mode = forms.ChoiceField(
        label="Mode d'accueil",
        choices=MODES_ACCUEIL,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez un mode d'accueil dans la liste."},
    )
    acces = forms.ChoiceField(
        label="Mode d'accès",
        choices=[("", "peu importe"), *ModeAcces.choices],
        required=False,
        error_messages={"invalid_choice": "Choisissez un mode d'accès dans la liste."},
    )
    ouvert = forms.BooleanField(label="Ouvert maintenant", required=False, widget=Case)
    tri = forms.ChoiceField(
        label="Trier par",
        choices=TRIS,
        required=False,
        error_messages={"invalid_choice": "Choisissez un tri dans la liste."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Le numéro de page n'est pas valide : voici la première page.",
            "min_value": "Le numéro de page n'est pas valide : voici la première page.",
            "max_value": "Le numéro de page n'est pas valide : voici la première page.",
        },
    )

    def __init__(self, *args, besoins: Iterable[Besoin], publics: Iterable[Public], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["besoin"].choices = choix_groupes(besoins, "tous les besoins")
        self.fields["public"].choices = choix_groupes(publics, "tous les publics")
        for nom in ("besoin", "public"):
            self.fields[nom].error_messages["invalid_choice"] = "Choisissez dans la liste."
        self._offrir_le_rayon_demande()
        for champ in self.fields.values():
            if isinstance(champ.widget, forms.Select):
                champ.widget.attrs["class"] = classe("liste")
            elif isinstance(champ.widget, forms.TextInput):
                champ.widget.attrs["class"] = classe("saisie")

    def _offrir_le_rayon_demande(self) -> None:
        """Un rayon venu d'une adresse partagée ou de l'API (« 25 ») qui n'est pas dans la
        liste y est ajouté, pour que la liste montre ce qui est appliqué."""
        brut = (self.data.get("rayon") or "").strip() if self.is_bound else ""
        try:
            km = float(brut.replace(",", "."))
        except ValueError:
            return
        valeurs = {float(cle) for cle, _ in RAYONS if cle}
        if 0 < km <= RAYON_MAX_KM and km not in valeurs:
            choix = sorted([*RAYONS[1:], (f"{km:g}", f"{km:g} km")], key=lambda c: float(c[0]))
            self.fields["rayon"].widget.choices = [RAYONS[0], *choix]

    def valeurs(self) -> dict:
        """Les valeurs comprises (les champs invalides sont écartés), sans les vides."""
        donnees = getattr(self, "cleaned_data", {})
        return {nom: valeur for nom, valeur in donnees.items() if valeur not in ("", None, False)}

    def critere(self, *, maintenant: dt.datetime) -> Critere:
        v = self.valeurs()
        return Critere(
            q=v.get("q", ""),
            besoin=v.get("besoin", ""),
            public=v.get("public", ""),
            mode_accueil=v.get("mode", ""),
            mode_acces=v.get("acces", ""),
            commune=v.get("commune", ""),
            rayon_km=float(v["rayon"]) if "rayon" in v else None,
            ouvert_le=maintenant if v.get("ouvert") else None,
            tri=v.get("tri", "pertinence"),
        )

    def parametres(self, **remplacements) -> dict:
        """Paramètres d'URL (pour la pagination) tirés des seules valeurs valides."""
        parametres = {nom: valeur for nom, valeur in self.valeurs().items() if nom != "page"}
        if parametres.get("ouvert"):
            parametres["ouvert"] = "on"
        if "rayon" in parametres:
            parametres["rayon"] = f"{parametres['rayon']:g}"
        parametres.update(remplacements)
        return parametres

    def commune_choisie(self) -> dict:
        """Quand la commune saisie en désignait plusieurs, ou n'en nommait aucune exactement :
        celle que la recherche a retenue, et la même recherche autour de chacune des autres.
        Vide quand la saisie ne désignait qu'une commune (le cas courant, sans requête)."""
        saisie = self.valeurs().get("commune", "")
        choix = choix_commune(saisie) if saisie else None
        if choix is None or choix.retenue is None or not (choix.autres or choix.approchee):
            return {}
        libelles = libelles_communes([choix.retenue, *choix.autres])
        autres = [
            {
                "libelle": libelles[c.pk][0],
                "url": "?" + urlencode(self.parametres(commune=libelles[c.pk][1])),
            }
            for c in choix.autres
        ]
        retenue = libelles[choix.retenue.pk][0]
        return {
            "saisie": saisie,
            "retenue": retenue,
            "approchee": choix.approchee,
            "autres": autres,
        }

    def libelle(self, nom: str) -> str:
        """Libellé du choix retenu pour `nom` (pour le titre de la page)."""
        valeur = self.valeurs().get(nom)
        for cle, texte in self.fields[nom].choices:
            if isinstance(texte, list | tuple):
                for sous_cle, sous_texte in texte:
                    if sous_cle == valeur:
                        return sous_texte.removesuffix(" : tout")
            elif cle == valeur and valeur:
                return texte
        return ""
