from django.apps import AppConfig


class FraicheurConfig(AppConfig):
    name = "fraicheur"
    verbose_name = "Fraîcheur des fiches"
