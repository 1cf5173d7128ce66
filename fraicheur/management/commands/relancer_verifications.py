from django.core.management.base import BaseCommand

from fraicheur.services import relancer_verifications


class Command(BaseCommand):
    help = (
        "Rappelle aux gestionnaires de structure les fiches à revérifier (avant l'échéance, "
        "puis une fois passée) ; un rappel ne part qu'une fois, même lancé deux fois."
    )

    def handle(self, *args, **options) -> None:
        bilan = relancer_verifications()
        self.stdout.write(
            f"{bilan.rappels} fiche(s) rappelée(s), {bilan.courriels} courriel(s) envoyé(s)."
        )
