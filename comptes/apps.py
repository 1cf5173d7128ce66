from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes, institutions et rôles"

    def ready(self) -> None:
        # Enregistre les actions auprès de rules (`user.has_perm("comptes.<action>", objet)`).
        from comptes import permissions  # noqa: F401
