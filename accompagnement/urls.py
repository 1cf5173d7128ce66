from django.urls import path

from accompagnement import views

app_name = "accompagnement"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("mdph/<str:code>/ouvrir/", views.ouvrir, name="ouvrir"),
    path("mdph/<str:code>/stock/", views.stock, name="stock"),
    path("<int:pk>/", views.fiche, name="fiche"),
    path("<int:pk>/engagement/", views.engagement, name="engagement"),
    path("<int:pk>/diagnostic/", views.diagnostic, name="diagnostic"),
    path("<int:pk>/actions/", views.ajouter_action, name="ajouter_action"),
    path(
        "<int:pk>/actions/<int:action_pk>/<str:transition>/",
        views.changer_etat,
        name="changer_etat",
    ),
    path("<int:pk>/renforts/", views.ajouter_renfort, name="ajouter_renfort"),
]
