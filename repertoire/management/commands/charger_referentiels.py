"""manage.py charger_referentiels : communes puis thésaurus des besoins et publics."""

from django.core.management.base import BaseCommand

from repertoire.services import synchroniser_referentiels
from territoires.services import charger_communes

# Les clés des comptes sont des identifiants sans accents ; l'opérateur lit du français.
_MOTS = {
    "crees": "créés",
    "modifies": "modifiés",
    "supprimes": "supprimés",
    "regions": "régions",
    "departements": "départements",
}


def _resume(titre: str, comptes: dict[str, int]) -> str:
    libelles = {cle: " ".join(_MOTS.get(mot, mot) for mot in cle.split("_")) for cle in comptes}
    details = ", ".join(f"{libelles[cle]} : {n}" for cle, n in comptes.items())
    return f"{titre} — {details or 'rien à faire'}"


class Command(BaseCommand):
    help = "Charge les communes et synchronise les besoins et publics du répertoire (idempotent)."

    def handle(self, *args, **options) -> None:
        communes = charger_communes(progression=options["verbosity"] > 0)
        self.stdout.write(_resume("Territoires", communes))
        referentiels = synchroniser_referentiels()
        self.stdout.write(self.style.SUCCESS(_resume("Besoins et publics", referentiels)))
