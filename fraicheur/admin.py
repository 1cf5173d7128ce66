from django.contrib import admin

from fraicheur.models import Campagne, Demande, Desinscription, Rappel


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
