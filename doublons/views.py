"""Pages des modérateurs : les doublons possibles de leur territoire, fusion ou « distincts »."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comptes.acces import reservee
from comptes.permissions import Action, peut
from doublons.models import Candidat
from doublons.services import DejaTranche, declarer_distincts, fusionner
from repertoire.models import Lieu, Service

PAR_PAGE = 20


def _services_affiches():
    return Service.objects.select_related("structure").prefetch_related(
        Prefetch("lieux", Lieu.objects.select_related("commune")), "zones", "provenances"
    )


def _candidats():
    services = _services_affiches()
    return Candidat.objects.a_examiner().prefetch_related(
        Prefetch("service_a", services), Prefetch("service_b", services)
    )


def _peut_trancher(utilisateur, candidat: Candidat, memoire: dict | None = None) -> bool:
    """Un modérateur tranche une paire dont il modère les deux fiches. `memoire` : la réponse
    par territoire, pour qu'une liste ne pose qu'une question par commune (et non par fiche)."""
    memoire = {} if memoire is None else memoire
    for service in (candidat.service_a, candidat.service_b):
        territoire = service.territoire_pour_permissions()
        if territoire not in memoire:
            memoire[territoire] = peut(utilisateur, Action.MODERER, territoire)
        if not memoire[territoire]:
            return False
    return True


@reservee(Action.MODERER)
def liste(request: HttpRequest) -> HttpResponse:
    memoire: dict = {}
    candidats = [c for c in _candidats() if _peut_trancher(request.user, c, memoire)]
    page = Paginator(candidats, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "doublons/liste.html", {"page": page, "total": len(candidats)})


def _candidat_a_trancher(request: HttpRequest, pk: int) -> Candidat:
    candidat = get_object_or_404(Candidat.objects.select_related("service_a", "service_b"), pk=pk)
    if not _peut_trancher(request.user, candidat):
        raise PermissionDenied
    return candidat


@reservee(Action.MODERER)
@require_POST
def fusion(request: HttpRequest, pk: int) -> HttpResponse:
    candidat = _candidat_a_trancher(request, pk)
    choix = request.POST.get("gardee", "")
    paire = {
        str(candidat.service_a_id): candidat.service_a,
        str(candidat.service_b_id): candidat.service_b,
    }
    if choix not in paire:
        messages.error(request, "Choisissez la fiche à garder.")
        return redirect("doublons:liste")
    try:
        absorbee = fusionner(candidat=candidat, gardee=paire[choix], par=request.user)
    except DejaTranche as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"« {absorbee.nom} » est fusionnée dans « {paire[choix].nom} » : son adresse "
            "redirige vers la fiche gardée, son historique reste lisible.",
        )
    return redirect("doublons:liste")


@reservee(Action.MODERER)
@require_POST
def distincts(request: HttpRequest, pk: int) -> HttpResponse:
    candidat = _candidat_a_trancher(request, pk)
    try:
        declarer_distincts(candidat=candidat, par=request.user)
    except DejaTranche as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "C'est noté : ces deux fiches ne seront plus proposées.")
    return redirect("doublons:liste")


@reservee(Action.MODERER)
def historique(request: HttpRequest, pk: int) -> HttpResponse:
    """L'historique d'une fiche et celui de chaque fiche fusionnée dans elle."""
    service = get_object_or_404(_services_affiches(), pk=pk)
    if not peut(request.user, Action.MODERER, service):
        raise PermissionDenied
    fiches = [service, *service.absorbes.order_by("pk")]
    return render(
        request,
        "doublons/historique.html",
        {
            "service": service,
            "historiques": [
                (fiche, fiche.history.select_related("history_user").order_by("-history_date"))
                for fiche in fiches
            ],
        },
    )
