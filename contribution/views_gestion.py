"""Les pages d'un gestionnaire de structure : ses fiches, puis chaque partie d'une fiche
(pour qui et comment, horaires, fermetures, permanences, contacts, lieux) dans un formulaire
accessible, sans JavaScript. Tout passe par `services.modifier_par_gestionnaire` : publié
tout de suite ou retenu jusqu'à relecture, selon le territoire."""

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from comptes.acces import reservee
from comptes.models import Role
from comptes.permissions import Action, peut
from contribution import forms, services
from contribution.parties import PARTIES_SERVICE, PARTIES_STRUCTURE, parties_de
from contribution.vues_communes import (
    REFUS,
    Fiche,
    message_conflit,
    service_ou_404,
    structure_ou_404,
    url_fiche,
)
from repertoire import sous_fiches
from repertoire.ecriture import VersionPerimee
from repertoire.models import Lieu, Service, Structure

NOMS_DE_LIGNE = {
    "plages": "Créneau",
    "exceptions": "Période",
    "permanences": "Permanence",
    "contacts": "Contact",
}


def enregistrer(
    request: HttpRequest, fiche: Fiche, valeurs: dict[str, Any], version_lue: int
) -> str | None:
    """Écrit (ou retient) la modification ; None si c'est fait, sinon l'erreur à montrer."""
    try:
        resultat = services.modifier_par_gestionnaire(
            fiche=fiche, valeurs=valeurs, version_lue=version_lue, par=request.user
        )
    except VersionPerimee:
        return message_conflit(fiche)
    except services.ContributionRefusee as refus:
        return str(refus)
    if resultat.publiee:
        messages.success(request, "Vos modifications sont publiées ; un modérateur les relira.")
    else:
        messages.success(
            request,
            "Vos modifications sont enregistrées : elles seront publiées après la relecture "
            "d'un modérateur.",
        )
    return None


def _exiger(request: HttpRequest, fiche: Any) -> None:
    if not peut(request.user, Action.MODIFIER_FICHE, fiche):
        raise PermissionDenied


def _contexte(fiche: Fiche, partie: str, titre: str) -> dict[str, Any]:
    return {
        "fiche": fiche,
        "url_fiche": url_fiche(fiche),
        "partie": partie,
        "titre": titre,
        "parties": parties_de(fiche),
        "mode": services.mode_de_moderation(fiche),
    }


# --- Mes fiches -------------------------------------------------------------------------------


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def mes_fiches(request: HttpRequest) -> HttpResponse:
    """Les structures des institutions où la personne est gestionnaire, et leurs services."""
    institutions = Role.objects.actifs().filter(utilisateur=request.user).values("institution")
    structures = _structures_de(institutions)
    return render(request, "contribution/mes_fiches.html", {"structures": structures})


def _structures_de(institutions: QuerySet) -> list[Structure]:
    services = Service.objects.exclude(statut=Service.Statut.ARCHIVE).order_by("nom")
    return list(
        Structure.objects.filter(institution__in=institutions)
        .prefetch_related(Prefetch("services", queryset=services))
        .order_by("nom")
    )


# --- Une partie d'une fiche -------------------------------------------------------------------


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def modifier_partie_service(request: HttpRequest, pk: int, partie: str) -> HttpResponse:
    if partie not in PARTIES_SERVICE:
        raise Http404
    service = service_ou_404(pk)
    _exiger(request, service)
    if partie == "acces":
        return _modifier_champs(request, service, partie, forms.CHAMPS_ACCES)
    nom = "plages" if partie == "horaires" else partie
    return _modifier_ensemble(request, service, partie, nom)


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def modifier_partie_structure(request: HttpRequest, pk: int, partie: str) -> HttpResponse:
    if partie != "contacts":
        raise Http404
    structure = structure_ou_404(pk)
    _exiger(request, structure)
    return _modifier_ensemble(request, structure, partie, "contacts")


def _modifier_champs(
    request: HttpRequest, fiche: Fiche, partie: str, champs: list[str]
) -> HttpResponse:
    form = forms.FicheForm(request.POST or None, fiche=fiche, champs=champs)
    if request.method == "POST" and form.is_valid():
        erreur = enregistrer(request, fiche, form.valeurs(), form.cleaned_data["version_lue"])
        if erreur is None:
            return redirect(url_fiche(fiche))
        form.add_error(None, erreur)
    contexte = {**_contexte(fiche, partie, PARTIES_SERVICE[partie]), "form": form}
    return render(request, "contribution/modifier.html", contexte, status=_statut(form))


def _modifier_ensemble(request: HttpRequest, fiche: Fiche, partie: str, nom: str) -> HttpResponse:
    """Une ligne par élément (créneau, fermeture, permanence, contact), deux lignes vides pour
    en ajouter ; « Supprimer cette ligne » pour en retirer. Sans JavaScript : pour ajouter
    plus de deux lignes, enregistrer puis revenir."""
    donnees = request.POST or None
    entete = (forms.HorairesForm if nom == "plages" else forms.VersionForm)(donnees, fiche=fiche)
    lignes = forms.ensemble_formset(forms.FORMULAIRES_DES_ENSEMBLES[nom])(
        donnees,
        initial=sous_fiches.lire(fiche, nom),
        prefix=nom,
        form_kwargs={"lieux": _lieux_de(fiche)},
    )
    if request.method == "POST" and entete.is_valid() and lignes.is_valid():
        valeurs = {**entete.valeurs(), nom: lignes.lignes()}
        erreur = enregistrer(request, fiche, valeurs, entete.cleaned_data["version_lue"])
        if erreur is None:
            return redirect(request.path)
        entete.add_error(None, erreur)
    titres = PARTIES_SERVICE if isinstance(fiche, Service) else PARTIES_STRUCTURE
    contexte = {
        **_contexte(fiche, partie, titres[partie]),
        "form": entete,
        "lignes": lignes,
        "nom_de_ligne": NOMS_DE_LIGNE[nom],
    }
    statut = 400 if entete.errors or lignes.total_error_count() else 200
    return render(request, "contribution/modifier_ensemble.html", contexte, status=statut)


def _lieux_de(fiche: Fiche) -> QuerySet[Lieu]:
    structure = fiche.structure if isinstance(fiche, Service) else fiche
    return Lieu.objects.filter(structure=structure).order_by("nom")


def _statut(form: djforms.Form) -> int:
    return 400 if form.errors else 200


# --- Lieux d'une structure --------------------------------------------------------------------


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def lieux(request: HttpRequest, pk: int) -> HttpResponse:
    structure = structure_ou_404(pk)
    _exiger(request, structure)
    contexte = {**_contexte(structure, "lieux", "Lieux"), "lieux": structure.lieux.all()}
    return render(request, "contribution/lieux.html", contexte)


@reservee(Action.MODIFIER_FICHE, refus=REFUS)
def modifier_lieu(request: HttpRequest, pk: int, lieu: int | None = None) -> HttpResponse:
    """Modifier un lieu (ou en ajouter un) : une sous-fiche de la structure, écrite par la
    porte comme fiche (sa version, son historique) ; la structure change aussi de version."""
    structure = structure_ou_404(pk)
    _exiger(request, structure)
    instance = get_object_or_404(structure.lieux, pk=lieu) if lieu else Lieu(structure=structure)
    form = forms.LieuForm(request.POST or None, lieu=instance)
    entete = forms.VersionForm(request.POST or None, fiche=structure)
    if request.method == "POST" and form.is_valid() and entete.is_valid():
        voulus = _lieux_voulus(structure, form.ligne())
        erreur = enregistrer(
            request,
            structure,
            {"lieux_de_la_structure": voulus},
            entete.cleaned_data["version_lue"],
        )
        if erreur is None:
            return redirect("contribution:lieux", pk=structure.pk)
        form.add_error(None, erreur)
    titre = f"Modifier le lieu « {instance.nom} »" if lieu else "Ajouter un lieu"
    contexte = {**_contexte(structure, "lieux", titre), "form": form, "entete": entete}
    statut = 400 if form.errors or entete.errors else 200
    return render(request, "contribution/modifier_lieu.html", contexte, status=statut)


def _lieux_voulus(structure: Structure, ligne: dict[str, Any]) -> list[dict[str, Any]]:
    """Tous les lieux tels qu'ils sont, celui-ci remplacé (ou ajouté à la fin)."""
    actuels = sous_fiches.lire(structure, "lieux_de_la_structure")
    if ligne.get("id") is None:
        return [*actuels, ligne]
    return [ligne if actuel["id"] == ligne["id"] else actuel for actuel in actuels]
