"""Données de démonstration pour les tests d'API et de navigateur."""

from echanges.demo import FICHES, FINESS, charger_fiches
from echanges.finess import importer_finess
from repertoire.recherche.index import indexer_services
from repertoire.services import synchroniser_referentiels
from territoires.models import Commune
from territoires.services import charger_communes


def charger_demo_sans_communes() -> None:
    """`charger_demo()` sans les communes, déjà chargées pour la session : 6 s de moins.

    Un test transactionnel qui remet toute la base à zéro les efface : on les recharge alors.
    """
    if not Commune.objects.exists():
        charger_communes()
    synchroniser_referentiels()
    importer_finess(FINESS, departements=["58"])
    charger_fiches(FICHES)
    indexer_services()
