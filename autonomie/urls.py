from django.contrib import admin
from django.urls import include, path

from autonomie.api import api
from core import views as core_views
from repertoire import views as repertoire_views

urlpatterns = [
    # L'accueil montre le répertoire : il appartient à l'application dont il montre les données.
    path("", repertoire_views.accueil, name="accueil"),
    path("sante/", core_views.sante, name="sante"),
    path("admin/", admin.site.urls),
    path("compte/", include("comptes.urls")),
    path("api/v1/", api.urls),
    path("pilotage/", include("pilotage.urls")),
    path("barometre/", include("pilotage.urls_publiques")),
    path("pilotage/accompagnement/", include("accompagnement.urls")),
    path("moderation/doublons/", include("doublons.urls")),
    path("", include("contribution.urls")),
    path("", include("fraicheur.urls")),
    path("", include("veille.urls")),
    path("", include("satisfaction.urls")),
    path("", include("repertoire.urls")),
]
