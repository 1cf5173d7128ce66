"""Les vues réservées : connexion exigée, puis la fonction de permission unique (`peut`).

`reservee(action)` protège une page ou un export, `reservee_api(action)` un point de l'API
django-ninja (après son authentification : session ou jeton). Les deux marquent la vue
(`core.acces`) pour que `autonomie/tests/test_acces.py` voie qu'aucune adresse n'y échappe.
Un refus rend la page 403 en français de `refus` (celle des comptes par défaut).

La vérification faite ici porte sur « quelque part » (le menu, la page d'accueil d'un
espace) ; une vue qui montre un objet précis vérifie en plus `peut(…, objet)` sur lui.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.errors import HttpError

from comptes.permissions import Action, peut
from core.acces import ATTRIBUT, Acces

# Une personne connectée, sur son propre compte (« Mon compte », son mot de passe).
CONNECTEE = "connectee"


def _marquer(vue: Callable, permission: str, raison: str) -> None:
    setattr(vue, ATTRIBUT, Acces(publique=False, raison=raison, permission=permission))


def reservee(
    action: Action | None, *, refus: str = "comptes/interdit.html", connexion: str = ""
) -> Callable[[Callable], Callable]:
    """Connexion exigée (sinon la page de connexion, retour ici ensuite), puis `peut(action)`
    quelque part (None : toute personne connectée, pour son propre compte) ; un refus, ici ou
    dans la vue (`PermissionDenied`), rend `refus` avec le statut 403."""

    def decorer(vue: Callable) -> Callable:
        @wraps(vue)
        def protegee(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), connexion or None)
            try:
                if action is not None and not peut(request.user, action):
                    raise PermissionDenied
                return vue(request, *args, **kwargs)
            except PermissionDenied:
                return render(request, refus, status=403)

        permission = f"comptes.{action}" if action else CONNECTEE
        _marquer(protegee, permission, raison=permission)
        return protegee

    return decorer


def reservee_api(
    action: Action, *, refus: str = "Votre compte n'a pas accès à ces informations."
) -> Callable[[Callable], Callable]:
    """Pour un point d'API déjà authentifié (`request.auth` : la personne) : 403 avec le
    message `refus` sans le droit quelque part."""

    def decorer(vue: Callable) -> Callable:
        @wraps(vue)
        def protegee(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not peut(getattr(request, "auth", None), action):
                raise HttpError(403, refus)
            return vue(request, *args, **kwargs)

        _marquer(protegee, f"comptes.{action}", raison=f"comptes.{action}")
        return protegee

    return decorer


def site_reserve_aux_administrateurs(site: AdminSite) -> bool:
    """Le site d'administration décide par `peut(…, ADMINISTRER)` (comptes.administration)."""
    from comptes.administration import SiteAdministration

    return isinstance(site, SiteAdministration)
