from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.rapports import en_pdf, rapport_branche, rapport_departemental
from territoires.models import Departement


class Command(BaseCommand):
    help = "Écrit le rapport départemental (ou de branche, sans --departement) d'une année en PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--departement", default="", help="58 ; vide : rapport de branche")
        parser.add_argument("--annee", type=int, required=True)
        parser.add_argument("--sortie", type=Path, required=True, help="Fichier PDF à écrire")

    def handle(self, *args, departement: str, annee: int, sortie: Path, **options) -> None:
        if departement:
            try:
                objet = Departement.objects.get(code=departement)
            except Departement.DoesNotExist as e:
                raise CommandError(f"Département inconnu : {departement}") from e
            contexte = rapport_departemental(departement=objet, annee=annee)
            contexte["corps"] = "pilotage/_rapport_departemental.html"
        else:
            contexte = rapport_branche(annee=annee)
            contexte["corps"] = "pilotage/_rapport_branche.html"
        pdf = en_pdf(gabarit="pilotage/rapport_pdf.html", contexte=contexte)
        sortie.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"{sortie} écrit ({len(pdf):,} octets)."))
