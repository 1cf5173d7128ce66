"""Administration des institutions et des rôles (réservée aux administrateurs de la plateforme)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from comptes.models import Institution, Role

TERRITOIRE = ("niveau", "region", "departement", "epci", "communes")
AUTOCOMPLETE = ("region", "departement", "epci", "communes")


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    fields = ("utilisateur", "type", "niveau", "departement", "actif", "date_fin")
    autocomplete_fields = ("utilisateur", "departement")
    verbose_name_plural = "rôles des personnes de cette institution"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # un rôle se désactive, son historique reste


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "type", "niveau", "region", "departement", "epci")
    list_filter = ("type", "niveau")
    list_select_related = ("region", "departement", "epci")
    search_fields = ("nom",)
    autocomplete_fields = AUTOCOMPLETE
    fieldsets = (
        (None, {"fields": ("type", "nom")}),
        ("Territoire", {"fields": TERRITOIRE}),
    )
    inlines = (RoleInline,)


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ("utilisateur", "type", "institution", "niveau", "actif", "date_fin")
    list_filter = ("type", "actif", "niveau")
    list_select_related = ("utilisateur", "institution")
    search_fields = ("utilisateur__email", "utilisateur__username", "institution__nom")
    autocomplete_fields = ("utilisateur", "institution", *AUTOCOMPLETE)
    fieldsets = (
        (None, {"fields": ("utilisateur", "institution", "type", "actif", "date_fin")}),
        ("Territoire (vide : celui de l'institution)", {"fields": TERRITOIRE}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # un rôle se désactive, son historique reste
