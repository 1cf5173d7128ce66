from django.contrib import admin
from django.db import models

from fraicheur.models import Campagne, Demande, Desinscription, Rappel
from fraicheur.widgets import AideFalcTextarea
from repertoire.admin import ServiceAdmin
from repertoire.models import Service


class ServiceAvecAideFalcAdmin(ServiceAdmin):
    """L'administration des services du répertoire, avec l'aide FALC à côté du résumé."""

    def formfield_for_dbfield(self, db_field: models.Field, request, **kwargs):
        if db_field.name == "resume_falc":
            kwargs["widget"] = AideFalcTextarea(attrs={"rows": 6, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


admin.site.unregister(Service)
admin.site.register(Service, ServiceAvecAideFalcAdmin)


class DemandeInline(admin.TabularInline):
    model = Demande
    fields = ("structure", "courriel", "envoyee_le", "relancee_le", "reponse", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Campagne)
class CampagneAdmin(admin.ModelAdmin):
    list_display = ("nom", "departement", "lancee_le", "expire_le", "cloturee_le")
    readonly_fields = ("lancee_par", "lancee_le")
    inlines = (DemandeInline,)


@admin.register(Rappel)
class RappelAdmin(admin.ModelAdmin):
    list_display = ("service", "echeance", "moment", "envoye_le")
    raw_id_fields = ("service",)


@admin.register(Desinscription)
class DesinscriptionAdmin(admin.ModelAdmin):
    list_display = ("courriel", "le")
    search_fields = ("courriel",)
