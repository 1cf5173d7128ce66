from django.urls import path

from veille import views

app_name = "veille"

urlpatterns: list = [
    path("veille/", views.veille, name="veille"),
    path("veille/<str:code>/", views.veille_departement, name="departement"),
    path("veille/<str:code>/export.csv", views.veille_csv, name="csv"),
]
