"""Tâche périodique (cron, minuteur systemd) : chercher les doublons possibles de services."""

from django.core.management.base import BaseCommand

from doublons.detection import detecter_doublons


class Command(BaseCommand):
    help = (
        "Cherche les services en double (même FINESS ou SIRET, ou nom proche à une adresse "
        "proche) et les propose aux modérateurs. Idempotente : relancée, même en parallèle, "
        "elle n'ajoute que les paires nouvelles."
    )

    def handle(self, *args, **options) -> None:
        rapport = detecter_doublons(progression=options["verbosity"] > 0)
        self.stdout.write(rapport.resume())
