from django.urls import path

from comptes.views import connexion, deconnexion
from pilotage import views

app_name = "pilotage"


def _exports(prefixe: str, vue, nom: str) -> list:
    """Un tableau de la page en CSV et en XLSX : <page>/tableaux/<slug>.csv|xlsx."""
    return [
        path(f"{prefixe}tableaux/<slug:slug>.{f}", vue, {"format": f}, name=f"{nom}_{f}")
        for f in ("csv", "xlsx")
    ]


urlpatterns = [
    # La page de connexion du site (comptes), qui mène ensuite au pilotage.
    path("connexion/", connexion, {"suite": "pilotage:accueil"}, name="connexion"),
    path("deconnexion/", deconnexion, name="deconnexion"),
    path("", views.accueil, name="accueil"),
    path("mdph/<str:code>/", views.barometre, name="barometre"),
    *_exports("mdph/<str:code>/", views.barometre_export, "barometre"),
    path("mdph/<str:code>/activite/", views.activite, name="activite"),
    *_exports("mdph/<str:code>/activite/", views.activite_export, "activite"),
    path("classement/", views.classement, name="classement"),
    *_exports("classement/", views.classement_export, "classement"),
    path("alertes/", views.alertes, name="alertes"),
    *_exports("alertes/", views.alertes_export, "alertes"),
    path("priorites/", views.priorites, name="priorites"),
    path("priorites/<int:numero>/", views.priorite, name="priorite"),
    *_exports("priorites/<int:numero>/", views.priorite_export, "priorite"),
    path("rapports/branche/<int:annee>/", views.rapport_branche, name="rapport_branche"),
    path(
        "rapports/branche/<int:annee>/rapport.pdf",
        views.rapport_branche_pdf,
        name="rapport_branche_pdf",
    ),
    path(
        "rapports/<str:code>/<int:annee>/",
        views.rapport_departemental,
        name="rapport_departemental",
    ),
    path(
        "rapports/<str:code>/<int:annee>/rapport.pdf",
        views.rapport_departemental_pdf,
        name="rapport_departemental_pdf",
    ),
]
