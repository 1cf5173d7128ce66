from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from core import checks  # noqa: F401 (enregistre les contrôles de déploiement)
