from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Répertoire des ressources"

    def ready(self) -> None:
        from core.memoire import vider_memoires
        from repertoire.models import Besoin, Public
        from repertoire.recherche.sqlite import regler_connexion

        # Réglages de lecture (mmap, cache) de chaque connexion SQLite, dès la première.
        connection_created.connect(regler_connexion, dispatch_uid="recherche_sqlite")
        # Un besoin modifié ici (admin) n'attend pas la fin du délai de la mémoire.
        for modele in (Besoin, Public):
            for signal in (post_save, post_delete):
                signal.connect(vider_memoires, sender=modele, dispatch_uid=f"memoire_{modele}")
