from django.urls import path

app_name = "repertoire"

urlpatterns: list = []
