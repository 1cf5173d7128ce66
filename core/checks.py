"""Contrôles de déploiement propres à Autonomie (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def adresse_du_client_derriere_le_mandataire(app_configs, **kwargs) -> list[Warning]:
    """Derrière un mandataire, sans en-tête d'adresse, tous les clients ont son adresse : un
    seul compteur de l'API pour tout le monde, et cinq essais de quiconque bloqueraient un agent
    (le blocage des connexions vise le couple identifiant et adresse)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.API_ENTETE_IP_CLIENT:
        return [
            Warning(
                "SECURE_PROXY_SSL est actif mais API_ENTETE_IP_CLIENT est vide : chaque client "
                "aurait l'adresse du mandataire.",
                hint="API_ENTETE_IP_CLIENT=X-Forwarded-For (l'en-tête que pose le mandataire).",
                id="autonomie.W001",
            )
        ]
    return []
