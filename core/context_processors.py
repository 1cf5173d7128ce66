from django.conf import settings
from django.http import HttpRequest


def deployeur(request: HttpRequest) -> dict:
    return {
        "deployeur_nom": settings.AUTONOMIE_DEPLOYEUR_NOM,
        "site_nom": settings.AUTONOMIE_SITE_NOM,
        "logo_url": settings.AUTONOMIE_LOGO_URL,
        "couleur_primaire": settings.AUTONOMIE_COULEUR_PRIMAIRE,
    }
