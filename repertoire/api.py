"""API publique du répertoire, en lecture seule : structures, services publiés, référentiels.

Chaque liste charge ses relations en un nombre fixe de requêtes (prefetch), quelle que soit
la taille de la page.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase, paginate

from repertoire.models import Besoin, Lieu, Public, Service, Structure
from repertoire.schemas import (
    BesoinArbre,
    Erreur,
    FiltresServices,
    FiltresStructures,
    PublicArbre,
    ServiceDetail,
    ServiceResume,
    StructureDetail,
    StructureListe,
)

router = Router(tags=["répertoire"])


class PaginationParPage(PaginationBase):
    """Pages numérotées ; le total permet d'afficher « 21 à 40 sur 312 »."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="numéro de page, à partir de 1")
        par_page: int = Field(20, ge=1, le=100, description="résultats par page (100 au plus)")

    class Output(Schema):
        total: int = Field(description="nombre de résultats, toutes pages confondues")
        page: int
        par_page: int
        resultats: list[Any]

    items_attribute = "resultats"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        debut = (pagination.page - 1) * pagination.par_page
        return {
            "total": queryset.count(),
            "page": pagination.page,
            "par_page": pagination.par_page,
            "resultats": queryset[debut : debut + pagination.par_page],
        }


def _lieux() -> Prefetch:
    return Prefetch("lieux", queryset=Lieu.objects.select_related("commune"))


def _services_resumes() -> QuerySet[Service]:
    return (
        Service.objects.publies()
        .select_related("structure")
        .prefetch_related("besoins", "publics", _lieux())
        .order_by("nom", "pk")
    )


@router.get("/structures", response=list[StructureListe], summary="Structures")
@paginate(PaginationParPage)
def structures(request: HttpRequest, filtres: Query[FiltresStructures]) -> QuerySet[Structure]:
    return filtres.filter(Structure.objects.order_by("nom", "pk"))


@router.get(
    "/structures/{structure_id}",
    response={200: StructureDetail, 404: Erreur},
    summary="Fiche d'une structure",
)
def structure(request: HttpRequest, structure_id: int) -> Structure:
    fiche = (
        Structure.objects.prefetch_related(_lieux(), "contacts", "services", "provenances")
        .filter(pk=structure_id)
        .first()
    )
    if fiche is None:
        raise HttpError(404, f"Aucune structure n'a l'identifiant {structure_id}.")
    return fiche


@router.get("/services", response=list[ServiceResume], summary="Services publiés")
@paginate(PaginationParPage)
def services(request: HttpRequest, filtres: Query[FiltresServices]) -> QuerySet[Service]:
    return filtres.filter(_services_resumes())


@router.get(
    "/services/{service_id}",
    response={200: ServiceDetail, 404: Erreur},
    summary="Fiche complète d'un service publié",
)
def service(request: HttpRequest, service_id: int) -> Service:
    fiche = (
        _services_resumes()
        .prefetch_related("contacts", "plages", "exceptions", "zones", "provenances")
        .filter(pk=service_id)
        .first()
    )
    if fiche is None:
        raise HttpError(404, f"Aucun service publié n'a l'identifiant {service_id}.")
    return fiche


@router.get("/besoins", response=list[BesoinArbre], summary="Thésaurus des besoins")
def besoins(request: HttpRequest) -> QuerySet[Besoin]:
    return Besoin.objects.filter(parent=None).prefetch_related("enfants")


@router.get("/publics", response=list[PublicArbre], summary="Publics")
def publics(request: HttpRequest) -> QuerySet[Public]:
    return Public.objects.filter(parent=None).prefetch_related("enfants")
