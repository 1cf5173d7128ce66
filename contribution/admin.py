from django.contrib import admin

from contribution.models import DesinscriptionResume, ReglageModeration


@admin.register(ReglageModeration)
class ReglageModerationAdmin(admin.ModelAdmin):
    """Le réglage de modération de chaque département (sans ligne : CONTRIBUTION_MODERATION)."""

    list_display = ["departement", "mode"]
    list_select_related = ["departement"]


@admin.register(DesinscriptionResume)
class DesinscriptionResumeAdmin(admin.ModelAdmin):
    """Les modérateurs qui ne reçoivent plus le résumé des nouveautés de leur file."""

    list_display = ["utilisateur", "le"]
    list_select_related = ["utilisateur"]
    search_fields = ["utilisateur__email"]
