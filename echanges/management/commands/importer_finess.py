"""manage.py importer_finess PATH [--entites-juridiques EJ] [--departement 58 …]
[--categories 500,202] [--dry-run] [--accepter-baisse]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.imports import ErreursImport
from doublons.detection import detecter_doublons, detecter_doublons_de_structures
from echanges.finess import ImportInterrompu, importer_finess
from echanges.finess_ej import lire_entites_juridiques

ERREURS_AFFICHEES = 100
DISPARUES_AFFICHEES = 50


class Command(BaseCommand):
    help = (
        "Importe le stock FINESS (etalab-cs1100507-stock-*.csv, tel que publié : UTF-8 ou "
        "ISO-8859-1, séparateur ;) dans le répertoire. Tout le "
        "fichier est validé avant d'écrire ; l'écriture se fait par lots courts et une "
        "interruption se complète en relançant la même commande."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "chemin",
            type=Path,
            help="fichier stock FINESS publié par la DREES, en UTF-8 ou ISO-8859-1",
        )
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            help="code du département (58, 2A, 974 ou 9D) ; répétable ; défaut : tous",
        )
        parser.add_argument(
            "--categories",
            help="codes de catégories séparés par des virgules ; défaut : celles du référentiel",
        )
        parser.add_argument(
            "--entites-juridiques",
            type=Path,
            help="stock FINESS des entités juridiques (etalab-cs1100501-stock-*.csv) : nomme "
            "chaque structure de sa raison sociale ; sans lui, une structure garde le nom qu'il "
            "lui a donné, ou reçoit un nom neutre, jamais celui d'un de ses établissements",
        )
        parser.add_argument("--dry-run", action="store_true", help="valider et compter seulement")
        parser.add_argument(
            "--accepter-baisse",
            action="store_true",
            help="importer même si le fichier compte bien moins d'établissements que le "
            "précédent import du même périmètre (baisse réelle, pas un fichier tronqué)",
        )

    def handle(self, *args, chemin: Path, departements, categories, dry_run, **options) -> None:
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        codes = [c.strip() for c in categories.split(",") if c.strip()] if categories else None
        fichier_ej = options["entites_juridiques"]
        if fichier_ej is not None and not fichier_ej.is_file():
            raise CommandError(f"Fichier introuvable : {fichier_ej}")
        debut = timezone.now()
        try:
            raisons = lire_entites_juridiques(fichier_ej) if fichier_ej else None
            rapport = importer_finess(
                chemin,
                departements=departements,
                categories=codes,
                dry_run=dry_run,
                accepter_baisse=options["accepter_baisse"],
                progression=options["verbosity"] > 0,
                raisons_sociales=raisons,
            )
        except ErreursImport as exc:
            for erreur in exc.erreurs[:ERREURS_AFFICHEES]:
                self.stderr.write(str(erreur))
            reste = len(exc.erreurs) - ERREURS_AFFICHEES
            if reste > 0:
                self.stderr.write(f"… et {reste} autres erreurs.")
            nom = exc.erreurs[0].fichier if exc.erreurs else chemin.name
            raise CommandError(
                f"{len(exc.erreurs)} erreur(s) dans {nom} : rien n'a été importé."
            ) from exc
        except ImportInterrompu as exc:
            raise CommandError(f"{chemin.name} : {exc}.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for avertissement in rapport.avertissements:
            self.stdout.write(f"Attention : {avertissement}")
        self.stdout.write(rapport.resume())
        for conflit in rapport.conflits:
            self.stdout.write(f"Correction gardée : {conflit}")
        if rapport.disparues:
            liste = ", ".join(rapport.disparues[:DISPARUES_AFFICHEES])
            suite = " …" if len(rapport.disparues) > DISPARUES_AFFICHEES else ""
            self.stdout.write(f"ET présents en base mais absents du fichier : {liste}{suite}")
        if not dry_run:
            # Les fiches créées ou changées par l'import : leurs doublons possibles aux modérateurs.
            self.stdout.write(f"Doublons : {detecter_doublons(depuis=debut).resume()}")
            structures = detecter_doublons_de_structures(depuis=debut)
            self.stdout.write(f"Doublons de structures : {structures.resume()}")
