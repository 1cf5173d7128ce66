from django.urls import path

from repertoire import views, views_professionnels

app_name = "repertoire"

urlpatterns: list = [
    path("recherche/", views.recherche, name="recherche"),
    path("services/<int:pk>/", views.service_court, name="service-court"),
    path("services/<int:pk>/<slug:slug>/", views.fiche_service, name="service"),
    path("structures/<int:pk>/", views.structure_courte, name="structure-courte"),
    path("structures/<int:pk>/<slug:slug>/", views.fiche_structure, name="structure"),
    path("professionnels/jetons/", views_professionnels.jetons, name="jetons"),
]
