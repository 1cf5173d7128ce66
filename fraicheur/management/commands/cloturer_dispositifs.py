from django.core.management.base import BaseCommand

from fraicheur.dispositifs import cloturer_dispositifs


class Command(BaseCommand):
    help = (
        "Prévient les gestionnaires avant la fin d'un dispositif à durée limitée, puis "
        "archive ceux dont la date de fin est passée ; sans effet la seconde fois."
    )

    def handle(self, *args, **options) -> None:
        bilan = cloturer_dispositifs()
        self.stdout.write(
            f"{bilan.prevenus} dispositif(s) bientôt terminé(s) signalé(s), "
            f"{bilan.courriels} courriel(s) envoyé(s), {bilan.archives} dispositif(s) "
            "terminé(s) archivé(s)."
        )
