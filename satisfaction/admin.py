"""L'administration montre le questionnaire et les résultats publiés, en lecture seule : une
question se change par `satisfaction.versions` (nouvelle version si la version a des
réponses), jamais en écrivant la ligne directement ; les réponses ne s'y montrent pas."""

from django.contrib import admin
from django.http import HttpRequest

from satisfaction.models import Question, ResultatPublie, Version


class LectureSeule:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class QuestionEnLigne(LectureSeule, admin.TabularInline):
    model = Question
    fields = ("etape", "ordre", "cle", "type", "libelle", "aide", "choix", "signature")
    readonly_fields = fields
    extra = 0


@admin.register(Version)
class VersionAdmin(LectureSeule, admin.ModelAdmin):
    list_display = ("numero", "titre", "en_service", "creee_le")
    inlines = [QuestionEnLigne]


@admin.register(ResultatPublie)
class ResultatPublieAdmin(LectureSeule, admin.ModelAdmin):
    list_display = ("annee", "maille", "code", "question", "repondants", "taux_satisfaction")
    list_filter = ("annee", "maille")
