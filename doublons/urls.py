from django.urls import path

from doublons import views

app_name = "doublons"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/fusionner/", views.fusion, name="fusionner"),
    path("<int:pk>/distincts/", views.distincts, name="distincts"),
    path("services/<int:pk>/historique/", views.historique, name="historique"),
]
