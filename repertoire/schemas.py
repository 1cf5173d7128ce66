"""Schémas de l'API publique v1 du répertoire : noms français, contrat stable.

Le contrat ne change que par ajout de champs ; un renommage ou une suppression ouvrira une v2.
Les contacts réservés aux professionnels ne passent jamais par ces schémas : le filtre est ici,
au plus près de la sortie, pour qu'un oubli dans une requête ne puisse pas les exposer.
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Q
from ninja import Field, FilterSchema, Schema
from pydantic import ValidationInfo, field_validator

from core.api import texte
from core.pagination import ParametresPage
from repertoire.horaires import en_toutes_lettres, vers_osm
from repertoire.identifiants import (
    Identifiants,
    identifiant_source,
    identifiants_service,
    identifiants_structure,
)
from repertoire.models import (
    Besoin,
    Contact,
    Frais,
    Lieu,
    ModeAcces,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche import Critere, Resultat
from repertoire.recherche.moteur import RAYON_MAX_KM, RAYON_MIN_KM
from territoires.models import Commune

ModeAccueil = Literal["sur-place", "a-domicile", "a-distance"]

MODES_ACCUEIL: dict[str, tuple[str, str]] = {
    "sur-place": ("accueil_sur_place", "accueil sur place"),
    "a-domicile": ("accueil_a_domicile", "intervention à domicile"),
    "a-distance": ("accueil_a_distance", "à distance (téléphone, visio)"),
}


class CodeLibelle(Schema):
    code: str = Field(description="valeur stable, à utiliser dans les filtres")
    libelle: str = Field(description="libellé à afficher")


def _code_libelle(code: str, choix: type) -> dict[str, str]:
    """Un code inconnu des choix reste lisible : son libellé est le code lui-même."""
    return {"code": code, "libelle": dict(choix.choices).get(code, code)}


# --- Référentiels -------------------------------------------------------------------------


class BesoinResume(Schema):
    slug: str
    libelle: str


class BesoinDetail(BesoinResume):
    description: str
    synonymes: list[str] = Field(description="mots du quotidien qui mènent à ce besoin")


class BesoinArbre(BesoinDetail):
    enfants: list[BesoinDetail] = Field(description="besoins précis de ce thème")


class PublicResume(Schema):
    slug: str
    libelle: str


class PublicArbre(PublicResume):
    enfants: list[PublicResume]


# --- Lieux --------------------------------------------------------------------------------


class CommuneResume(Schema):
    code_insee: str
    nom: str
    departement: str = Field(alias="departement_id", description="code du département")


class Point(Schema):
    latitude: float = Field(description="WGS84")
    longitude: float = Field(description="WGS84")


class Accessibilite(Schema):
    description: str = Field(alias="accessibilite")
    fiche_acceslibre: str = Field(alias="accessibilite_url", description="adresse ou vide")
    entree_plain_pied: bool | None = Field(description="vide : non renseigné")
    stationnement_adapte: bool | None
    sanitaires_adaptes: bool | None
    boucle_magnetique: bool | None


class LieuSchema(Schema):
    id: int
    nom: str
    adresse: str
    complement_adresse: str
    code_postal: str
    commune: CommuneResume | None
    point: Point | None = Field(description="vide si le lieu n'est pas géolocalisé")
    accessibilite: Accessibilite

    @staticmethod
    def resolve_point(lieu: Lieu) -> dict[str, float] | None:
        if lieu.latitude is None or lieu.longitude is None:
            return None
        return {"latitude": lieu.latitude, "longitude": lieu.longitude}

    @staticmethod
    def resolve_accessibilite(lieu: Lieu) -> Lieu:
        return lieu


# --- Contacts, horaires, zones, sources -----------------------------------------------------


class ContactSchema(Schema):
    libelle: str = Field(description="ex. : accueil, référent APA")
    telephone: str
    courriel: str


def contacts_publics(contacts: Any) -> list[Contact]:
    """Filtre en Python sur les contacts préchargés : aucune requête, aucune fuite."""
    return [c for c in contacts.all() if c.visibilite == Contact.Visibilite.PUBLIC]


class PlageSchema(Schema):
    jour: int = Field(description="0 = lundi … 6 = dimanche")
    jour_libelle: str
    ouverture: str = Field(description="HH:MM")
    fermeture: str = Field(description="HH:MM ; 23:59 vaut minuit")

    @staticmethod
    def resolve_jour_libelle(plage: Any) -> str:
        return plage.get_jour_display()

    @staticmethod
    def resolve_ouverture(plage: Any) -> str:
        return f"{plage.ouverture:%H:%M}"

    @staticmethod
    def resolve_fermeture(plage: Any) -> str:
        return f"{plage.fermeture:%H:%M}"


class ExceptionSchema(Schema):
    date_debut: dt.date
    date_fin: dt.date
    ferme: bool = Field(description="vrai : fermé toute la période")
    ouverture: str | None = Field(description="HH:MM si horaires particuliers")
    fermeture: str | None
    motif: str

    @staticmethod
    def resolve_ouverture(exception: Any) -> str | None:
        return f"{exception.ouverture:%H:%M}" if exception.ouverture else None

    @staticmethod
    def resolve_fermeture(exception: Any) -> str | None:
        return f"{exception.fermeture:%H:%M}" if exception.fermeture else None


class Horaires(Schema):
    plages: list[PlageSchema] = Field(description="semaine type")
    exceptions: list[ExceptionSchema] = Field(description="fermetures et horaires particuliers")
    osm: str = Field(description="format OpenStreetMap opening_hours ; vide si inconnu")
    en_toutes_lettres: list[str]
    ouvert_jours_feries: bool
    precisions: str


class ZoneSchema(Schema):
    type: CodeLibelle
    code: str = Field(description="code INSEE (commune, département, région) ou SIREN (EPCI)")

    @staticmethod
    def resolve_type(zone: ZoneIntervention) -> dict[str, str]:
        return _code_libelle(zone.type, ZoneIntervention.Type)


class Source(Schema):
    source: str = Field(description="finess, data-inclusion:…, saisie, demo…")
    identifiant: str
    date_maj_source: dt.date | None
    lien: str = Field(
        description="adresse de la fiche chez la source (fiche nationale pour FINESS) ; vide si "
        "la source n'en donne pas"
    )

    @staticmethod
    def resolve_lien(provenance: Provenance) -> str:
        return identifiant_source(provenance).lien


class IdentifiantSourceSchema(Schema):
    source: str = Field(description="finess, data-inclusion:<producteur>, demo…")
    identifiant: str = Field(description="identifiant de la fiche dans cette source")
    lien: str = Field(description="adresse de la fiche chez la source ; vide si inconnue")


class IdentifiantsSchema(Schema):
    """Pour rapprocher une fiche des registres nationaux et de ses sources."""

    finess_et: str = Field(
        description="FINESS géographique (établissement) ; vide si la fiche n'en a pas"
    )
    finess_ej: str = Field(description="FINESS juridique (entité gestionnaire) ; vide sinon")
    siret: str = Field(description="SIRET de la structure ; vide s'il n'est pas connu")
    sources: list[IdentifiantSourceSchema] = Field(
        description="chaque source de la fiche et son identifiant dans cette source"
    )
    lien_source: str = Field(
        description="fiche chez la source : fiche nationale FINESS si la fiche en a un numéro, "
        "sinon le lien donné par la source importée (data·inclusion) ; vide sinon"
    )


def _provenances_chargees(fiche: Service | Structure) -> Any:
    """Préchargées vers `provenances_chargees` (listes de l'API) ou par `provenances`."""
    chargees = getattr(fiche, "provenances_chargees", None)
    return chargees if chargees is not None else fiche.provenances.all()


def _identifiants_du_service(service: Service) -> Identifiants:
    lieux = getattr(service, "lieux_charges", None)
    return identifiants_service(
        service,
        lieux=lieux if lieux is not None else service.lieux.all(),
        provenances=_provenances_chargees(service),
    )


# --- Structures ---------------------------------------------------------------------------


class StructureResume(Schema):
    id: int
    nom: str
    typologie: CodeLibelle

    @staticmethod
    def resolve_typologie(structure: Structure) -> dict[str, str]:
        return _code_libelle(structure.typologie, Structure.Typologie)


class StructureListe(StructureResume):
    telephone: str
    site_web: str
    identifiants: IdentifiantsSchema

    @staticmethod
    def resolve_identifiants(structure: Structure) -> Identifiants:
        return identifiants_structure(structure, provenances=_provenances_chargees(structure))


class ServiceLien(Schema):
    id: int
    nom: str


class StructureDetail(StructureListe):
    description: str
    siret: str
    finess_ej: str = Field(description="FINESS de l'entité juridique")
    courriel: str
    lieux: list[LieuSchema]
    contacts: list[ContactSchema] = Field(description="contacts publics seulement")
    services: list[ServiceLien] = Field(description="services publiés")
    sources: list[Source]
    date_verification: dt.date | None

    @staticmethod
    def resolve_contacts(structure: Structure) -> list[Contact]:
        return contacts_publics(structure.contacts)

    @staticmethod
    def resolve_services(structure: Structure) -> list[Service]:
        return [s for s in structure.services.all() if s.statut == Service.Statut.PUBLIE]

    @staticmethod
    def resolve_sources(structure: Structure) -> Any:
        return _provenances_chargees(structure)


# --- Services -----------------------------------------------------------------------------


def _modes_accueil(service: Service) -> list[dict[str, str]]:
    return [
        {"code": code, "libelle": libelle}
        for code, (champ, libelle) in MODES_ACCUEIL.items()
        if getattr(service, champ)
    ]


class ServiceResume(Schema):
    id: int
    nom: str
    nature: CodeLibelle
    structure: StructureResume
    besoins: list[BesoinResume]
    publics: list[PublicResume]
    modes_accueil: list[CodeLibelle]
    communes: list[CommuneResume] = Field(description="communes de ses lieux d'accueil")
    date_verification: dt.date | None
    identifiants: IdentifiantsSchema

    @staticmethod
    def resolve_identifiants(service: Service) -> Identifiants:
        return _identifiants_du_service(service)

    @staticmethod
    def resolve_nature(service: Service) -> dict[str, str]:
        return _code_libelle(service.nature, Service.Nature)

    @staticmethod
    def resolve_modes_accueil(service: Service) -> list[dict[str, str]]:
        return _modes_accueil(service)

    # Listes chargées par `Service.objects.avec_resume()`.
    @staticmethod
    def resolve_besoins(service: Service) -> list[Besoin]:
        return service.besoins_charges

    @staticmethod
    def resolve_publics(service: Service) -> list[Public]:
        return service.publics_charges

    @staticmethod
    def resolve_communes(service: Service) -> list[Commune]:
        communes = {lieu.commune_id: lieu.commune for lieu in service.lieux_charges if lieu.commune}
        return list(communes.values())


class Ages(Schema):
    minimum: int | None = Field(alias="age_min", description="vide : pas de limite")
    maximum: int | None = Field(alias="age_max")


class FraisSchema(Schema):
    code: str = Field(description="gratuit, payant, reste-a-charge ; vide : non renseigné")
    libelle: str
    precisions: str


class ServiceDetail(ServiceResume):
    description: str
    resume_falc: str = Field(description="résumé facile à lire et à comprendre (FALC)")
    lieux: list[LieuSchema]
    ages: Ages
    modes_acces: list[CodeLibelle]
    conditions_acces: str
    documents_necessaires: str
    frais: FraisSchema
    site_web: str
    categorie_finess: str
    contacts: list[ContactSchema] = Field(description="contacts publics seulement")
    horaires: Horaires
    zones: list[ZoneSchema] = Field(description="territoires couverts, même loin des lieux")
    sources: list[Source]

    @staticmethod
    def resolve_lieux(service: Service) -> list[Lieu]:
        return service.lieux_charges

    @staticmethod
    def resolve_ages(service: Service) -> Service:
        return service

    @staticmethod
    def resolve_modes_acces(service: Service) -> list[dict[str, str]]:
        return [_code_libelle(code, ModeAcces) for code in service.modes_acces]

    @staticmethod
    def resolve_frais(service: Service) -> dict[str, str]:
        return {**_code_libelle(service.frais, Frais), "precisions": service.frais_precisions}

    @staticmethod
    def resolve_contacts(service: Service) -> list[Contact]:
        return contacts_publics(service.contacts)

    @staticmethod
    def resolve_horaires(service: Service) -> dict[str, Any]:
        return {
            "plages": service.plages.all(),
            "exceptions": service.exceptions.all(),
            "osm": vers_osm(service),
            "en_toutes_lettres": en_toutes_lettres(service),
            "ouvert_jours_feries": service.ouvert_jours_feries,
            "precisions": service.horaires_precisions,
        }

    @staticmethod
    def resolve_sources(service: Service) -> Any:
        return _provenances_chargees(service)


# --- Filtres ------------------------------------------------------------------------------


def _zones_couvrant(communes: Any) -> Q:
    """Une zone couvre une commune si elle la nomme, ou nomme son EPCI, son département,
    sa région, ou la France entière."""
    Type = ZoneIntervention.Type
    return (
        Q(type=Type.COMMUNE, code__in=communes.values("code_insee"))
        | Q(type=Type.EPCI, code__in=communes.values("epci_id"))
        | Q(type=Type.DEPARTEMENT, code__in=communes.values("departement_id"))
        | Q(type=Type.REGION, code__in=communes.values("departement__region_id"))
        | Q(type=Type.FRANCE)
    )


def _present_sur(communes: Any) -> Q:
    """Un service est présent sur un territoire par un lieu d'accueil ou une zone d'intervention.

    Sous-requêtes plutôt que jointures : pas de doublons, pas besoin de distinct().
    """
    par_lieu = Service.lieux.through.objects.filter(lieu__commune__in=communes)
    par_zone = ZoneIntervention.objects.filter(_zones_couvrant(communes))
    return Q(pk__in=par_lieu.values("service_id")) | Q(pk__in=par_zone.values("service_id"))


class FiltresStructures(FilterSchema):
    departement: str | None = texte("code du département d'un de ses lieux", max_length=3)
    typologie: Structure.Typologie | None = None
    q: str | None = texte("mot du nom de la structure")

    def filter_departement(self, code: str | None) -> Q:
        lieux = Lieu.objects.filter(commune__departement_id=code)
        return Q(pk__in=lieux.values("structure_id"))

    def filter_q(self, mot: str | None) -> Q:
        return Q(nom__icontains=mot)


class FiltresServices(FilterSchema):
    besoin: str | None = texte(
        "slug d'un besoin ; un thème (premier niveau) inclut ses besoins précis", max_length=100
    )
    public: str | None = texte("slug d'un public ; inclut ses sous-publics", max_length=100)
    departement: str | None = texte("code du département couvert", max_length=3)
    commune: str | None = texte(
        "code INSEE d'une commune où le service accueille ou intervient", max_length=10
    )
    mode_accueil: ModeAccueil | None = None
    nature: Service.Nature | None = None

    def filter_besoin(self, slug: str | None) -> Q:
        besoins = Besoin.objects.filter(Q(slug=slug) | Q(parent__slug=slug))
        liens = Service.besoins.through.objects.filter(besoin__in=besoins)
        return Q(pk__in=liens.values("service_id"))

    def filter_public(self, slug: str | None) -> Q:
        publics = Public.objects.filter(Q(slug=slug) | Q(parent__slug=slug))
        liens = Service.publics.through.objects.filter(public__in=publics)
        return Q(pk__in=liens.values("service_id"))

    def filter_departement(self, code: str | None) -> Q:
        return _present_sur(Commune.objects.filter(departement_id=code))

    def filter_commune(self, code: str | None) -> Q:
        return _present_sur(Commune.objects.filter(code_insee=code))

    def filter_mode_accueil(self, mode: ModeAccueil | None) -> Q:
        if mode is None:
            return Q()
        return Q(**{MODES_ACCUEIL[mode][0]: True})


# --- Recherche ----------------------------------------------------------------------------


class RechercheServices(ParametresPage):
    """Les paramètres de la page de résultats du site, sous les mêmes noms."""

    q: str | None = texte("mots-clés, ex. « aide à domicile » ; fautes de frappe tolérées")
    besoin: str | None = texte(
        "slug d'un besoin (voir /besoins) ; un thème inclut ses besoins précis", max_length=100
    )
    public: str | None = texte("slug d'un public (voir /publics)", max_length=100)
    mode: ModeAccueil | None = Field(None, description="mode d'accueil")
    acces: ModeAcces | None = Field(None, description="mode d'accès")
    commune: str | None = texte(
        "nom, code postal ou code INSEE ; la recherche se fait autour de sa mairie",
        max_length=100,
    )
    lat: float | None = Field(
        None, ge=-90, le=90, description="latitude WGS84 (avec lon, à la place de commune)"
    )
    lon: float | None = Field(None, ge=-180, le=180, description="longitude WGS84 (avec lat)")
    rayon_km: float | None = Field(
        None,
        ge=RAYON_MIN_KM,
        le=RAYON_MAX_KM,
        description="distance maximale autour de la commune ou du point, en km (virgule ou "
        "point décimal) ; vide ou absent : 10 km, élargis à 20, 50, 100 ou 200 km quand 10 km "
        "donnent moins de 5 résultats (`rayon_km` de la réponse dit le rayon appliqué, "
        "`message` le dit en mots)",
    )
    ouvert: bool = Field(False, description="seulement les services ouverts maintenant")
    tri: Literal["pertinence", "distance", "nom"] = "pertinence"

    @field_validator("*", mode="before")
    @classmethod
    def _vide_vaut_absent(cls, valeur: Any, info: ValidationInfo) -> Any:
        """Un paramètre vide (`rayon_km=&tri=`, ce qu'envoie le formulaire du site) vaut
        absent, comme sur la page : la même adresse donne les mêmes résultats aux deux."""
        if isinstance(valeur, str) and not valeur.strip():
            return cls.model_fields[info.field_name].get_default()
        return valeur

    @field_validator("rayon_km", mode="before")
    @classmethod
    def _virgule_decimale(cls, valeur: Any) -> Any:
        """« 2,5 » km, écrit à la française, comme la page l'accepte."""
        return valeur.replace(",", ".") if isinstance(valeur, str) else valeur

    def critere(self, *, maintenant: dt.datetime) -> Critere:
        return Critere(
            q=self.q or "",
            besoin=self.besoin or "",
            public=self.public or "",
            mode_accueil=self.mode or "",
            mode_acces=self.acces or "",
            commune=self.commune or "",
            lat=self.lat,
            lon=self.lon,
            rayon_km=self.rayon_km,
            ouvert_le=maintenant if self.ouvert else None,
            tri=self.tri,
        )


class ResultatRecherche(Schema):
    service: ServiceResume
    distance_km: float | None = Field(description="depuis la commune ou le point ; vide sinon")
    raisons: list[str] = Field(description="pourquoi ce service est là, en mots simples")
    lieux: list[LieuSchema] = Field(description="lieux d'accueil, avec leur position")

    @staticmethod
    def resolve_lieux(resultat: Resultat) -> Any:
        return resultat.service.lieux_charges


class PlusLoin(Schema):
    rayon_km: float
    total: int = Field(description="nombre de résultats dans ce rayon")


class BesoinVoisinSchema(Schema):
    slug: str = Field(description="slug du besoin voisin, à passer en `besoin`")
    libelle: str
    total: int = Field(
        description="nombre de résultats d'une recherche sur ce besoin, mêmes lieu, rayon, "
        "public et filtres, sans les mots-clés"
    )


class PageRecherche(Schema):
    total: int = Field(description="nombre de résultats, toutes pages confondues")
    total_exact: bool = Field(
        description="faux : plus de 1 000 résultats, `total` est alors un plancher"
    )
    page: int
    par_page: int
    commune: CommuneResume | None = Field(description="la commune comprise, ou la plus proche")
    message: str = Field(description="explication quand la saisie n'a pas été comprise en entier")
    hors_territoire: bool = Field(
        description="vrai : la commune est hors du territoire que sert ce répertoire ; elle "
        "est cherchée quand même, mais ses services y sont peut-être incomplets"
    )
    rayon_km: float | None = Field(
        description="le rayon appliqué autour de la commune ou du point (10 km par défaut, "
        "élargi quand il donne moins de 5 résultats et qu'aucun rayon n'est demandé) ; "
        "null sans lieu"
    )
    plus_loin: list[PlusLoin] = Field(
        description="moins de 5 résultats autour d'un lieu : combien les mêmes critères en "
        "donneraient dans des rayons plus larges (20, 50, 100, 200 km), jusqu'au premier qui "
        "en donne assez"
    )
    besoins_voisins: list[BesoinVoisinSchema] = Field(
        description="aucun résultat pour un besoin (choisi ou compris dans les mots) autour "
        "d'un lieu : les besoins voisins (associés par le thésaurus, de la même famille, puis "
        "la famille entière) qui ont des résultats au même endroit ; vide sinon"
    )
    resultats: list[ResultatRecherche]
    aides: list[ResultatRecherche] = Field(
        description="« Aides pour payer » : les droits et allocations (APA, PCH, ASH…) qui "
        "aident à payer les services cherchés et s'appliquent au lieu cherché (4 au plus), à "
        "part des résultats, où ils ne figurent pas ; vide quand la saisie ne dit aucun "
        "besoin, ou quand elle nomme un droit (« apa », « allocation ») : les droits sont "
        "alors parmi les résultats"
    )
