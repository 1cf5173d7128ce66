"""L'administration de Django : réservée aux administrateurs de la plateforme (issue 10).

Le site d'administration décide de l'accès par `peut(utilisateur, Action.ADMINISTRER)`, comme
toute autre permission, et se connecte par la page de connexion du site (double facteur
compris) plutôt que par son propre formulaire.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse


class SiteAdministration(admin.AdminSite):
    site_header = "Administration d'Autonomie"
    site_title = "Autonomie"

    def has_permission(self, request: HttpRequest) -> bool:
        from comptes.permissions import Action, peut

        utilisateur = request.user
        return utilisateur.is_active and peut(utilisateur, Action.ADMINISTRER)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from comptes.views import connexion

        return connexion(request, suite="admin:index")


class AdministrationConfig(AdminConfig):
    default_site = "comptes.administration.SiteAdministration"
