"""Petits outils des gabarits publics : classes selon le thème, nombres en mots, liens."""

import datetime as dt
import re

from django import template
from django.conf import settings

from core.dates import date_en_francais

register = template.Library()

# Un nom de composant → ses classes dans chaque thème. Le thème neutre se sert de core/theme.css.
CLASSES: dict[str, tuple[str, str]] = {
    "bouton": ("bouton", "fr-btn"),
    "bouton-secondaire": ("bouton bouton-secondaire", "fr-btn fr-btn--secondary"),
    "groupe-champ": ("groupe-champ", "fr-input-group"),
    "groupe-select": ("groupe-champ", "fr-select-group"),
    "etiquette": ("etiquette", "fr-label"),
    "aide": ("aide", "fr-hint-text"),
    "saisie": ("saisie", "fr-input"),
    "liste": ("saisie", "fr-select"),
    "fieldset": ("groupe", "fr-fieldset"),
    "legende": ("legende", "fr-fieldset__legend"),
    "element": ("", "fr-fieldset__element"),
    "case": ("case", "fr-checkbox-group"),
    "radio": ("case", "fr-radio-group"),
    "alerte": ("alerte", "fr-alert fr-alert--info fr-alert--sm"),
    "alerte-erreur": ("alerte alerte-erreur", "fr-alert fr-alert--error fr-alert--sm"),
    "pagination": ("pagination", "fr-pagination"),
    "pagination-liste": ("pagination-liste", "fr-pagination__list"),
    "pagination-lien": ("pagination-lien", "fr-pagination__link"),
    "etiquette-info": ("pastille", "fr-badge fr-badge--sm fr-badge--info"),
    "etiquette-succes": ("pastille pastille-ouvert", "fr-badge fr-badge--sm fr-badge--success"),
    "etiquette-neutre": ("pastille pastille-ferme", "fr-badge fr-badge--sm"),
    "encadre": ("encadre", "fr-callout"),
}


@register.simple_tag
def classe(nom: str) -> str:
    """Classes CSS du composant `nom` dans le thème choisi par AUTONOMIE_THEME."""
    neutre, dsfr = CLASSES[nom]
    return dsfr if settings.AUTONOMIE_THEME == "dsfr" else neutre


@register.filter
def nombre_resultats(total: int, exact: bool = True) -> str:
    """« Plus de 1 000 résultats » quand le moteur a cessé de compter (total plancher)."""
    if not exact:
        return f"Plus de {total - 1:,} résultats".replace(",", "\u202f")
    if total == 0:
        return "Aucun résultat"
    return f"{total} résultat{'s' if total > 1 else ''}"


@register.filter
def distance(km: float | None) -> str:
    if km is None:
        return ""
    if km < 1:
        return "à moins de 1 km"
    # Formaté ici plutôt que par floatformat : la virgule ne dépend pas de la langue du navigateur.
    texte = f"{km:.1f}".removesuffix(".0") if km < 10 else f"{km:.0f}"
    return f"à {texte.replace('.', ',')} km"


@register.filter
def date_fr(jour: dt.date | dt.datetime | None) -> str:
    """« 1er mars 2025 », en français quelle que soit la langue annoncée par le navigateur."""
    if jour is None:
        return ""
    if isinstance(jour, dt.datetime):
        jour = jour.date()
    return date_en_francais(jour)


@register.filter
def lien_tel(numero: str) -> str:
    """`tel:+33386…` : seuls les chiffres et le + initial comptent pour le téléphone."""
    chiffres = re.sub(r"[^\d+]", "", numero)
    return f"tel:{chiffres}"


@register.filter
def ages(service) -> str:
    if service.age_min is not None and service.age_max is not None:
        return f"de {service.age_min} à {service.age_max} ans"
    if service.age_min is not None:
        return f"à partir de {service.age_min} ans"
    if service.age_max is not None:
        return f"jusqu'à {service.age_max} ans"
    return ""


@register.filter
def oui_non(valeur: bool | None) -> str:
    return {True: "oui", False: "non"}.get(valeur, "non renseigné")


@register.filter
def duree_en_minutes(duree: dt.timedelta) -> str:
    """« 15 minutes », « 1 minute » : la durée d'un blocage, arrondie à la minute supérieure."""
    minutes = max(1, -(-int(duree.total_seconds()) // 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
