"""Qui voit quoi dans le pilotage (docs/adr/0008, « Pilotage par territoire »).

Deux sortes de données :
- les **données des demandes** (activité, délais et droits calculés depuis les événements des
  dossiers, classement, alertes calculées, rapports) : un rôle de pilotage les voit pour les
  départements de son territoire, `peut(utilisateur, VOIR_PILOTAGE, departement)` ; les
  valeurs nationales et régionales poolées restent visibles de tous ;
- les **valeurs publiées** (baromètres Etalab et DITP, cibles DITP), déjà publiques : tout
  rôle de pilotage les voit, quel que soit son territoire.

Dans les deux cas, seuls les départements du déploiement (`territoires.deploiement`) existent
ici. Les listes calculent l'ensemble des départements visibles une fois par requête.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy

from comptes.acces import reservee
from comptes.permissions import Action, peut
from territoires.deploiement import codes_departements_du_deploiement, dans_le_deploiement
from territoires.models import Departement
from territoires.perimetres import Perimetre

# Codes de départements ; None : tous.
Codes = frozenset[str] | None


def reserve(vue: Callable) -> Callable:
    """Connexion exigée (sinon la page de connexion, qui ramène au pilotage), puis un droit de
    pilotage quelque part ; un refus (ici ou dans la vue, `PermissionDenied`) rend une page
    403 en français."""
    return reservee(
        Action.VOIR_PILOTAGE,
        refus="pilotage/refus.html",
        connexion=reverse_lazy("pilotage:connexion"),
    )(vue)


def voit_le_national(utilisateur: Any) -> bool:
    """Un rôle de pilotage national (CNSA, administrateur national) ou un superutilisateur."""
    return peut(utilisateur, Action.VOIR_PILOTAGE, Perimetre.national())


def departements_visibles(utilisateur: Any) -> Codes:
    """Les départements du déploiement dont l'utilisateur voit les données des demandes ;
    None : tous. Une requête pour les départements, quel que soit leur nombre (la décision
    de chacun, `peut`, lit les rôles une fois et ne relit pas la base)."""
    deploiement = codes_departements_du_deploiement()
    if voit_le_national(utilisateur):
        return deploiement
    candidats = Departement.objects.only("code", "region_id")
    if deploiement is not None:
        candidats = candidats.filter(code__in=deploiement)
    return frozenset(d.code for d in candidats if peut(utilisateur, Action.VOIR_PILOTAGE, d))


def departements_publies() -> Codes:
    """Les départements dont les valeurs publiées s'affichent : ceux du déploiement."""
    return codes_departements_du_deploiement()


def dans(code: str, codes: Codes) -> bool:
    return codes is None or code in codes


def departement_du_deploiement(code: str) -> Departement:
    """Un département hors du déploiement n'existe pas ici (404)."""
    departement = get_object_or_404(Departement, code=code)
    if not dans_le_deploiement(departement):
        raise Http404("Département hors du territoire de ce déploiement")
    return departement


def voit_les_demandes(utilisateur: Any, departement: Departement) -> bool:
    return peut(utilisateur, Action.VOIR_PILOTAGE, departement)


def departement_des_demandes(utilisateur: Any, code: str) -> Departement:
    """Le département dont une page montre les données des demandes (sinon 403)."""
    departement = departement_du_deploiement(code)
    if not voit_les_demandes(utilisateur, departement):
        raise PermissionDenied
    return departement
