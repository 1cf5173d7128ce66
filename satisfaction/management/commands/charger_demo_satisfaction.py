from django.core.management.base import BaseCommand

from satisfaction.demo import charger_demo_satisfaction


class Command(BaseCommand):
    help = (
        "Charge des réponses de démonstration au questionnaire de satisfaction pour quelques "
        "MDPH (12 derniers mois) et les résultats nationaux publiés de 2022 ; idempotent."
    )

    def handle(self, *args, **options) -> None:
        totaux = charger_demo_satisfaction()
        self.stdout.write(self.style.SUCCESS(f"Démonstration de la satisfaction : {totaux}."))
