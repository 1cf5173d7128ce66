"""Pages du dossier d'accompagnement : lecture pour le pilotage du territoire de la MDPH,
écriture pour qui peut l'accompagner (`Action.ACCOMPAGNER`)."""

import datetime as dt
import itertools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accompagnement import selectors, services
from accompagnement.forms import (
    ActionForm,
    DiagnosticForm,
    EngagementForm,
    OuvertureForm,
    RenfortForm,
    SimulationForm,
)
from accompagnement.models import Accompagnement, ActionPlan, AxeDiagnostic, Diagnostic, Renfort
from accompagnement.simulation import simuler
from comptes.acces import reservee
from comptes.permissions import Action, peut
from pilotage.acces import departement_des_demandes, departements_visibles
from pilotage.tableaux_de_bord import verifier_alertes

REFUS = {"refus": "pilotage/refus.html", "connexion": reverse_lazy("pilotage:connexion")}
lire = reservee(Action.VOIR_PILOTAGE, **REFUS)
ecrire = reservee(Action.ACCOMPAGNER, **REFUS)


def _dossier(request: HttpRequest, pk: int, *, ecriture: bool = False) -> Accompagnement:
    """Le dossier, si la personne voit les demandes de sa MDPH (et peut l'accompagner)."""
    dossier = get_object_or_404(Accompagnement.objects.select_related("departement"), pk=pk)
    departement_des_demandes(request.user, dossier.departement_id)
    if ecriture and not peut(request.user, Action.ACCOMPAGNER, dossier.departement):
        raise PermissionDenied
    return dossier


@lire
def liste(request: HttpRequest) -> HttpResponse:
    """Les dossiers du territoire, et les MDPH que la règle signale en difficulté (toutes
    sources) sans dossier ouvert."""
    dossiers = Accompagnement.objects.select_related("departement")
    visibles = departements_visibles(request.user)
    if visibles is not None:
        dossiers = dossiers.filter(departement_id__in=visibles)
    _, alertes = verifier_alertes(demandes=visibles, publies=visibles)
    suivies = {d.departement_id for d in dossiers if d.fin is None}
    signalees = [
        a for a in alertes if a.regle == "mdph_en_difficulte" and a.territoire not in suivies
    ]
    return render(
        request,
        "accompagnement/liste.html",
        {
            "dossiers": dossiers,
            "signalees": signalees,
            "ecriture": peut(request.user, Action.ACCOMPAGNER),
        },
    )


@ecrire
def ouvrir(request: HttpRequest, code: str) -> HttpResponse:
    departement = departement_des_demandes(request.user, code)
    if not peut(request.user, Action.ACCOMPAGNER, departement):
        raise PermissionDenied
    form = OuvertureForm(
        request.POST or None,
        initial={"debut": dt.date.today(), "motif": request.GET.get("motif", "")},
    )
    if request.method == "POST" and form.is_valid():
        dossier = services.ouvrir_accompagnement(
            departement=departement, par=request.user, **form.cleaned_data
        )
        return redirect("accompagnement:fiche", pk=dossier.pk)
    return render(request, "accompagnement/ouvrir.html", {"departement": departement, "form": form})


def _historique(dossier: Accompagnement) -> list:
    """Les 20 derniers changements du dossier et de ses parties, du plus récent au plus ancien."""
    tables = [
        dossier.historique.all(),
        Diagnostic.historique.filter(accompagnement_id=dossier.pk),
        ActionPlan.historique.filter(accompagnement_id=dossier.pk),
        Renfort.historique.filter(accompagnement_id=dossier.pk),
    ]
    lignes = itertools.chain.from_iterable(t.select_related("history_user")[:20] for t in tables)
    return sorted(lignes, key=lambda h: h.history_date, reverse=True)[:20]


def _contexte(request: HttpRequest, dossier: Accompagnement, **formulaires) -> dict:
    ecriture = peut(request.user, Action.ACCOMPAGNER, dossier.departement)
    diagnostics = {d.axe: d for d in dossier.diagnostics.all()}
    jour = selectors.derniere_activite(dossier.departement_id)
    evaluation = (
        selectors.evaluation(departement=dossier.departement_id, debut=dossier.debut, jour=jour)
        if jour and jour >= dossier.debut
        else None
    )
    return {
        "dossier": dossier,
        "ecriture": ecriture,
        "axes": [(libelle, diagnostics.get(code)) for code, libelle in AxeDiagnostic.choices],
        "actions": dossier.actions.all(),
        "renforts": dossier.renforts.all(),
        "evaluation": evaluation,
        "publiee": selectors.evaluation_publiee(
            departement=dossier.departement_id, debut=dossier.debut
        ),
        "satisfaction": selectors.evaluation_satisfaction(
            departement=dossier.departement_id, debut=dossier.debut
        ),
        "seuil_satisfaction": settings.SATISFACTION_SEUIL_PUBLICATION,
        "historique": _historique(dossier),
        "transitions": services.TRANSITIONS,
        "engagement_form": formulaires.get("engagement_form") or EngagementForm(instance=dossier),
        "action_form": formulaires.get("action_form") or ActionForm(),
        "renfort_form": formulaires.get("renfort_form") or RenfortForm(),
    }


@lire
def fiche(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    return render(request, "accompagnement/fiche.html", _contexte(request, dossier))


def _enregistrer(request, pk, classe, nom: str, succes: str) -> HttpResponse:
    dossier = _dossier(request, pk, ecriture=True)
    instance = dossier if classe is EngagementForm else None
    form = classe(request.POST, instance=instance)
    if not form.is_valid():
        contexte = _contexte(request, dossier, **{nom: form})
        return render(request, "accompagnement/fiche.html", contexte, status=400)
    objet = form.save(commit=False)
    if instance is None:
        objet.accompagnement = dossier
    objet.save()
    messages.success(request, succes)
    return redirect("accompagnement:fiche", pk=dossier.pk)


@ecrire
@require_POST
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    return _enregistrer(request, pk, EngagementForm, "engagement_form", "Engagement enregistré.")


@ecrire
@require_POST
def ajouter_action(request: HttpRequest, pk: int) -> HttpResponse:
    return _enregistrer(request, pk, ActionForm, "action_form", "Action ajoutée au plan.")


@ecrire
@require_POST
def ajouter_renfort(request: HttpRequest, pk: int) -> HttpResponse:
    return _enregistrer(request, pk, RenfortForm, "renfort_form", "Renfort enregistré.")


@ecrire
@require_POST
def changer_etat(request: HttpRequest, pk: int, action_pk: int, transition: str) -> HttpResponse:
    dossier = _dossier(request, pk, ecriture=True)
    action = get_object_or_404(ActionPlan, pk=action_pk, accompagnement=dossier)
    try:
        services.changer_etat(action=action, transition=transition)
        messages.success(request, f"« {action.intitule} » : {action.get_etat_display()}.")
    except ValueError as erreur:
        messages.error(request, str(erreur))
    return redirect("accompagnement:fiche", pk=dossier.pk)


@ecrire
def diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk, ecriture=True)
    actuels = {
        d.axe: {"niveau": d.niveau, "commentaire": d.commentaire} for d in dossier.diagnostics.all()
    }
    form = DiagnosticForm(request.POST or None, initial_axes=actuels)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for axe, valeurs in form.axes().items():
                if valeurs["niveau"]:
                    Diagnostic.objects.update_or_create(
                        accompagnement=dossier, axe=axe, defaults=valeurs
                    )
        messages.success(request, "Diagnostic enregistré.")
        return redirect("accompagnement:fiche", pk=dossier.pk)
    return render(request, "accompagnement/diagnostic.html", {"dossier": dossier, "form": form})


@lire
def stock(request: HttpRequest, code: str) -> HttpResponse:
    """Stock par étape et prestation, et simulation des renforts au débit mesuré."""
    departement = departement_des_demandes(request.user, code)
    jour = selectors.derniere_activite(code)
    # Sans effectif saisi, les valeurs reçues (un renfort du dossier) ne font que pré-remplir.
    form = (
        SimulationForm(request.GET)
        if "etp" in request.GET
        else SimulationForm(initial=request.GET.dict())
    )
    contexte = {"departement": departement, "jour": jour, "form": form}
    if jour is None:
        return render(request, "accompagnement/stock.html", contexte)
    stock = selectors.stock_par_etape(departement=code, jour=jour)
    entetes, lignes = selectors.tableau_stock(stock)
    contexte.update(entetes=entetes, lignes=lignes)
    if form.is_bound and form.is_valid():
        debit = selectors.debit_mesure(
            departement=code, jour=jour, etp=float(form.cleaned_data["etp"])
        )
        contexte["debit"] = debit
        contexte["simulation"] = simuler(
            debit=debit,
            agents=float(form.cleaned_data["agents"]),
            mois_renfort=form.cleaned_data["mois"],
            delai_cible_mois=float(form.cleaned_data["delai_cible"]),
            depuis=jour,
        )
    return render(request, "accompagnement/stock.html", contexte)
