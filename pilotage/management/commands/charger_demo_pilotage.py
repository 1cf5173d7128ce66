from django.core.management.base import BaseCommand

from pilotage.demo import charger_demo_pilotage


class Command(BaseCommand):
    help = "Charge la démonstration du pilotage (activité synthétique, baromètres, priorités)."

    def handle(self, *args, **options) -> None:
        totaux = charger_demo_pilotage(progression=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Démonstration chargée : {totaux}."))
