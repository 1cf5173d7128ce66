"""Ce que chaque requête vérifie d'une session : fermée depuis ? double facteur passé ?"""

import time
from collections.abc import Callable
from urllib.parse import quote

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from comptes import double_facteur
from comptes.models import FermetureSessions

# Clé de session : quand elle a été ouverte (secondes depuis l'époque), posée à la connexion.
OUVERTE_LE = "comptes_ouverte_le"
# Les pages qui exigent le double facteur de qui y a droit, sauf leurs pages de connexion.
ZONES_PROTEGEES = ("/pilotage/", "/admin/")
EXEMPTEES = ("/pilotage/connexion/", "/pilotage/deconnexion/", "/admin/login/", "/admin/logout/")


def marquer_ouverture(request: HttpRequest) -> None:
    """À appeler juste après `login()` : la session date de maintenant."""
    request.session[OUVERTE_LE] = time.time()


class SessionsFermeesMiddleware:
    """Déconnecte une session ouverte avant le retrait d'un rôle ou la désactivation du compte.

    Une session sans date d'ouverture (ouverte avant ce mécanisme) est tenue pour ancienne.
    Une requête de plus par page pour une personne connectée, aucune pour le public.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        utilisateur = request.user
        if utilisateur.is_authenticated:
            ouverte_le = request.session.get(OUVERTE_LE, 0.0)
            fermeture = FermetureSessions.objects.filter(utilisateur=utilisateur).first()
            if fermeture is not None and fermeture.le.timestamp() >= ouverte_le:
                logout(request)  # request.user devient anonyme
        return self.get_response(request)


class DoubleFacteurMiddleware:
    """Pilotage et administration : qui doit avoir un double facteur (`double_facteur.exige`)
    et ne l'a pas passé dans cette session est envoyé l'activer, ou saisir son code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chemin = request.path_info
        if chemin.startswith(ZONES_PROTEGEES) and not chemin.startswith(EXEMPTEES):
            utilisateur = request.user
            if double_facteur.exige(utilisateur) and not utilisateur.is_verified():
                etape = "code" if double_facteur.est_active(utilisateur) else "activer"
                cible = reverse(f"comptes:double_facteur_{etape}")
                return HttpResponseRedirect(f"{cible}?next={quote(request.get_full_path())}")
        return self.get_response(request)
