"""Ce que partagent les pages de contribution (`views`, `views_gestion`) : la fiche demandée
avec ce que ses pages affichent, son adresse publique, le refus et le message de conflit."""

from django.shortcuts import get_object_or_404

from repertoire.forms import CONFLIT
from repertoire.models import Service, Structure
from repertoire.views import url_service, url_structure

Fiche = Structure | Service

REFUS = "contribution/interdit.html"


def service_ou_404(pk: int) -> Service:
    return get_object_or_404(
        Service.objects.select_related("structure").prefetch_related(
            "lieux", "zones", "structure__lieux"
        ),
        pk=pk,
    )


def structure_ou_404(pk: int) -> Structure:
    return get_object_or_404(Structure.objects.prefetch_related("lieux"), pk=pk)


def url_fiche(fiche: Fiche) -> str:
    """L'adresse publique de la fiche, où l'on revient après l'avoir modifiée."""
    return url_service(fiche) if isinstance(fiche, Service) else url_structure(fiche)


def message_conflit(fiche: Fiche) -> str:
    """La fiche a changé depuis l'ouverture du formulaire : rien n'est écrasé."""
    return CONFLIT.format(fiche=f"{fiche._meta.verbose_name} « {fiche} »", quand="entre-temps")
