"""Recherche de services par texte, besoin, public et lieu.

Interface stable pour les pages, l'API et le banc d'essai. Le moteur (FTS5 + R*Tree sur
SQLite, recherche plein texte + index sur PostgreSQL) est choisi d'après la base.
"""

from collections.abc import Callable

from repertoire.recherche.types import Critere, PageResultats, Resultat

__all__ = ["Critere", "PageResultats", "Resultat", "rechercher"]


def rechercher(
    critere: Critere, *, page: int = 1, par_page: int = 20, charger: Callable | None = None
) -> PageResultats:
    from repertoire.recherche.moteur import rechercher as _rechercher

    return _rechercher(critere, page=page, par_page=par_page, charger=charger)
