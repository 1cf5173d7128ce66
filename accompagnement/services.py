"""Écritures du dossier d'accompagnement : chaque changement d'état est un appel explicite."""

import datetime as dt
from typing import Any

from django.db import transaction

from accompagnement.models import Accompagnement, ActionPlan
from territoires.models import Departement

TRANSITIONS = {"demarrer": "Démarrer", "terminer": "Marquer réalisée", "abandonner": "Abandonner"}


def ouvrir_accompagnement(
    *, departement: Departement, motif: str, debut: dt.date, par: Any
) -> Accompagnement:
    return Accompagnement.objects.create(
        departement=departement, motif=motif, debut=debut, ouvert_par=par
    )


@transaction.atomic
def changer_etat(*, action: ActionPlan, transition: str) -> ActionPlan:
    """Applique une transition nommée du plan (`TRANSITIONS`) ; refusée (ValueError, message
    français) si elle n'existe pas ou ne part pas de l'état actuel."""
    if transition not in TRANSITIONS:
        raise ValueError("Transition inconnue.")
    methode = getattr(action, transition)
    if not any(t.name == transition for t in action.get_available_etat_transitions()):
        raise ValueError(
            f"L'action « {action.intitule} » est {action.get_etat_display()} : "
            f"« {TRANSITIONS[transition]} » n'est pas possible."
        )
    methode()
    action.save()
    return action
