"""manage.py demo : prépare un site de démonstration sur la Nièvre ; relançable sans risque."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import ErreursImport, RapportImport
from echanges.demo import charger_demo, creer_admin_local

ETAPES = {
    "communes": "Communes",
    "referentiels": "Référentiels",
    "finess": "Établissements FINESS",
    "fiches": "Fiches de démonstration",
    "index": "Index de recherche",
}


class Command(BaseCommand):
    help = (
        "Charge communes, référentiels, établissements FINESS de la Nièvre et fiches de "
        "démonstration ; crée le compte « admin » quand DEBUG est actif. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--progression", action="store_true", help="barres de progression")

    def handle(self, *args: Any, progression: bool, **options: Any) -> None:
        try:
            comptes = charger_demo(progression=progression)
        except ErreursImport as erreurs:
            raise CommandError(f"Démonstration non chargée :\n{erreurs}") from None
        for etape, resultat in comptes.items():
            self.stdout.write(f"{ETAPES[etape]} : {_resume(resultat)}")
        self._compte_admin()

    def _compte_admin(self) -> None:
        if not settings.DEBUG:
            self.stdout.write("Compte « admin » : non créé (DEBUG est désactivé).")
            return
        cree, mot_de_passe = creer_admin_local()
        if not cree:
            self.stdout.write("Compte « admin » : déjà présent, inchangé.")
        elif mot_de_passe:
            self.stdout.write(
                self.style.WARNING(
                    f"Compte « admin » créé, mot de passe : {mot_de_passe} "
                    "(affiché une seule fois ; fixez-le avec DEMO_ADMIN_PASSWORD)."
                )
            )
        else:
            self.stdout.write("Compte « admin » créé avec le mot de passe de DEMO_ADMIN_PASSWORD.")


def _resume(resultat: RapportImport | dict[str, int]) -> str:
    if isinstance(resultat, RapportImport):
        return resultat.resume()
    return ", ".join(f"{cle} {valeur}" for cle, valeur in resultat.items()) or "rien à faire"
