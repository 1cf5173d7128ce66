"""API des professionnels : une fiche avec tous les contacts que la personne peut voir.

Authentifiée par la session du site (`django_auth` de ninja : le contrôle CSRF ne s'applique
qu'aux méthodes qui écrivent, et ces points ne font que lire), ou par un jeton personnel
(`Authorization: Bearer aut_…`, créé par la personne sur /professionnels/jetons/) pour un
logiciel partenaire, avec les droits de cette personne. Sans session : 401 ; hors du
territoire de ses rôles ou sans le droit `voir_contacts_professionnels` : 403, en français.
Les réponses portent `Cache-Control: private, no-store` : elles ne vont dans aucun cache.
Les schémas publics (`repertoire/schemas.py`) ne servent jamais ces contacts ; ceux-ci sont
ici, dans le seul module qui vérifie le droit.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from comptes.acces import reservee_api
from comptes.permissions import Action, peut
from core.api import REPONSES_ERREUR, Erreur
from repertoire.api import fiche_ou_404, identifiant, lieux_avec_commune, services_resumes
from repertoire.jetons import utilisateur_du_jeton
from repertoire.models import Contact, Service, Structure
from repertoire.schemas import ServiceDetail, StructureDetail

REFUS = (
    "Vous n'avez pas le droit de voir les contacts réservés aux professionnels de cette "
    "fiche : elle est hors du territoire de vos rôles, ou aucun de vos rôles ne le permet."
)
REPONSES_PRO: dict[int, type[Schema]] = {401: Erreur, 403: Erreur, 404: Erreur, **REPONSES_ERREUR}


class JetonPersonnel(HttpBearer):
    """`Authorization: Bearer <jeton>` : le jeton personnel d'une personne."""

    openapi_description = (
        "Jeton personnel créé sur la page « Mes jetons d'API » du site ; il donne les droits "
        "de la personne qui l'a créé, pas davantage."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return utilisateur_du_jeton(token)


router = Router(tags=["professionnels"], auth=[django_auth, JetonPersonnel()])


class ContactPro(Schema):
    libelle: str = Field(description="ex. : accueil, référent APA")
    telephone: str
    courriel: str
    visibilite: str = Field(
        description="« public » ou « professionnels » (à ne pas communiquer au public)"
    )


def _tous_les_contacts(contacts: Any) -> list[Contact]:
    return sorted(contacts.all(), key=lambda c: (c.visibilite != "public", c.libelle, c.pk))


class StructurePro(StructureDetail):
    contacts: list[ContactPro] = Field(  # type: ignore[assignment]
        description="contacts publics, puis ceux réservés aux professionnels"
    )

    @staticmethod
    def resolve_contacts(structure: Structure) -> list[Contact]:
        return _tous_les_contacts(structure.contacts)


class ServicePro(ServiceDetail):
    contacts: list[ContactPro] = Field(  # type: ignore[assignment]
        description="contacts du service, publics puis réservés aux professionnels"
    )
    contacts_structure: list[ContactPro] = Field(
        description="contacts de sa structure, publics puis réservés aux professionnels"
    )

    @staticmethod
    def resolve_contacts(service: Service) -> list[Contact]:
        return _tous_les_contacts(service.contacts)

    @staticmethod
    def resolve_contacts_structure(service: Service) -> list[Contact]:
        return _tous_les_contacts(service.structure.contacts)


def _verifier(request: HttpRequest, fiche: Structure | Service, reponse: HttpResponse) -> None:
    patch_cache_control(reponse, private=True, no_store=True)
    if not peut(request.auth, Action.VOIR_CONTACTS_PROFESSIONNELS, fiche):
        raise HttpError(403, REFUS)


@router.get(
    "/structures/{structure_id}",
    response={200: StructurePro, **REPONSES_PRO},
    summary="Fiche d'une structure, avec ses contacts réservés aux professionnels",
    description="Pour une personne connectée dont un rôle permet de voir les contacts "
    "réservés aux professionnels sur le territoire de la structure (les communes de ses lieux).",
)
@reservee_api(Action.VOIR_CONTACTS_PROFESSIONNELS, refus=REFUS)
def structure(
    request: HttpRequest,
    response: HttpResponse,
    structure_id: int = identifiant("identifiant de la structure"),
) -> Structure:
    fiche = fiche_ou_404(
        Structure.objects.prefetch_related(
            lieux_avec_commune(), "contacts", "services", "provenances"
        ),
        structure_id,
        f"Aucune structure n'a l'identifiant {structure_id}.",
    )
    _verifier(request, fiche, response)
    return fiche


@router.get(
    "/services/{service_id}",
    response={200: ServicePro, **REPONSES_PRO},
    summary="Fiche d'un service publié, avec ses contacts réservés aux professionnels",
    description="Pour une personne connectée dont un rôle permet de voir les contacts "
    "réservés aux professionnels sur le territoire du service (les communes de ses lieux, "
    "à défaut ses zones d'intervention, à défaut sa structure).",
)
@reservee_api(Action.VOIR_CONTACTS_PROFESSIONNELS, refus=REFUS)
def service(
    request: HttpRequest,
    response: HttpResponse,
    service_id: int = identifiant("identifiant du service"),
) -> Service:
    fiche = fiche_ou_404(
        services_resumes().prefetch_related(
            "contacts",
            "plages",
            "exceptions",
            "zones",
            "structure__contacts",
        ),
        service_id,
        f"Aucun service publié n'a l'identifiant {service_id}.",
    )
    _verifier(request, fiche, response)
    return fiche
