"""manage.py importer_data_inclusion : fichier data·inclusion v1 (JSON ou classeur du valideur)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.imports import LIMITES_CLASSEUR, ErreursImport
from doublons.detection import detecter_doublons, detecter_doublons_de_structures
from echanges.data_inclusion import importer_data_inclusion


class Command(BaseCommand):
    help = (
        "Importe structures et services au schéma data·inclusion v1 (JSON encodé en UTF-8, ou "
        f"classeur XLSX du valideur, {LIMITES_CLASSEUR.octets // 2**20} Mo décompressés et "
        f"{LIMITES_CLASSEUR.lignes} lignes par feuille au plus). "
        "Tout est validé avant d'écrire ; ré-importer ne crée pas de doublon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("chemin", type=Path, help="fichier .json (UTF-8) ou .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="valider et compter sans écrire")
        parser.add_argument(
            "--source",
            help="producteur, si le fichier n'a pas de champ source (défaut pour un "
            "classeur : le nom du fichier)",
        )

    def handle(
        self, *args: Any, chemin: Path, dry_run: bool, source: str | None, **options: Any
    ) -> None:
        if not chemin.is_file():
            raise CommandError(f"{chemin} : fichier introuvable.")
        debut = timezone.now()
        try:
            rapport = importer_data_inclusion(
                chemin, dry_run=dry_run, progression=options["verbosity"] > 0, source=source
            )
        except ErreursImport as exc:
            for erreur in exc.erreurs:
                self.stderr.write(str(erreur))
            raise CommandError(f"{len(exc.erreurs)} erreur(s) : rien n'a été importé.") from None
        for avertissement in rapport.avertissements:
            self.stderr.write(f"Avertissement — {avertissement}")
        self.stdout.write(self.style.SUCCESS(rapport.resume()))
        for disparue in rapport.disparues:
            self.stdout.write(f"Absente du fichier (non supprimée) : {disparue}")
        if not dry_run:
            # Les fiches créées ou changées par l'import : leurs doublons possibles aux modérateurs.
            self.stdout.write(f"Doublons : {detecter_doublons(depuis=debut).resume()}")
            structures = detecter_doublons_de_structures(depuis=debut)
            self.stdout.write(f"Doublons de structures : {structures.resume()}")
