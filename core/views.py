import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string

from core.acces import publique

journal = logging.getLogger(__name__)


@publique("sonde du répartiteur de charge : dit seulement si le site répond")
def sante(request: HttpRequest) -> JsonResponse:
    """Sonde du répartiteur de charge : 200 si la base répond et si une page se rend.

    Une base qui répond ne suffit pas : sans fichiers statiques collectés (ou avec un manifeste
    incomplet), chaque page HTML répond 500 alors que l'API reste saine. La sonde rend donc le
    gabarit de base avec tous les fichiers statiques que les pages demandent, et répond 503
    sinon, pour que le répartiteur retire ce processus.
    """
    for controle, verifier in (("base", _base_repond), ("pages", _page_se_rend)):
        try:
            verifier(request)
        except Exception:
            journal.exception("Sonde de santé : le contrôle « %s » échoue.", controle)
            return JsonResponse({"statut": "erreur", "controle": controle}, status=503)
    return JsonResponse({"statut": "ok"})


def _base_repond(request: HttpRequest) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _page_se_rend(request: HttpRequest) -> None:
    render_to_string("core/sante.html", request=request)
