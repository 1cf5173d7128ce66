"""API publique du répertoire, en lecture seule : structures, services publiés, référentiels.

Chaque liste charge ses relations en un nombre fixe de requêtes (prefetch), quelle que soit
la taille de la page.
"""

import json
from typing import TypeVar

from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder

from core.acces import publique
from core.api import REPONSES_ERREUR, Erreur
from core.pagination import PaginationParPage
from repertoire import resumes
from repertoire.models import Besoin, Lieu, Public, Service, Structure
from repertoire.recherche import rechercher
from repertoire.schemas import (
    BesoinArbre,
    FiltresServices,
    FiltresStructures,
    PageRecherche,
    PublicArbre,
    RechercheServices,
    ServiceDetail,
    ServiceResume,
    StructureDetail,
    StructureListe,
)
from repertoire.veille import compter_recherche

IDENTIFIANT_MAX = 2**63 - 1


def identifiant(description: str) -> int:
    """Borné comme un entier de la base : au-delà, SQLite lèverait une erreur, d'où un 422."""
    return Path(..., ge=1, le=IDENTIFIANT_MAX, description=description)


Fiche = TypeVar("Fiche", bound=Model)

router = Router(tags=["répertoire"])


def lieux_avec_commune() -> Prefetch:
    return Prefetch("lieux", queryset=Lieu.objects.select_related("commune"))


def provenances_chargees() -> Prefetch:
    """Les sources de chaque fiche, pour ses identifiants (une requête par page)."""
    return Prefetch("provenances", to_attr="provenances_chargees")


def services_resumes() -> QuerySet[Service]:
    resumes = Service.objects.publies().avec_resume().prefetch_related(provenances_chargees())
    return resumes.order_by("nom", "pk")


@router.get(
    "/structures",
    response={200: list[StructureListe], **REPONSES_ERREUR},
    summary="Structures",
)
@paginate(PaginationParPage)
@publique("liste publique des structures")
def structures(request: HttpRequest, filtres: Query[FiltresStructures]) -> QuerySet[Structure]:
    # Une structure fusionnée dans une autre (doublons) n'est plus listée ; son adresse redirige.
    actives = Structure.objects.filter(fusionnee_dans__isnull=True).prefetch_related(
        provenances_chargees()
    )
    return filtres.filter(actives.order_by("nom", "pk"))


@router.get(
    "/structures/{structure_id}",
    response={200: StructureDetail, 404: Erreur, **REPONSES_ERREUR},
    summary="Fiche d'une structure",
)
@publique("fiche publique d'une structure (contacts publics seulement)")
def structure(
    request: HttpRequest, structure_id: int = identifiant("identifiant de la structure")
) -> Structure:
    return fiche_ou_404(
        Structure.objects.prefetch_related(
            lieux_avec_commune(), "contacts", "services", "provenances"
        ),
        structure_id,
        f"Aucune structure n'a l'identifiant {structure_id}.",
    )


@router.get(
    "/services",
    response={200: list[ServiceResume], **REPONSES_ERREUR},
    summary="Services publiés",
    description="Liste filtrée, triée par nom. Pour une recherche classée par pertinence ou "
    "distance, avec les raisons de chaque résultat : `/services/recherche`.",
)
@paginate(PaginationParPage)
@publique("liste publique des services publiés")
def services(request: HttpRequest, filtres: Query[FiltresServices]) -> QuerySet[Service]:
    return filtres.filter(services_resumes())


@router.get(
    "/services/recherche",
    response={200: PageRecherche, **REPONSES_ERREUR},
    summary="Rechercher des services",
    description="Les mêmes critères que la page de résultats du site : mots, besoin, public, "
    "mode d'accueil et d'accès, commune ou position, rayon, ouverture, tri. Chaque résultat "
    "dit pourquoi il est là (`raisons`) et, autour d'un lieu, à quelle distance. Les droits "
    "et allocations (APA, PCH, ASH…) sont à part, dans `aides`, sauf quand on les nomme. Une "
    "saisie "
    "bien formée mais sans correspondance (commune inconnue, besoin inexistant) donne une "
    "page vide et un `message` ; une saisie mal formée, une réponse 422.",
)
@publique("recherche publique")
def recherche_services(request: HttpRequest, criteres: Query[RechercheServices]) -> HttpResponse:
    # Le JSON est construit ici, au contrat de `PageRecherche` (qui reste la documentation) :
    # valider 20 résumés par pydantic coûtait plus de CPU que la recherche (repertoire/resumes.py).
    page = rechercher(
        criteres.critere(maintenant=timezone.localtime()),
        page=criteres.page,
        par_page=criteres.par_page,
        charger=resumes.charger_fiches,
    )
    compter_recherche(  # veille des besoins, anonyme (repertoire/veille.py)
        besoin=page.besoin_compris,
        public=page.public_compris,
        commune=page.commune,
        rayon_km=page.rayon_km,
        resultats=page.total,
        page=page.page,
    )
    return HttpResponse(
        json.dumps(resumes.page_json(page), cls=NinjaJSONEncoder),
        content_type="application/json; charset=utf-8",
    )


@router.get(
    "/services/{service_id}",
    response={200: ServiceDetail, 404: Erreur, **REPONSES_ERREUR},
    summary="Fiche complète d'un service publié",
)
@publique("fiche publique d'un service (contacts publics seulement)")
def service(
    request: HttpRequest, service_id: int = identifiant("identifiant du service")
) -> Service:
    return fiche_ou_404(
        services_resumes().prefetch_related("contacts", "plages", "exceptions", "zones"),
        service_id,
        f"Aucun service publié n'a l'identifiant {service_id}.",
    )


def fiche_ou_404(fiches: QuerySet[Fiche], pk: int, message: str) -> Fiche:
    fiche = fiches.filter(pk=pk).first()
    if fiche is None:
        raise HttpError(404, message)
    return fiche


@router.get(
    "/besoins",
    response={200: list[BesoinArbre], **REPONSES_ERREUR},
    summary="Thésaurus des besoins",
)
@publique("référentiel public des besoins")
def besoins(request: HttpRequest) -> QuerySet[Besoin]:
    return Besoin.objects.filter(parent=None).prefetch_related("enfants")


@router.get("/publics", response={200: list[PublicArbre], **REPONSES_ERREUR}, summary="Publics")
@publique("référentiel public des publics")
def publics(request: HttpRequest) -> QuerySet[Public]:
    return Public.objects.filter(parent=None).prefetch_related("enfants")
