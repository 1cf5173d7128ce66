"""Administration des comptes, institutions, rôles et invitations (administrateurs seulement).

Retirer un rôle ou désactiver un compte passe par les services (`retirer_role`,
`desactiver_compte`) : les sessions ouvertes de la personne se ferment.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from comptes.forms import adresse_deja_prise
from comptes.models import Institution, Invitation, Role
from comptes.services import desactiver_compte, retirer_role

TERRITOIRE = ("niveau", "region", "departement", "epci", "communes")
AUTOCOMPLETE = ("region", "departement", "epci", "communes")


def enregistrer_role(request: Any, role: Role) -> None:
    """Un rôle qui cesse de valoir passe par `retirer_role` (sessions fermées)."""
    avant = Role.objects.filter(pk=role.pk).first() if role.pk else None
    if avant is not None and avant.est_en_vigueur() and not role.est_en_vigueur():
        retirer_role(role=role, par=request.user, fin=None if not role.actif else role.date_fin)
    else:
        role.save()


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

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Role:
            return super().save_formset(request, form, formset, change)
        for role in formset.save(commit=False):
            enregistrer_role(request, role)
        formset.save_m2m()


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

    def save_model(self, request, obj, form, change) -> None:
        enregistrer_role(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # un rôle se désactive, son historique reste


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("institution", "type", "cree_le", "expire_le", "acceptee_le")
    list_filter = ("type",)
    list_select_related = ("institution",)
    search_fields = ("adresse", "institution__nom")
    readonly_fields = ("invitee_par", "expire_le", "acceptee_le", "cree_le")
    fields = ("adresse", "institution", "type", "niveau", *readonly_fields)

    def has_add_permission(self, request) -> bool:
        return False  # une invitation s'envoie depuis « Mon compte » (lien par courriel)


class AdresseUniqueMixin:
    def clean_email(self) -> str:
        adresse = self.cleaned_data.get("email", "").strip()
        if adresse_deja_prise(adresse, sauf=self.instance):
            raise ValidationError("Un autre compte a déjà cette adresse électronique.")
        return adresse


class CompteCreationForm(AdresseUniqueMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


class CompteForm(AdresseUniqueMixin, UserChangeForm):
    pass


Compte = get_user_model()
admin.site.unregister(Compte)


@admin.register(Compte)
class CompteAdmin(UserAdmin):
    form = CompteForm
    add_form = CompteCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        desactive = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if desactive:
            desactiver_compte(utilisateur=obj, par=request.user)
