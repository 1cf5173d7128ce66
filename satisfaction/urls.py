from django.urls import path

from satisfaction import views

app_name = "satisfaction"
urlpatterns = [
    path("donner-mon-avis/", views.accueil, name="accueil"),
    path("donner-mon-avis/etape/<int:numero>/", views.etape, name="etape"),
    path("donner-mon-avis/merci/", views.merci, name="merci"),
    path("donner-mon-avis/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("satisfaction/saisie/", views.saisie_papier, name="saisie_papier"),
    path("satisfaction/resultats/", views.resultats_accueil, name="resultats_accueil"),
    path(
        "satisfaction/resultats/national/",
        views.resultats_page,
        {"maille": "national"},
        name="resultats_national",
    ),
    path(
        "satisfaction/resultats/<str:maille>/<str:code>/",
        views.resultats_page,
        name="resultats_territoire",
    ),
    path(
        "satisfaction/resultats/national/tableaux/<slug:slug>.<str:format>",
        views.resultats_export,
        {"maille": "national"},
        name="resultats_national_export",
    ),
    path(
        "satisfaction/resultats/<str:maille>/<str:code>/tableaux/<slug:slug>.<str:format>",
        views.resultats_export,
        name="resultats_export",
    ),
    path("satisfaction/avis/<str:code>/", views.avis_libres, name="avis_libres"),
]
