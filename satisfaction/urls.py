from django.urls import path

from satisfaction import views

app_name = "satisfaction"
urlpatterns = [
    path("donner-mon-avis/", views.accueil, name="accueil"),
    path("donner-mon-avis/etape/<int:numero>/", views.etape, name="etape"),
    path("donner-mon-avis/merci/", views.merci, name="merci"),
    path("donner-mon-avis/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("satisfaction/saisie/", views.saisie_papier, name="saisie_papier"),
]
