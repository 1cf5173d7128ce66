from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accompagnement"
    verbose_name = "accompagnement des MDPH en difficulté"
