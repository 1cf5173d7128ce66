"""Conservation des comptages de la veille des besoins."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from repertoire.models import ComptageRecherche, ajouter_mois


def debut_de_conservation(le: dt.date | None = None) -> dt.date:
    """Le plus ancien jour gardé : `VEILLE_CONSERVATION_MOIS` mois avant `le` (aujourd'hui)."""
    return ajouter_mois(le or timezone.localdate(), -settings.VEILLE_CONSERVATION_MOIS)


def purger_comptages(*, le: dt.date | None = None) -> int:
    """Supprime les comptages des jours antérieurs à la durée de conservation ; rend leur
    nombre. Un seul DELETE : relancée, ou lancée deux fois en même temps, elle ne trouve plus
    rien à supprimer."""
    nombre, _ = ComptageRecherche.objects.anterieurs_au(debut_de_conservation(le)).delete()
    return nombre
