"""Les flux de travail du pilotage, appelés par les commandes de gestion.

Chaque flux vit dans son module ; ce fichier en est la porte d'entrée.
"""

from pilotage.agregation import agreger_activite, rafraichir_trimestre
from pilotage.barometres import controler_taux, importer_barometre
from pilotage.demandes import importer_demandes
from pilotage.demo import charger_demo_pilotage
from pilotage.generation import generer_activite
from pilotage.priorites import synchroniser_priorites
from pilotage.tableaux_de_bord import verifier_alertes

__all__ = [
    "agreger_activite",
    "charger_demo_pilotage",
    "controler_taux",
    "generer_activite",
    "importer_barometre",
    "importer_demandes",
    "rafraichir_trimestre",
    "synchroniser_priorites",
    "verifier_alertes",
]
