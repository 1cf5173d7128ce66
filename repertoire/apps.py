from django.apps import AppConfig
from django.db.backends.signals import connection_created


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Répertoire des ressources"

    def ready(self) -> None:
        from core.memoire import vider_a_chaque_modification
        from repertoire.models import Besoin, Public
        from repertoire.recherche.sqlite import regler_connexion

        # Réglages de lecture (mmap, cache) de chaque connexion SQLite, dès la première.
        connection_created.connect(regler_connexion, dispatch_uid="recherche_sqlite")
        vider_a_chaque_modification(Besoin, Public)
