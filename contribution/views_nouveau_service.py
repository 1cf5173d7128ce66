"""Pages d'un nouveau service proposé (issue 11, § 1) : choisir la structure, proposer, lire la
confirmation (l'auteur) ; accepter, modifier puis accepter, ou refuser (le modérateur, depuis
la page d'une proposition). Vues minces : permission, formulaire, `nouveaux_services`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from comptes.acces import reservee
from comptes.permissions import Action, peut
from contribution import nouveaux_services
from contribution.forms import RaisonForm
from contribution.forms_nouveau_service import ChoixStructureForm, NouveauServiceForm
from contribution.models import Proposition
from contribution.services import ContributionRefusee
from repertoire.models import Structure
from repertoire.views import url_service, url_structure

REFUS = "contribution/interdit.html"


@reservee(Action.PROPOSER_SERVICE, refus=REFUS)
def choisir_structure(request: HttpRequest) -> HttpResponse:
    """Les structures de son institution ou de son territoire ; une fois choisie, le
    formulaire de la structure (un GET : l'adresse se partage, sans JavaScript)."""
    nom = request.GET.get("nom", "")
    structures = nouveaux_services.structures_proposables(request.user, nom=nom)
    form = ChoixStructureForm(request.GET or None, structures=structures)
    if form.is_valid() and form.cleaned_data["structure"]:
        return redirect("contribution:proposer-service", pk=form.cleaned_data["structure"])
    contexte = {
        "form": form,
        "structures": structures,
        "trop": len(structures) >= nouveaux_services.STRUCTURES_AU_PLUS,
        "nom": nom,
    }
    return render(request, "contribution/proposer_service_choix.html", contexte)


@reservee(Action.PROPOSER_SERVICE, refus=REFUS)
def proposer_service(request: HttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.prefetch_related("lieux"), pk=pk)
    if not nouveaux_services.peut_proposer(request.user, structure):
        raise PermissionDenied
    form = NouveauServiceForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        proposition = nouveaux_services.proposer_un_service(
            structure=structure, valeurs=form.valeurs(), auteur=request.user
        )
        return redirect("contribution:service-propose", pk=proposition.pk)
    contexte = {"structure": structure, "url_structure": url_structure(structure), "form": form}
    statut = 400 if form.errors else 200
    return render(request, "contribution/proposer_service.html", contexte, status=statut)


@reservee(Action.PROPOSER_SERVICE, refus=REFUS)
def service_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """La confirmation, lue par l'auteur seul (après l'envoi, ou plus tard par son lien)."""
    proposition = get_object_or_404(
        Proposition.objects.select_related("structure", "service"),
        pk=pk,
        origine=Proposition.Origine.NOUVEAU_SERVICE,
        auteur=request.user,
    )
    contexte = {
        "proposition": proposition,
        "nom": proposition.apres().get("nom", ""),
        "url_structure": url_structure(proposition.structure),
        "url_service": url_service(proposition.service) if proposition.service_id else "",
    }
    return render(request, "contribution/service_propose.html", contexte)


def decider(request: HttpRequest, proposition: Proposition) -> HttpResponse:
    """Pour `views.proposition` (déjà `reservee(MODERER)`) : le modérateur du territoire de la
    structure accepte, modifie puis accepte, ou refuse avec une raison."""
    structure = proposition.structure
    if not peut(request.user, Action.MODERER, structure):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    refus = RaisonForm(request.POST if action == "refuser" else None)
    edition = NouveauServiceForm.depuis(
        proposition.apres(),
        structure=structure,
        data=request.POST if action == "modifier" else None,
    )
    try:
        if action == "accepter":
            nouveaux_services.accepter_un_service(proposition=proposition, par=request.user)
            return _fait(request, "Proposition acceptée : le service est publié.")
        if action == "refuser" and refus.is_valid():
            nouveaux_services.refuser_un_service(
                proposition=proposition, par=request.user, raison=refus.cleaned_data["raison"]
            )
            return _fait(request, "Proposition refusée ; son auteur en est informé.")
        if action == "modifier" and edition.is_valid():
            nouveaux_services.accepter_un_service(
                proposition=proposition, par=request.user, valeurs=edition.valeurs()
            )
            return _fait(request, "Proposition modifiée puis acceptée : le service est publié.")
    except ContributionRefusee as refusee:
        messages.error(request, str(refusee))
        return redirect("contribution:proposition", pk=proposition.pk)
    contexte = {
        "proposition": proposition,
        "structure": structure,
        "url_structure": url_structure(structure),
        "url_service": url_service(proposition.service) if proposition.service_id else "",
        "lignes": nouveaux_services.lignes(proposition),
        "refus": refus,
        "edition": edition,
    }
    statut = 400 if action and (refus.errors or edition.errors) else 200
    return render(request, "contribution/nouveau_service.html", contexte, status=statut)


def _fait(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("contribution:file")
