from django.urls import path

from contribution import views, views_gestion, views_nouveau_service, views_resume

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
    path("gestion/", views_gestion.mes_fiches, name="mes-fiches"),
    path(
        "services/<int:pk>/modifier/<slug:partie>/",
        views_gestion.modifier_partie_service,
        name="modifier-service-partie",
    ),
    path(
        "structures/<int:pk>/modifier/<slug:partie>/",
        views_gestion.modifier_partie_structure,
        name="modifier-structure-partie",
    ),
    path("structures/<int:pk>/lieux/", views_gestion.lieux, name="lieux"),
    path("structures/<int:pk>/lieux/ajouter/", views_gestion.modifier_lieu, name="ajouter-lieu"),
    path(
        "structures/<int:pk>/lieux/<int:lieu>/modifier/",
        views_gestion.modifier_lieu,
        name="modifier-lieu",
    ),
    path("services/proposer/", views_nouveau_service.choisir_structure, name="proposer-un-service"),
    path(
        "structures/<int:pk>/proposer-un-service/",
        views_nouveau_service.proposer_service,
        name="proposer-service",
    ),
    path(
        "services/proposes/<int:pk>/", views_nouveau_service.service_propose, name="service-propose"
    ),
    path("moderation/", views.file_moderation, name="file"),
    path("moderation/propositions/<int:pk>/", views.proposition, name="proposition"),
    path("moderation/signalements/<int:pk>/", views.signalement, name="signalement"),
    path(
        "lien/moderation/desinscription/<str:jeton>/",
        views_resume.desinscription_resume,
        name="desinscription-resume",
    ),
]
