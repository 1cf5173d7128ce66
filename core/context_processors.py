from django.conf import settings
from django.http import HttpRequest

GABARITS_DE_BASE = {"neutre": "core/base.html", "dsfr": "core/base_dsfr.html"}


def deployeur(request: HttpRequest) -> dict:
    """Identité du déployeur et thème : les pages font `{% extends base_template %}`."""
    return {
        "deployeur_nom": settings.AUTONOMIE_DEPLOYEUR_NOM,
        "site_nom": settings.AUTONOMIE_SITE_NOM,
        "logo_url": settings.AUTONOMIE_LOGO_URL,
        "couleur_primaire": settings.AUTONOMIE_COULEUR_PRIMAIRE,
        "theme": settings.AUTONOMIE_THEME,
        "base_template": GABARITS_DE_BASE[settings.AUTONOMIE_THEME],
        "tuiles_url": settings.AUTONOMIE_TUILES_URL,
        "tuiles_attribution": settings.AUTONOMIE_TUILES_ATTRIBUTION,
    }
