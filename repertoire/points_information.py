"""Qui appeler quand une fiche ne donne pas de téléphone (issue 13, § 6 ; ADR 0014).

Une fiche FINESS sans numéro était une impasse. On propose alors le point d'information qui
couvre la commune de la fiche : un service publié d'information et d'orientation (CLIC, point
d'information, maison de l'autonomie) ou d'une structure CLIC ou MDPH, avec un téléphone public.
À défaut, le numéro du conseil départemental ou de la MDPH du département, s'il est connu.
C'est la mission d'accueil, d'information et d'orientation du service public départemental de
l'autonomie (arrêté du 28 mai 2025) : ne pas renvoyer la personne sans lui dire qui appeler.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from repertoire.models import Contact, Lieu, Service, Structure, ZoneIntervention
from territoires.models import Commune

BESOINS_INFORMATION = (
    "clic",
    "point-information",
    "maison-de-l-autonomie",
    "information-et-orientation",
)
TYPOLOGIES_INFORMATION = (Structure.Typologie.CLIC, Structure.Typologie.MDPH)
TYPOLOGIES_DEPARTEMENTALES = (Structure.Typologie.DEPARTEMENT, Structure.Typologie.MDPH)
CANDIDATS_MAX = 50  # un département compte quelques dizaines de points d'information au plus


@dataclass(frozen=True)
class PointInformation:
    nom: str
    telephone: str
    service: Service | None = None  # le point d'information, pour lier sa fiche
    departemental: bool = False  # repli : le conseil départemental ou la MDPH


def _zone(type_: str, code: str | None) -> Q:
    return Q(zones__type=type_, zones__code=code or "")


def _couvre(commune: Commune) -> Q:
    """Un lieu dans le département, ou une zone qui couvre la commune."""
    return (
        Q(lieux__commune__departement_id=commune.departement_id)
        | _zone(ZoneIntervention.Type.COMMUNE, commune.code_insee)
        | _zone(ZoneIntervention.Type.EPCI, commune.epci_id)
        | _zone(ZoneIntervention.Type.DEPARTEMENT, commune.departement_id)
    )


def _proximite(service: Service, commune: Commune) -> int:
    """0 : un lieu dans la commune ; 1 : une zone qui la nomme ; 2 : même intercommunalité ;
    3 : une zone départementale ; 4 : un lieu ailleurs dans le département."""
    communes = [lieu.commune for lieu in service.lieux.all() if lieu.commune]
    zones = {(z.type, z.code) for z in service.zones.all()}
    if any(c.code_insee == commune.code_insee for c in communes):
        return 0
    if (ZoneIntervention.Type.COMMUNE, commune.code_insee) in zones:
        return 1
    epci = commune.epci_id
    if epci and (
        (ZoneIntervention.Type.EPCI, epci) in zones or any(c.epci_id == epci for c in communes)
    ):
        return 2
    if (ZoneIntervention.Type.DEPARTEMENT, commune.departement_id) in zones:
        return 3
    return 4


def _telephone(service: Service) -> str:
    publics = [c.telephone for c in service.contacts_publics if c.telephone]
    return publics[0] if publics else service.structure.telephone


def point_information_pour(
    commune: Commune | None, *, sauf: Service | Structure | None = None
) -> PointInformation | None:
    """Le point d'information le plus proche qui couvre `commune` et a un téléphone, sinon le
    conseil départemental ou la MDPH de son département ; None si le répertoire n'en connaît
    aucun. `sauf` : la fiche affichée, qui n'a pas de téléphone et ne se propose pas elle-même."""
    if commune is None:
        return None
    contacts = Contact.objects.filter(visibilite=Contact.Visibilite.PUBLIC).exclude(telephone="")
    candidats = (
        Service.objects.publies()
        .filter(
            Q(besoins__slug__in=BESOINS_INFORMATION)
            | Q(structure__typologie__in=TYPOLOGIES_INFORMATION)
        )
        .filter(_couvre(commune))
        .select_related("structure")
        .prefetch_related(
            Prefetch("lieux", Lieu.objects.select_related("commune")),
            "zones",
            Prefetch("contacts", contacts.order_by("libelle", "pk"), to_attr="contacts_publics"),
        )
        .distinct()
        .order_by("nom", "pk")[:CANDIDATS_MAX]
    )
    if isinstance(sauf, Service):
        candidats = [s for s in candidats if s.pk != sauf.pk]
    elif isinstance(sauf, Structure):
        candidats = [s for s in candidats if s.structure_id != sauf.pk]
    avec_telephone = [s for s in candidats if _telephone(s)]
    if avec_telephone:
        service = min(avec_telephone, key=lambda s: _proximite(s, commune))
        return PointInformation(service.nom, _telephone(service), service)
    return _departemental(commune)


def _departemental(commune: Commune) -> PointInformation | None:
    structure = (
        Structure.objects.filter(
            typologie__in=TYPOLOGIES_DEPARTEMENTALES,
            fusionnee_dans__isnull=True,
            lieux__commune__departement_id=commune.departement_id,
        )
        .exclude(telephone="")
        .order_by("typologie", "nom", "pk")
        .first()
    )
    if structure is None:
        return None
    return PointInformation(structure.nom, structure.telephone, departemental=True)
