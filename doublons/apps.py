from django.apps import AppConfig


class DoublonsConfig(AppConfig):
    name = "doublons"
    verbose_name = "Doublons (détection et fusion des fiches)"
