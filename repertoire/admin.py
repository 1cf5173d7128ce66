"""Administration du répertoire : fiches historisées, protégées contre l'écrasement concurrent."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from repertoire.ecriture import (
    Auteur,
    RapportEcriture,
    changement_du_formulaire,
    ecrire_fiches,
    reindexer,
)
from repertoire.forms import CHAMP_VERSION, VerrouOptimisteForm
from repertoire.models import (
    Besoin,
    Contact,
    HoraireExceptionnel,
    JetonApi,
    Lieu,
    PlageHoraire,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche.index import indexer_services
from repertoire.widgets import AideFalcTextarea

# Une adresse saisie sans schéma est lue en https (le défaut de Django 6).
URL_EN_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class AvecVerrouOptimiste:
    """Rend toujours le champ caché de la version lue, même si `fields` ou `fieldsets` le taisent.

    L'admin n'affiche que les champs de ses fieldsets ; un champ caché absent de la page n'est
    pas reposté, et chaque enregistrement passerait pour concurrent (les lieux de toute
    structure, tant que l'inline listait ses champs sans lui).
    """

    form = VerrouOptimisteForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if CHAMP_VERSION in flatten_fieldsets(fieldsets):
            return fieldsets
        (titre, options), *suite = fieldsets
        return [(titre, {**options, "fields": [*options["fields"], CHAMP_VERSION]}), *suite]


class FicheAdmin(AvecVerrouOptimiste, SimpleHistoryAdmin):
    """Historique des versions, verrou optimiste et index de recherche tenu à jour : toute
    fiche (structure, lieu, service)."""

    formfield_overrides = URL_EN_HTTPS
    readonly_fields = ("version", "cree_le", "modifie_le")

    def services_a_reindexer(self, fiche: models.Model) -> list[int]:
        return list(fiche.services.values_list("pk", flat=True))

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        """Une fiche nouvelle s'écrit tout de suite (ses liens ont besoin de sa clé) ; une fiche
        modifiée attend `save_related`, qui sait si ses horaires ou lieux ont aussi changé."""
        if not change:
            self._ecrire(request, [changement_du_formulaire(form)])

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        rapport = RapportEcriture()
        if change:
            modifies = any(formset.has_changed() for formset in formsets)
            changement = changement_du_formulaire(form, sous_fiches_modifiees=modifies)
            rapport = self._ecrire(request, [changement])
        form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        rapport.services_a_indexer.update(self.services_a_reindexer(form.instance))
        reindexer(rapport)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset, change: bool) -> None:
        """Les lieux d'une structure sont des fiches : ils passent aussi par la porte."""
        if not issubclass(formset.model, Lieu):
            formset.save()
            return
        formset.save(commit=False)
        for lieu in formset.deleted_objects:
            lieu.delete()
        changements = [
            changement_du_formulaire(f)
            for f in formset.forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        self._ecrire(request, changements)
        formset.save_m2m()

    def _ecrire(self, request: HttpRequest, changements: list) -> RapportEcriture:
        auteur = Auteur("administration", request.user)
        return ecrire_fiches(changements=changements, auteur=auteur, indexer=False)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_queryset(request, type(obj)._default_manager.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        """L'index n'est pas lié aux fiches par des clés (FTS5) : on le purge explicitement."""
        services = [pk for fiche in queryset for pk in self.services_a_reindexer(fiche)]
        super().delete_queryset(request, queryset)
        indexer_services(services)


class LectureSeuleAdmin(admin.ModelAdmin):
    """Pour ce que tient une autre source (référentiels.py, imports) : l'admin ne fait que lire."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LieuInline(AvecVerrouOptimiste, admin.StackedInline):
    model = Lieu
    formfield_overrides = URL_EN_HTTPS
    extra = 0
    show_change_link = True
    fields = ("nom", "adresse", "complement_adresse", "code_postal", "commune", "finess_et")
    raw_id_fields = ("commune",)


class ContactStructureInline(admin.TabularInline):
    model = Contact
    fk_name = "structure"
    fields = ("libelle", "telephone", "courriel", "visibilite")
    extra = 0


class ContactServiceInline(ContactStructureInline):
    fk_name = "service"


class PlageHoraireInline(admin.TabularInline):
    model = PlageHoraire
    extra = 0


class HoraireExceptionnelInline(admin.TabularInline):
    model = HoraireExceptionnel
    extra = 0


class ZoneInterventionInline(admin.TabularInline):
    model = ZoneIntervention
    extra = 0


@admin.register(Structure)
class StructureAdmin(FicheAdmin):
    list_display = ("nom", "typologie", "institution", "date_verification", "modifie_le")
    list_filter = ("typologie",)
    list_select_related = ("institution",)
    search_fields = ("nom", "siret", "finess_ej")
    autocomplete_fields = ("parent", "institution")
    inlines = (LieuInline, ContactStructureInline)


@admin.register(Service)
class ServiceAdmin(FicheAdmin):
    list_display = ("nom", "structure", "nature", "statut", "date_verification")
    list_filter = ("statut", "nature", "categorie_finess")
    list_select_related = ("structure",)
    search_fields = ("nom", "structure__nom")
    autocomplete_fields = ("structure", "lieux")
    filter_horizontal = ("besoins", "publics")

    def services_a_reindexer(self, fiche: Service) -> list[int]:
        return [fiche.pk]

    def formfield_for_dbfield(self, db_field: models.Field, request, **kwargs):
        """Le résumé FALC avec son aide : mesure du texte et règles (repertoire/falc.py)."""
        if db_field.name == "resume_falc":
            kwargs["widget"] = AideFalcTextarea(attrs={"rows": 6, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    inlines = (
        PlageHoraireInline,
        HoraireExceptionnelInline,
        ZoneInterventionInline,
        ContactServiceInline,
    )


@admin.register(Lieu)
class LieuAdmin(FicheAdmin):
    list_display = ("nom", "structure", "commune", "finess_et")
    list_select_related = ("structure", "commune")
    search_fields = ("nom", "adresse", "finess_et", "structure__nom")
    autocomplete_fields = ("structure",)
    raw_id_fields = ("commune",)


@admin.register(Besoin)
class BesoinAdmin(LectureSeuleAdmin):
    list_display = ("libelle", "slug", "parent")
    list_select_related = ("parent",)
    search_fields = ("libelle", "slug")


@admin.register(Public)
class PublicAdmin(LectureSeuleAdmin):
    list_display = ("libelle", "slug", "parent")
    list_select_related = ("parent",)
    search_fields = ("libelle", "slug")


@admin.register(Provenance)
class ProvenanceAdmin(LectureSeuleAdmin):
    list_display = ("source", "identifiant", "content_type", "object_id", "date_maj_source")
    list_filter = ("source", "content_type")
    search_fields = ("identifiant",)


@admin.register(JetonApi)
class JetonApiAdmin(admin.ModelAdmin):
    """Voir et révoquer (date de révocation) les jetons ; les créer est l'affaire de la
    personne, sur sa page : l'empreinte seule ne permet pas de s'en servir."""

    list_display = ("nom", "utilisateur", "debut", "cree_le", "utilise_le", "revoque_le")
    list_select_related = ("utilisateur",)
    search_fields = ("nom", "utilisateur__email", "debut")
    readonly_fields = ("utilisateur", "nom", "debut", "cree_le", "utilise_le")
    fields = ("utilisateur", "nom", "debut", "cree_le", "utilise_le", "revoque_le")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
