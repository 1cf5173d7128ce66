"""Tâche périodique (cron, minuteur systemd) : chercher les doublons possibles de services et
de structures."""

from django.core.management.base import BaseCommand

from doublons.detection import detecter_doublons, detecter_doublons_de_structures


class Command(BaseCommand):
    help = (
        "Cherche les services en double (même FINESS ou SIRET, ou nom proche à une adresse "
        "proche) et les structures en double (même SIRET ou FINESS juridique, ou nom proche "
        "à une adresse proche), et les propose aux modérateurs. Idempotente : relancée, même "
        "en parallèle, elle n'ajoute que les paires nouvelles."
    )

    def handle(self, *args, **options) -> None:
        progression = options["verbosity"] > 0
        self.stdout.write(detecter_doublons(progression=progression).resume())
        self.stdout.write(detecter_doublons_de_structures(progression=progression).resume())
