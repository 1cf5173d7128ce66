from django.core.management.base import BaseCommand

from fraicheur.services import cloturer_campagnes


class Command(BaseCommand):
    help = "Clôture les campagnes de vérification échues (leurs liens ne valent plus)."

    def handle(self, *args, **options) -> None:
        nombre = cloturer_campagnes()
        self.stdout.write(f"{nombre} campagne(s) clôturée(s).")
