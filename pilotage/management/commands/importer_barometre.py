from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import ErreursImport
from pilotage.models import Sens
from pilotage.services import importer_barometre


class Command(BaseCommand):
    help = (
        "Importe un baromètre publié, CSV encodé en UTF-8 (BOM toléré), séparateur virgule, "
        "au format Etalab ou DITP (détecté par l'en-tête ; voir pilotage/FORMAT.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier", type=Path, help="fichier .csv en UTF-8")
        parser.add_argument("--indicateur", default="", help="Code, obligatoire pour Etalab")
        parser.add_argument("--libelle", default="")
        parser.add_argument("--sens", choices=Sens.values, default=Sens.BAISSE)

    def handle(
        self, *args, fichier: Path, indicateur: str, libelle: str, sens: str, **options
    ) -> None:
        try:
            rapport = importer_barometre(
                chemin=fichier, indicateur=indicateur, libelle=libelle, sens=sens
            )
        except ErreursImport as e:
            raise CommandError(f"{len(e.erreurs)} erreur(s), rien n'a été écrit :\n{e}") from e
        self.stdout.write(self.style.SUCCESS(rapport.resume()))
