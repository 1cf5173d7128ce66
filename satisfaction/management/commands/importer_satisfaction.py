from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import ErreursImport
from satisfaction.imports import importer_resultats


class Command(BaseCommand):
    help = (
        "Importe des résultats publiés de « Ma MDPH, mon avis » (national et par MDPH), CSV "
        "en UTF-8, séparateur virgule (voir satisfaction/FORMAT.md) ; tout ou rien, idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier", type=Path, help="fichier .csv en UTF-8")

    def handle(self, *args, fichier: Path, **options) -> None:
        try:
            rapport = importer_resultats(chemin=fichier)
        except ErreursImport as e:
            raise CommandError(f"{len(e.erreurs)} erreur(s), rien n'a été écrit :\n{e}") from e
        self.stdout.write(self.style.SUCCESS(rapport.resume()))
