from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TerritoiresConfig(AppConfig):
    name = "territoires"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from core.memoire import vider_memoires
        from territoires.models import CodePostal, Commune

        # Une commune modifiée ici (admin) n'attend pas la fin du délai de la mémoire.
        for modele in (Commune, CodePostal):
            for signal in (post_save, post_delete):
                signal.connect(vider_memoires, sender=modele, dispatch_uid=f"memoire_{modele}")
