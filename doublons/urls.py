from django.urls import path

from doublons import views
from doublons.models import CandidatStructure
from repertoire.models import Structure

app_name = "doublons"

STRUCTURES = {"paire": CandidatStructure}

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/fusionner/", views.fusion, name="fusionner"),
    path("<int:pk>/distincts/", views.distincts, name="distincts"),
    path("services/<int:pk>/historique/", views.historique, name="historique"),
    path(
        "structures/<int:pk>/fusionner/",
        views.fusion,
        STRUCTURES,
        name="fusionner-structures",
    ),
    path(
        "structures/<int:pk>/distincts/",
        views.distincts,
        STRUCTURES,
        name="distincts-structures",
    ),
    path(
        "structures/<int:pk>/historique/",
        views.historique,
        {"modele": Structure},
        name="historique-structure",
    ),
]
