from django.core.management.base import BaseCommand

from satisfaction.services import recompter


class Command(BaseCommand):
    help = (
        "Refait les comptes du questionnaire de satisfaction (table Comptage) depuis les "
        "réponses, en une transaction ; après un changement de la règle de comptage."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--departement", action="append", help="code (répétable)")

    def handle(self, *args, departement: list[str] | None = None, **options) -> None:
        relues = recompter(departements=departement)
        self.stdout.write(self.style.SUCCESS(f"{relues} réponse(s) recomptée(s)."))
