from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.tableaux_de_bord import verifier_alertes


class Command(BaseCommand):
    help = "Applique les règles d'alerte précoce et affiche les alertes déclenchées."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--annee", type=int, default=None, help="Par défaut : la dernière")
        parser.add_argument(
            "--echec-si-alerte", action="store_true", help="Code de sortie 1 s'il y a des alertes"
        )

    def handle(self, *args, annee: int | None, echec_si_alerte: bool, **options) -> None:
        annee, alertes = verifier_alertes(annee=annee)
        if annee is None:
            self.stdout.write("Ni activité agrégée ni baromètre publié : rien à vérifier.")
            return
        for alerte in alertes:
            self.stdout.write(f"[{alerte.regle}] {alerte.texte}")
        self.stdout.write(self.style.SUCCESS(f"{len(alertes)} alerte(s) pour {annee}."))
        if alertes and echec_si_alerte:
            raise CommandError(f"{len(alertes)} alerte(s) déclenchée(s).")
