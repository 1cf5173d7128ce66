from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.services import agreger_activite, rafraichir_trimestre


class Command(BaseCommand):
    help = "Calcule les agrégats trimestriels (tout, ou un département-trimestre)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--departement", default="")
        parser.add_argument("--trimestre", default="", help="2024-T3 ; avec --departement")

    def handle(self, *args, departement: str, trimestre: str, **options) -> None:
        if trimestre:
            if not departement:
                raise CommandError("--trimestre demande --departement.")
            try:
                annee, numero = trimestre.upper().split("-T")
                n = rafraichir_trimestre(
                    departement=departement, annee=int(annee), trimestre=int(numero)
                )
            except ValueError as e:
                raise CommandError(f"Trimestre illisible « {trimestre} » (2024-T3).") from e
        else:
            n = agreger_activite(
                departements=[departement] if departement else None,
                progression=self.stdout.write,
            )
        self.stdout.write(self.style.SUCCESS(f"{n} lignes d'agrégats écrites."))
