from django.urls import path

app_name = "pilotage"

urlpatterns: list = []
