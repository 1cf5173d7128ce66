from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import ErreursImport
from pilotage.services import importer_demandes


class Command(BaseCommand):
    help = (
        "Importe les transitions des demandes MDPH d'un CSV encodé en UTF-8 (BOM toléré ; "
        "« CSV UTF-8 » dans un tableur), séparateur ; ou , (format : pilotage/FORMAT.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier", type=Path, help="fichier .csv en UTF-8")
        parser.add_argument("--dry-run", action="store_true", help="Valider sans écrire")

    def handle(self, *args, fichier: Path, dry_run: bool, **options) -> None:
        try:
            rapport = importer_demandes(
                chemin=fichier, a_blanc=dry_run, progression=self.stdout.write
            )
        except ErreursImport as e:
            raise CommandError(f"{len(e.erreurs)} erreur(s), rien n'a été écrit :\n{e}") from e
        self.stdout.write(self.style.SUCCESS(rapport.resume()))
