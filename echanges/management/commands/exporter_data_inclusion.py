"""manage.py exporter_data_inclusion : le répertoire en data·inclusion v1 (JSON), CSV ou GeoJSON."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from echanges.data_inclusion import exporter_structures_et_services
from echanges.exports import csv_services, geojson_services


def _json() -> Iterator[str]:
    yield json.dumps(exporter_structures_et_services(), ensure_ascii=False, indent=2) + "\n"


FORMATS = {"json": _json, "csv": csv_services, "geojson": geojson_services}


class Command(BaseCommand):
    help = (
        "Exporte les services publiés : json (schéma data·inclusion v1, structures et services), "
        "csv (une ligne par service et lieu, pour tableur) ou geojson (carte)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", dest="format_sortie", choices=sorted(FORMATS), default="json"
        )
        parser.add_argument(
            "--sortie", type=Path, help="fichier à écrire (défaut : sortie standard)"
        )

    def handle(self, *args: Any, format_sortie: str, sortie: Path | None, **options: Any) -> None:
        morceaux = FORMATS[format_sortie]()
        if sortie is None:
            for morceau in morceaux:
                self.stdout.write(morceau, ending="")
            return
        with sortie.open("w", encoding="utf-8", newline="") as fichier:
            fichier.writelines(morceaux)
        self.stderr.write(f"Export {format_sortie} écrit dans {sortie}.")
