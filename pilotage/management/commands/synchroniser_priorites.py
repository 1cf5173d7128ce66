from django.core.management.base import BaseCommand

from pilotage.priorites import synchroniser_priorites


class Command(BaseCommand):
    help = "Écrit le catalogue des 11 priorités de la branche Autonomie et des fiches d'indicateur."

    def handle(self, *args, **options) -> None:
        compte = synchroniser_priorites()
        self.stdout.write(
            self.style.SUCCESS(f"{compte['creees']} créés, {compte['mises_a_jour']} mis à jour.")
        )
