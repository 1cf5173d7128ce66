"""Pages des modérateurs : les doublons possibles de leur territoire (structures et services),
fusion ou « distincts »."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comptes.acces import reservee
from comptes.permissions import Action, peut
from doublons.models import Candidat, CandidatStructure, Paire
from doublons.services import DejaTranche, declarer_distincts, fusionner, fusionner_structures
from repertoire.models import Lieu, Service, Structure

PAR_PAGE = 20


def _lieux() -> Prefetch:
    return Prefetch("lieux", Lieu.objects.select_related("commune"))


def _services_affiches() -> QuerySet[Service]:
    return Service.objects.select_related("structure").prefetch_related(
        _lieux(), "zones", "provenances"
    )


def _structures_affichees() -> QuerySet[Structure]:
    return Structure.objects.prefetch_related(
        _lieux(),
        "provenances",
        Prefetch("services", Service.objects.only("pk", "nom", "structure")),
    )


# Par nature de fiche : les fiches affichées, le champ qui mène à la fiche gardée, la fusion.
AFFICHEES: dict[type, Callable[[], QuerySet]] = {
    Service: _services_affiches,
    Structure: _structures_affichees,
}
FUSIONNEE_DANS = {Service: "fusionne_dans", Structure: "fusionnee_dans"}
FUSIONNER = {Candidat: fusionner, CandidatStructure: fusionner_structures}


def _paires(paire: type[Paire], fiches: QuerySet) -> QuerySet[Paire]:
    a, b = paire.FICHES
    return paire.objects.a_examiner().prefetch_related(Prefetch(a, fiches), Prefetch(b, fiches))


def _peut_trancher(utilisateur, candidat: Paire, memoire: dict | None = None) -> bool:
    """Un modérateur tranche une paire dont il modère les deux fiches. `memoire` : la réponse
    par territoire, pour qu'une liste ne pose qu'une question par commune (et non par fiche)."""
    memoire = {} if memoire is None else memoire
    for fiche in candidat.fiches:
        territoire = fiche.territoire_pour_permissions()
        if territoire not in memoire:
            memoire[territoire] = peut(utilisateur, Action.MODERER, territoire)
        if not memoire[territoire]:
            return False
    return True


@reservee(Action.MODERER)
def liste(request: HttpRequest) -> HttpResponse:
    """Les structures en double d'abord (moins nombreuses, et leur fusion rapproche ensuite
    leurs services), puis les services."""
    memoire: dict = {}
    toutes = [
        *_paires(CandidatStructure, _structures_affichees()),
        *_paires(Candidat, _services_affiches()),
    ]
    candidats = [c for c in toutes if _peut_trancher(request.user, c, memoire)]
    page = Paginator(candidats, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "doublons/liste.html", {"page": page, "total": len(candidats)})


def _candidat_a_trancher(request: HttpRequest, pk: int, paire: type[Paire]) -> Paire:
    candidat = get_object_or_404(paire.objects.select_related(*paire.FICHES), pk=pk)
    if not _peut_trancher(request.user, candidat):
        raise PermissionDenied
    return candidat


@reservee(Action.MODERER)
@require_POST
def fusion(request: HttpRequest, pk: int, paire: type[Paire] = Candidat) -> HttpResponse:
    candidat = _candidat_a_trancher(request, pk, paire)
    choix = request.POST.get("gardee", "")
    fiches = {str(fiche.pk): fiche for fiche in candidat.fiches}
    if choix not in fiches:
        messages.error(request, "Choisissez la fiche à garder.")
        return redirect("doublons:liste")
    try:
        absorbee = FUSIONNER[paire](candidat=candidat, gardee=fiches[choix], par=request.user)
    except DejaTranche as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"« {absorbee.nom} » est fusionnée dans « {fiches[choix].nom} » : son adresse "
            "redirige vers la fiche gardée, son historique reste lisible.",
        )
    return redirect("doublons:liste")


@reservee(Action.MODERER)
@require_POST
def distincts(request: HttpRequest, pk: int, paire: type[Paire] = Candidat) -> HttpResponse:
    candidat = _candidat_a_trancher(request, pk, paire)
    try:
        declarer_distincts(candidat=candidat, par=request.user)
    except DejaTranche as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "C'est noté : ces deux fiches ne seront plus proposées.")
    return redirect("doublons:liste")


@reservee(Action.MODERER)
def historique(
    request: HttpRequest, pk: int, modele: type[Service] | type[Structure] = Service
) -> HttpResponse:
    """L'historique d'une fiche et celui de chaque fiche fusionnée dans elle."""
    fiche = get_object_or_404(AFFICHEES[modele](), pk=pk)
    if not peut(request.user, Action.MODERER, fiche):
        raise PermissionDenied
    absorbees = modele.objects.filter(**{FUSIONNEE_DANS[modele]: fiche}).order_by("pk")
    return render(
        request,
        "doublons/historique.html",
        {
            "fiche": fiche,
            "avec_statut": modele is Service,  # une structure n'a pas de statut de publication
            "historiques": [
                (une, une.history.select_related("history_user").order_by("-history_date"))
                for une in [fiche, *absorbees]
            ],
        },
    )
