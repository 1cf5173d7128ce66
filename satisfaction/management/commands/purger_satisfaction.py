from django.conf import settings
from django.core.management.base import BaseCommand

from satisfaction.services import (
    effacer_sessions_expirees,
    limite_conservation_textes,
    purger_textes,
)


class Command(BaseCommand):
    help = (
        "Vide les textes libres des réponses au questionnaire de satisfaction plus anciennes "
        "que SATISFACTION_TEXTE_CONSERVATION_MOIS (24 mois par défaut) ; les comptes restent. "
        "Efface aussi les sessions expirées (questionnaires abandonnés, gardés 2 heures). "
        "Sans effet la seconde fois (à lancer chaque jour ou chaque mois)."
    )

    def handle(self, *args, **options) -> None:
        videes = purger_textes()
        effacer_sessions_expirees()  # les questionnaires abandonnés en cours de route
        self.stdout.write(
            self.style.SUCCESS(
                f"{videes} texte(s) libre(s) vidé(s) : réponses d'avant "
                f"{limite_conservation_textes():%m/%Y} "
                f"({settings.SATISFACTION_TEXTE_CONSERVATION_MOIS} mois de conservation)."
            )
        )
