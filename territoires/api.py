"""API des communes : autocomplétion et fiche, en lecture seule.

Une page charge ses relations en un nombre fixe de requêtes, quelle que soit sa taille.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.acces import publique
from core.api import REPONSES_ERREUR, SANS_CONTROLE, Erreur, texte
from core.pagination import PaginationParPage
from territoires.models import Commune
from territoires.selectors import (
    avec_relations,
    commune_par_code,
    libelle_commune,
    rechercher_communes,
)

router = Router(tags=["communes"])


class DepartementResume(Schema):
    code: str
    nom: str


class EPCIResume(Schema):
    code: str = Field(description="SIREN")
    nom: str
    type: str = Field(description="CC, CA, CU ou ME (métropole)")


class CommuneFiche(Schema):
    code_insee: str
    nom: str
    libelle: str = Field(
        description="nom, premier code postal et département : « Château-Chinon (Ville) 58120 – "
        "Nièvre », pour une liste de suggestions"
    )
    codes_postaux: list[str]
    departement: DepartementResume
    epci: EPCIResume | None
    population: int = Field(description="population municipale ; 0 quand l'INSEE ne la donne pas")
    latitude: float = Field(description="mairie, à défaut centre de la commune (WGS84)")
    longitude: float

    @staticmethod
    def resolve_libelle(commune: Commune) -> str:
        return libelle_commune(commune)

    @staticmethod
    def resolve_codes_postaux(commune: Commune) -> list[str]:
        return [code_postal.code for code_postal in commune.codes_postaux.all()]


class FiltresCommunes(Schema):
    q: str | None = texte("nom, code postal, code INSEE, ou « Nevers 58000 »")
    departement: str | None = texte("code du département : 58, 2A, 971…", max_length=3)


@router.get(
    "",
    response={200: list[CommuneFiche], **REPONSES_ERREUR},
    summary="Communes (recherche et autocomplétion)",
)
@paginate(PaginationParPage)
@publique("référentiel public des communes")
def communes(request: HttpRequest, filtres: Query[FiltresCommunes]) -> QuerySet[Commune]:
    if filtres.q:
        resultats = rechercher_communes(filtres.q)
    else:
        resultats = Commune.objects.order_by("nom", "code_insee")
    if filtres.departement:
        resultats = resultats.filter(departement_id=filtres.departement.strip().upper())
    return avec_relations(resultats)


@router.get(
    "/{code_insee}",
    response={200: CommuneFiche, 404: Erreur, **REPONSES_ERREUR},
    summary="Fiche d'une commune",
)
@publique("référentiel public des communes")
def commune(
    request: HttpRequest,
    code_insee: str = Path(
        ..., description="code INSEE (5 caractères)", max_length=10, pattern=SANS_CONTROLE
    ),
) -> Commune:
    fiche = commune_par_code(code_insee)
    if fiche is None:
        raise HttpError(404, f"Aucune commune n'a le code INSEE {code_insee[:10]}.")
    return fiche
