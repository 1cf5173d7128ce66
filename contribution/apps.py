from django.apps import AppConfig


class ContributionConfig(AppConfig):
    name = "contribution"
    verbose_name = "Contributions, signalements et modération"
