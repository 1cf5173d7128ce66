"""Pagination des listes de la modération : chaque liste a son paramètre (`?page_p=`,
`?page_s=`), les autres paramètres de l'adresse sont gardés dans les liens."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAR_PAGE = 50


@dataclass(frozen=True)
class Pagination:
    page: Page
    liens: list[dict[str, Any]]
    precedente: str
    suivante: str

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def elements(self) -> list:
        return list(self.page.object_list)


def paginer(
    request: HttpRequest, elements: Sequence, *, parametre: str, par_page: int | None = None
) -> Pagination:
    """La page demandée (un numéro faux ou trop grand donne la première ou la dernière) ; les
    liens montrent la première, la dernière et deux pages de part et d'autre."""
    page = Paginator(elements, par_page or PAR_PAGE).get_page(request.GET.get(parametre))
    nb_pages, courante = page.paginator.num_pages, page.number

    def url(numero: int) -> str:
        parametres = request.GET.copy()
        parametres[parametre] = str(numero)
        return f"?{parametres.urlencode()}"

    numeros = sorted({1, nb_pages, *range(max(1, courante - 2), min(nb_pages, courante + 2) + 1)})
    liens: list[dict[str, Any]] = []
    precedent = 0
    for numero in numeros:
        if numero - precedent > 1:
            liens.append({"ellipse": True})
        liens.append({"numero": numero, "url": url(numero), "courante": numero == courante})
        precedent = numero
    return Pagination(
        page=page,
        liens=liens if nb_pages > 1 else [],
        precedente=url(courante - 1) if page.has_previous() else "",
        suivante=url(courante + 1) if page.has_next() else "",
    )
