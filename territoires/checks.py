"""Contrôle au démarrage du territoire servi (une faute de frappe ne doit pas attendre la
première page pour se voir)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from territoires.deploiement import perimetre_du_deploiement


@checks.register(checks.Tags.compatibility)
def territoire_du_deploiement(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        perimetre_du_deploiement()
    except ImproperlyConfigured as erreur:
        return [checks.Error(str(erreur), id="territoires.E001")]
    return []
