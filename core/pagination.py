"""Pagination commune à toute l'API publique : mêmes paramètres, même enveloppe partout."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

PAGE_MAX = 10_000
PAR_PAGE_MAX = 100


class ParametresPage(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX, description="numéro de page, à partir de 1")
    par_page: int = Field(
        20, ge=1, le=PAR_PAGE_MAX, description=f"résultats par page ({PAR_PAGE_MAX} au plus)"
    )


class PaginationParPage(PaginationBase):
    """Pages numérotées ; le total permet d'afficher « 21 à 40 sur 312 »."""

    Input = ParametresPage

    class Output(Schema):
        total: int = Field(description="nombre de résultats, toutes pages confondues")
        page: int
        par_page: int
        resultats: list[Any]

    items_attribute = "resultats"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: ParametresPage, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        debut = (pagination.page - 1) * pagination.par_page
        return {
            "total": queryset.count(),
            "page": pagination.page,
            "par_page": pagination.par_page,
            "resultats": queryset[debut : debut + pagination.par_page],
        }
