from django.core.management.base import BaseCommand

from pilotage.demo import charger_demo_pilotage, creer_comptes_pilotage_demo


class Command(BaseCommand):
    help = (
        "Charge la démonstration du pilotage (activité synthétique, baromètres, priorités) ; "
        "crée les comptes de pilotage de démonstration quand DEBUG est actif."
    )

    def handle(self, *args, **options) -> None:
        totaux = charger_demo_pilotage(progression=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Démonstration chargée : {totaux}."))
        crees, mot_de_passe = creer_comptes_pilotage_demo()
        if crees:
            origine = (
                f"mot de passe : {mot_de_passe} (affiché une seule fois ; "
                "fixez-le avec DEMO_ADMIN_PASSWORD)"
                if mot_de_passe
                else "mot de passe de DEMO_ADMIN_PASSWORD"
            )
            self.stdout.write(
                self.style.WARNING(f"Comptes de pilotage créés : {', '.join(crees)} ; {origine}.")
            )
