from django.core.management.base import BaseCommand, CommandParser

from pilotage.generation import POPULATIONS
from pilotage.services import generer_activite


class Command(BaseCommand):
    help = "Génère une activité MDPH synthétique reproductible (démos, bancs d'essai)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--departements", default="", help="58,21,71 ; vide : tous")
        parser.add_argument("--annees", default="2019-2024", help="2019-2024 ou 2022,2023")
        parser.add_argument("--graine", type=int, default=1)
        parser.add_argument("--taux", type=float, default=26.0, help="Demandes/an/1 000 hab.")

    def handle(
        self, *args, departements: str, annees: str, graine: int, taux: float, **options
    ) -> None:
        codes = [c.strip() for c in departements.split(",") if c.strip()] or list(POPULATIONS)
        if "-" in annees:
            debut, fin = (int(a) for a in annees.split("-"))
            liste = list(range(debut, fin + 1))
        else:
            liste = [int(a) for a in annees.split(",")]
        totaux = generer_activite(
            departements=codes,
            annees=liste,
            graine=graine,
            taux_pour_mille=taux,
            progression=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{totaux['demandes']} demandes et {totaux['evenements']} événements générés."
            )
        )
