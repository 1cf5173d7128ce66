from django.urls import path

from contribution import views, views_resume

app_name = "contribution"

urlpatterns: list = [
    path("structures/<int:pk>/signaler/", views.signaler_structure, name="signaler-structure"),
    path("services/<int:pk>/signaler/", views.signaler_service, name="signaler-service"),
    path("structures/<int:pk>/modifier/", views.modifier_structure, name="modifier-structure"),
    path("services/<int:pk>/modifier/", views.modifier_service, name="modifier-service"),
    path(
        "structures/<int:pk>/historique/",
        views.historique_structure,
        name="historique-structure",
    ),
    path("services/<int:pk>/historique/", views.historique_service, name="historique-service"),
    path("moderation/", views.file_moderation, name="file"),
    path("moderation/propositions/<int:pk>/", views.proposition, name="proposition"),
    path("moderation/signalements/<int:pk>/", views.signalement, name="signalement"),
    path(
        "lien/moderation/desinscription/<str:jeton>/",
        views_resume.desinscription_resume,
        name="desinscription-resume",
    ),
]
