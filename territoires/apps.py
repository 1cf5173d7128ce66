from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "territoires"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from core.memoire import vider_a_chaque_modification
        from territoires import checks  # noqa: F401 (enregistre le contrôle)
        from territoires.models import CodePostal, Commune

        vider_a_chaque_modification(Commune, CodePostal)
