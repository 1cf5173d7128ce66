"""Dispositifs à durée limitée (expérimentations) : prévenir avant la fin, cacher après.

Une fiche dont la date de fin est passée n'est plus publiée dès le lendemain
(`Service.objects.publies()`) ; `cloturer_dispositifs` l'archive ensuite par la porte des
fiches (une version, une ligne d'historique, l'index de recherche mis à jour) et prévient
ses gestionnaires `FRAICHEUR_FIN_DISPOSITIF_AVANT_JOURS` jours avant, une seule fois par
date de fin (la ligne unique `Rappel`, moment « fin ») : relancée, même en même temps, la
commande ne renvoie rien et n'archive rien deux fois.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fraicheur import courriels
from fraicheur.models import Moment
from fraicheur.services import _desinscrites, _gestionnaires_par_institution, _reserver
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Service

AUTEUR_FIN = Auteur("fin-de-dispositif")
ESPACE = "contribution:mes-fiches"  # la page « Mes fiches » des gestionnaires


@dataclass(frozen=True)
class BilanDispositifs:
    prevenus: int = 0
    courriels: int = 0
    archives: int = 0


def cloturer_dispositifs(*, le: dt.date | None = None) -> BilanDispositifs:
    le = le or timezone.localdate()
    prevenus, envoyes = prevenir_fins(le=le)
    return BilanDispositifs(prevenus, envoyes, archiver_termines(le=le))


def prevenir_fins(*, le: dt.date) -> tuple[int, int]:
    """Un courriel par gestionnaire, listant ses dispositifs qui finissent bientôt."""
    horizon = le + dt.timedelta(days=settings.FRAICHEUR_FIN_DISPOSITIF_AVANT_JOURS)
    gestionnaires = _gestionnaires_par_institution()
    bientot = Service.objects.publies(le).filter(
        date_fin__lte=horizon, structure__institution_id__in=gestionnaires
    )
    par_personne: dict[str, list[Service]] = defaultdict(list)
    prevenus = 0
    for service in bientot.select_related("structure").order_by("date_fin"):
        if not _reserver(service, service.date_fin, Moment.FIN):
            continue
        prevenus += 1
        for courriel, _ in gestionnaires[service.structure.institution_id]:
            par_personne[courriel].append(service)
    desinscrites = _desinscrites(par_personne)
    envoyes = 0
    for courriel, services in par_personne.items():
        if courriel.lower() in desinscrites:
            continue
        courriels.envoyer(
            "fin_dispositif",
            a=[courriel],
            contexte={"services": services, "espace": courriels.adresse(reverse(ESPACE))},
            desinscription=courriels.lien_de_desinscription(courriel),
        )
        envoyes += 1
    return prevenus, envoyes


def archiver_termines(*, le: dt.date) -> int:
    """Archive (jamais ne supprime) les dispositifs dont la date de fin est passée."""
    termines = list(Service.objects.filter(statut=Service.Statut.PUBLIE, date_fin__lt=le))
    rapport = ecrire_fiches(
        changements=[Changement(s, {"statut": Service.Statut.ARCHIVE}) for s in termines],
        auteur=AUTEUR_FIN,
    )
    return rapport.modifiees
