"""Tâche périodique (cron, minuteur systemd) : annoncer aux modérateurs les nouveautés de leur
file."""

from django.core.management.base import BaseCommand

from contribution.annonces import informer_moderateurs


class Command(BaseCommand):
    help = (
        "Envoie à chaque modérateur un courriel qui compte les nouvelles propositions et les "
        "nouveaux signalements de son territoire. Idempotente : relancée, même en parallèle, "
        "elle n'annonce rien deux fois."
    )

    def handle(self, *args, **options) -> None:
        bilan = informer_moderateurs(progression=options["verbosity"] > 0)
        self.stdout.write(bilan.resume())
