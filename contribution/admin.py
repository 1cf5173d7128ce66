from django.contrib import admin

from contribution.models import ReglageModeration


@admin.register(ReglageModeration)
class ReglageModerationAdmin(admin.ModelAdmin):
    """Le réglage de modération de chaque département (sans ligne : CONTRIBUTION_MODERATION)."""

    list_display = ["departement", "mode"]
    list_select_related = ["departement"]
