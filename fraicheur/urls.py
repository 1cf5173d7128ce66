from django.urls import path

from fraicheur import views

app_name = "fraicheur"

urlpatterns: list = [
    path("fraicheur/campagnes/", views.campagnes, name="campagnes"),
    path("fraicheur/campagnes/<int:pk>/", views.campagne, name="campagne"),
    path("fraicheur/campagnes/<int:pk>/relancer/", views.relancer, name="relancer"),
    path("fraicheur/qualite/", views.qualite, name="qualite"),
    path("fraicheur/qualite/<str:code>/", views.qualite_departement, name="qualite-departement"),
    path("fraicheur/qualite/<str:code>/export.csv", views.qualite_csv, name="qualite-csv"),
    path("lien/verification/<str:jeton>/", views.verifier, name="verifier"),
    path("lien/confirmation/<str:jeton>/", views.confirmer, name="confirmer"),
    path("lien/desinscription/<str:jeton>/", views.desinscription, name="desinscription"),
]
