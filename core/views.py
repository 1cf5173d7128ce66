from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from repertoire.models import Service, Structure
from repertoire.views import formulaire_recherche


def accueil(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accueil.html",
        {
            "form": formulaire_recherche(),
            "nb_services": Service.objects.publies().count(),
            "nb_structures": Structure.objects.count(),
        },
    )


def sante(request: HttpRequest) -> JsonResponse:
    """Sonde du répartiteur de charge : répond 200 si la base répond."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"statut": "ok"})
