from django.conf import settings
from django.core.management.base import BaseCommand

from veille.services import purger_comptages


class Command(BaseCommand):
    help = (
        "Supprime les comptages de recherches plus anciens que VEILLE_CONSERVATION_MOIS "
        "(veille des besoins) ; sans effet la seconde fois."
    )

    def handle(self, *args, **options) -> None:
        nombre = purger_comptages()
        mois = settings.VEILLE_CONSERVATION_MOIS
        self.stdout.write(f"{nombre} comptage(s) de plus de {mois} mois supprimé(s).")
