"""Filtres des tableaux de bord : nombres à la française, classes de tableau selon le thème."""

from django import template
from django.conf import settings

from pilotage.tableaux import nombre_fr

register = template.Library()


@register.filter
def nombre(valeur, decimales: int = 1) -> str:
    """« 4,5 », « 12 345 », « — » ; entiers sans décimale."""
    return nombre_fr(valeur, decimales)


@register.simple_tag
def classe_tableau() -> str:
    """Conteneur de tableau : `fr-table` dans le thème DSFR, le nôtre sinon."""
    return "fr-table" if settings.AUTONOMIE_THEME == "dsfr" else "tableau"


@register.filter
def cellules(ligne: list, colonnes: list) -> list:
    """Associe chaque valeur d'une ligne à sa colonne (pour le nombre de décimales)."""
    return list(zip(ligne, colonnes, strict=True))


@register.filter
def est_nombre(valeur) -> bool:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


@register.simple_tag
def css_en_ligne(chemin: str) -> str:
    """Contenu d'une feuille statique, pour les PDF rendus sans serveur (WeasyPrint)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.utils.safestring import mark_safe

    fichier = finders.find(chemin)
    return mark_safe(Path(fichier).read_text(encoding="utf-8")) if fichier else ""
