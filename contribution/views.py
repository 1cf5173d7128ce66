"""Pages des contributions : signaler une erreur (public), modifier une fiche (gestionnaire),
file de modération et historique (modérateur). Vues minces : permission, formulaire, service."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from comptes.acces import reservee
from comptes.permissions import Action, peut
from contribution import nouveaux_services, selectors, services, views_nouveau_service
from contribution.forms import (
    CHAMPS,
    FicheForm,
    RaisonForm,
    RetablirForm,
    SignalementForm,
    libelle,
)
from contribution.models import Proposition
from contribution.pagination import paginer
from contribution.parties import parties_de
from contribution.selectors import du_territoire
from contribution.vues_communes import (
    REFUS,
    Fiche,
    message_conflit,
    service_ou_404,
    structure_ou_404,
    url_fiche,
)
from core.acces import publique
from core.connexions import pseudonyme
from core.limitation import adresse_client
from repertoire import sous_fiches
from repertoire.ecriture import VersionPerimee
from repertoire.models import Service


def _url_historique(fiche: Fiche) -> str:
    nom = "historique-service" if isinstance(fiche, Service) else "historique-structure"
    return reverse(f"contribution:{nom}", args=[fiche.pk])


def _exiger(request: HttpRequest, action: Action, fiche: Fiche) -> None:
    if not peut(request.user, action, fiche):
        raise PermissionDenied


# --- Signaler une erreur (public) -------------------------------------------------------------


@publique("« Signaler une erreur » est ouvert à tous, sans compte (anti-abus sans tiers)")
def signaler_structure(request: HttpRequest, pk: int) -> HttpResponse:
    return _signaler(request, structure_ou_404(pk))


@publique("« Signaler une erreur » est ouvert à tous, sans compte (anti-abus sans tiers)")
def signaler_service(request: HttpRequest, pk: int) -> HttpResponse:
    return _signaler(request, get_object_or_404(Service.objects.publies(), pk=pk))


def _signaler(request: HttpRequest, fiche: Fiche) -> HttpResponse:
    form = SignalementForm(request.POST or None)
    contexte: dict[str, Any] = {"fiche": fiche, "url_fiche": url_fiche(fiche), "form": form}
    if request.method != "POST":
        return render(request, "contribution/signaler.html", contexte)
    client = pseudonyme(adresse_client(request), usage="signalement")
    if services.debit_depasse(client):
        return render(request, "contribution/trop_de_signalements.html", contexte, status=429)
    if not form.is_valid():
        return render(request, "contribution/signaler.html", contexte, status=400)
    if form.est_un_robot():
        contexte["enregistre"] = True  # rien n'est dit au robot : il croit avoir réussi
        return render(request, "contribution/merci.html", contexte)
    signalement = services.signaler(
        fiche=fiche,
        motif=form.cleaned_data["motif"],
        texte=form.cleaned_data["texte"],
        courriel=form.cleaned_data["courriel"],
        client=client,
    )
    contexte["enregistre"] = signalement is not None
    return render(request, "contribution/merci.html", contexte)


# --- Modifier une fiche (gestionnaire) --------------------------------------------------------


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def modifier_structure(request: HttpRequest, pk: int) -> HttpResponse:
    return _modifier(request, structure_ou_404(pk))


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def modifier_service(request: HttpRequest, pk: int) -> HttpResponse:
    return _modifier(request, service_ou_404(pk))


def _modifier(request: HttpRequest, fiche: Fiche) -> HttpResponse:
    _exiger(request, Action.MODIFIER_FICHE, fiche)
    form = FicheForm(request.POST or None, fiche=fiche)
    mode = services.mode_de_moderation(fiche)
    contexte = {
        "fiche": fiche,
        "url_fiche": url_fiche(fiche),
        "form": form,
        "mode": mode,
        "partie": "presentation",
        "titre": "Présentation",
        "parties": parties_de(fiche),
    }
    if request.method == "POST" and form.is_valid():
        try:
            resultat = services.modifier_par_gestionnaire(
                fiche=fiche,
                valeurs=form.valeurs(),
                version_lue=form.cleaned_data["version_lue"],
                par=request.user,
            )
        except VersionPerimee:
            form.add_error(None, message_conflit(fiche))
        except services.ContributionRefusee as refus:
            form.add_error(None, str(refus))
        else:
            if resultat.publiee:
                messages.success(
                    request, "Vos modifications sont publiées ; un modérateur les relira."
                )
            else:
                messages.success(
                    request,
                    "Vos modifications sont enregistrées : elles seront publiées après la "
                    "relecture d'un modérateur.",
                )
            return redirect(url_fiche(fiche))
    statut = 400 if form.errors else 200
    return render(request, "contribution/modifier.html", contexte, status=statut)


# --- Modération -------------------------------------------------------------------------------


@reservee(Action.MODERER, refus=REFUS)
def file_moderation(request: HttpRequest) -> HttpResponse:
    """Les propositions et signalements ouverts dont la fiche est dans le territoire du
    modérateur (`peut(…, MODERER, fiche)`), chaque liste en pages de 50."""
    propositions = paginer(
        request,
        du_territoire(request.user, selectors.propositions().ouvertes()),
        parametre="page_p",
    )
    signalements = paginer(
        request,
        du_territoire(request.user, selectors.signalements().a_traiter()),
        parametre="page_s",
    )
    return render(
        request,
        "contribution/file.html",
        {
            "propositions": [(p, _lignes_diff(p)) for p in propositions.elements],
            "signalements": signalements.elements,
            "pagination_p": propositions,
            "pagination_s": signalements,
        },
    )


def _lignes_diff(proposition: Proposition) -> list[dict[str, Any]]:
    """Champ, avant, après ; pour une liste (horaires, contacts, lieux, liens), seulement les
    éléments retirés (avant) et ajoutés (après), chacun sur sa ligne."""
    if proposition.est_un_nouveau_service:
        return nouveaux_services.lignes(proposition)
    lignes = []
    for champ, v in proposition.diff.items():
        avant, apres = v["avant"], v["apres"]
        if isinstance(avant, list) and isinstance(apres, list):
            avant, apres = (
                [a for a in avant if a not in apres],
                [a for a in apres if a not in avant],
            )
        lignes.append(
            {
                "champ": libelle(type(proposition.fiche), champ),
                "avant": "\n".join(sous_fiches.en_mots(champ, avant)),
                "apres": "\n".join(sous_fiches.en_mots(champ, apres)),
                "liste": isinstance(apres, list),
            }
        )
    return lignes


@reservee(Action.MODERER, refus=REFUS)
def proposition(request: HttpRequest, pk: int) -> HttpResponse:
    """Accepter, refuser avec une raison, ou modifier puis accepter."""
    prop = get_object_or_404(selectors.propositions(), pk=pk)
    if prop.est_un_nouveau_service:
        return views_nouveau_service.decider(request, prop)
    fiche = prop.fiche
    _exiger(request, Action.MODERER, fiche)
    action = request.POST.get("action") if request.method == "POST" else None
    donnees = request.POST if action else None
    refus = RaisonForm(donnees if action == "refuser" else None)
    edition = _edition(prop, donnees if action == "modifier" else None)
    try:
        if action == "accepter":
            services.accepter(proposition=prop, par=request.user)
            return _fait(request, "Proposition acceptée : la fiche est à jour.")
        if action == "refuser" and refus.is_valid():
            services.refuser(
                proposition=prop, par=request.user, raison=refus.cleaned_data["raison"]
            )
            return _fait(request, "Proposition refusée ; son auteur en est informé.")
        if action == "modifier" and edition is not None and edition.is_valid():
            services.accepter(
                proposition=prop,
                par=request.user,
                valeurs=edition.valeurs(),
                version_lue=edition.cleaned_data["version_lue"],
            )
            return _fait(request, "Proposition modifiée puis acceptée : la fiche est à jour.")
    except services.ContributionRefusee as refusee:
        messages.error(request, str(refusee))
        return redirect("contribution:proposition", pk=prop.pk)
    contexte = {
        "proposition": prop,
        "fiche": fiche,
        "url_fiche": url_fiche(fiche),
        "url_historique": _url_historique(fiche),
        "lignes": _lignes_diff(prop),
        "perimee": fiche.version != (prop.version_publiee or prop.version_lue),
        "refus": refus,
        "edition": edition,
    }
    statut = 400 if action and (refus.errors or (edition and edition.errors)) else 200
    return render(request, "contribution/proposition.html", contexte, status=statut)


def _edition(prop: Proposition, donnees: Any) -> FicheForm | None:
    """« Modifier puis accepter » : les champs proposés, partant de la fiche d'aujourd'hui
    avec les valeurs proposées ; pas pour les horaires, contacts et lieux (accepter ou
    refuser, puis modifier la fiche)."""
    fiche = prop.fiche
    ensembles = sous_fiches.noms(fiche) - set(sous_fiches.LIENS[type(fiche)])
    if ensembles & set(prop.diff):
        return None
    principaux = CHAMPS[type(fiche)]
    champs = principaux if set(prop.diff) <= set(principaux) else list(prop.diff)
    form = FicheForm(fiche=fiche, champs=champs)
    initial = {**form.initial, **prop.apres()}
    return FicheForm(donnees, fiche=fiche, champs=champs, initial=initial)


def _fait(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("contribution:file")


@reservee(Action.MODERER, refus=REFUS)
def signalement(request: HttpRequest, pk: int) -> HttpResponse:
    """Corriger la fiche signalée (une proposition aussitôt acceptée) ou classer sans suite."""
    sig = get_object_or_404(selectors.signalements(), pk=pk)
    fiche = sig.fiche
    _exiger(request, Action.MODERER, fiche)
    action = request.POST.get("action") if request.method == "POST" else None
    correction = FicheForm(request.POST if action == "corriger" else None, fiche=fiche)
    classement = RaisonForm(request.POST if action == "classer" else None)
    try:
        if action == "corriger" and correction.is_valid():
            services.corriger_depuis_signalement(
                signalement=sig,
                valeurs=correction.valeurs(),
                version_lue=correction.cleaned_data["version_lue"],
                par=request.user,
            )
            return _fait(request, "Fiche corrigée ; l'auteur du signalement en est informé.")
        if action == "classer" and classement.is_valid():
            services.classer_signalement(
                signalement=sig, par=request.user, reponse=classement.cleaned_data["raison"]
            )
            return _fait(request, "Signalement classé sans suite.")
    except VersionPerimee:
        correction.add_error(None, message_conflit(fiche))
    except services.ContributionRefusee as refusee:
        messages.error(request, str(refusee))
        return redirect("contribution:signalement", pk=sig.pk)
    contexte = {
        "signalement": sig,
        "fiche": fiche,
        "url_fiche": url_fiche(fiche),
        "url_historique": _url_historique(fiche),
        "correction": correction,
        "classement": classement,
    }
    statut = 400 if action else 200
    return render(request, "contribution/signalement.html", contexte, status=statut)


# --- Historique -------------------------------------------------------------------------------


@reservee(Action.MODERER, refus=REFUS)
def historique_structure(request: HttpRequest, pk: int) -> HttpResponse:
    return _historique(request, structure_ou_404(pk))


@reservee(Action.MODERER, refus=REFUS)
def historique_service(request: HttpRequest, pk: int) -> HttpResponse:
    return _historique(request, service_ou_404(pk))


def _historique(request: HttpRequest, fiche: Fiche) -> HttpResponse:
    """Chaque version de la fiche (qui, quand, quoi) ; « Rétablir cette version »."""
    _exiger(request, Action.MODERER, fiche)
    form = RetablirForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retablir(
                fiche=fiche,
                history_id=form.cleaned_data["history_id"],
                version_lue=form.cleaned_data["version_lue"],
                par=request.user,
            )
        except services.ContributionRefusee as refusee:
            messages.error(request, str(refusee))
        else:
            messages.success(request, "Version rétablie : la fiche a repris ces valeurs.")
        return redirect(request.path)
    return render(
        request,
        "contribution/historique.html",
        {"fiche": fiche, "url_fiche": url_fiche(fiche), "versions": _versions(fiche)},
    )


def _versions(fiche: Fiche) -> list[dict[str, Any]]:
    """Chaque ligne d'historique, avec ses champs changés (ancien → nouveau) et, quand la
    porte les a gardés, ses horaires, fermetures, permanences et contacts changés."""
    lignes = list(fiche.history.select_related("history_user").order_by("-history_date"))
    etats = sous_fiches.etats_gardes(fiche)
    versions = []
    for ligne, precedente in zip(lignes, [*lignes[1:], None], strict=True):
        changements = []
        if precedente is not None:
            delta = ligne.diff_against(
                precedente, excluded_fields=["modifie_le", "champs_corriges"]
            )
            changements = [(c.field, c.old, c.new) for c in delta.changes]
            changements += _sous_fiches_changees(
                type(fiche), etats.get(precedente.version), etats.get(ligne.version)
            )
        versions.append({"ligne": ligne, "changements": changements})
    return versions


def _sous_fiches_changees(modele: type, avant: dict | None, apres: dict | None) -> list[tuple]:
    if avant is None or apres is None:
        return []
    changements = []
    for nom, lignes in apres.items():
        anciennes = avant.get(nom, [])
        retirees = [a for a in anciennes if a not in lignes]
        ajoutees = [a for a in lignes if a not in anciennes]
        if retirees or ajoutees:
            changements.append(
                (
                    libelle(modele, nom),
                    " ; ".join(sous_fiches.en_mots(nom, retirees)),
                    " ; ".join(sous_fiches.en_mots(nom, ajoutees)),
                )
            )
    return changements
