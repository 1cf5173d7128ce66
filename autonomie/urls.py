from django.contrib import admin
from django.urls import include, path

from autonomie.api import api
from core import views as core_views
from repertoire import views as repertoire_views

admin.site.site_header = "Administration d'Autonomie"
admin.site.site_title = "Autonomie"

urlpatterns = [
    # L'accueil montre le répertoire : il appartient à l'application dont il montre les données.
    path("", repertoire_views.accueil, name="accueil"),
    path("sante/", core_views.sante, name="sante"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("pilotage/", include("pilotage.urls")),
    path("", include("repertoire.urls")),
]
