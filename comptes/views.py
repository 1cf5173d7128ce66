"""Pages des comptes : connexion (et code à usage unique), mon compte, double facteur,
invitations. Minces : la décision est dans `permissions`, `double_facteur` et `services`."""

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from comptes import double_facteur, services
from comptes.acces import reservee
from comptes.forms import ActivationForm, CodeForm, ConnexionForm, InvitationForm, MotDePasseForm
from comptes.middleware import marquer_ouverture
from comptes.models import Invitation, Role
from comptes.permissions import Action, peut
from core.acces import publique

# Entre le mot de passe et le code : qui attend, par quel moteur, depuis quand.
EN_ATTENTE = "comptes_connexion_en_attente"
ATTENTE_MAX_SECONDES = 300


def _suivante(request: HttpRequest, defaut: str) -> str:
    """La page où aller ensuite : `next` si elle est de ce site, sinon `defaut` (nom d'URL)."""
    cible = request.POST.get("next") or request.GET.get("next") or ""
    sure = url_has_allowed_host_and_scheme(
        cible, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return cible if sure else reverse(defaut)


def _ouvrir_session(request: HttpRequest, utilisateur: Any) -> None:
    login(request, utilisateur)
    marquer_ouverture(request)


@publique("la page de connexion")
def connexion(request: HttpRequest, suite: str = "comptes:mon_compte") -> HttpResponse:
    """Adresse et mot de passe ; puis le code si le compte a un double facteur."""
    suivante = _suivante(request, suite)
    form = ConnexionForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        utilisateur = form.get_user()
        if double_facteur.est_active(utilisateur):
            request.session[EN_ATTENTE] = {
                "id": utilisateur.pk,
                "moteur": utilisateur.backend,
                "le": time.time(),
            }
            code = reverse("comptes:double_facteur_code")
            return HttpResponseRedirect(f"{code}?{_next(suivante)}")
        _ouvrir_session(request, utilisateur)
        return HttpResponseRedirect(suivante)
    contexte = {"form": form, "next": suivante}
    return render(request, "comptes/connexion.html", contexte)


def _next(suivante: str) -> str:
    return urlencode({"next": suivante})


def _en_attente(request: HttpRequest) -> Any:
    """La personne qui a donné son mot de passe et doit encore donner son code."""
    attente = request.session.get(EN_ATTENTE)
    if not attente or time.time() - attente["le"] > ATTENTE_MAX_SECONDES:
        return None
    utilisateur = get_user_model()._default_manager.filter(pk=attente["id"]).first()
    if utilisateur is None or not utilisateur.is_active:
        return None
    utilisateur.backend = attente["moteur"]
    return utilisateur


@publique("deuxième étape de la connexion (la personne n'est pas encore connectée)")
def double_facteur_code(request: HttpRequest) -> HttpResponse:
    """Deuxième étape : le code de l'application, ou un code de secours."""
    suivante = _suivante(request, "comptes:mon_compte")
    connecte = request.user.is_authenticated
    utilisateur = request.user if connecte else _en_attente(request)
    if utilisateur is None:
        messages.info(request, "Votre connexion a expiré : recommencez, s'il vous plaît.")
        return redirect(f"{reverse('comptes:connexion')}?{_next(suivante)}")
    if not double_facteur.est_active(utilisateur):
        return redirect(f"{reverse('comptes:double_facteur_activer')}?{_next(suivante)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil, freine = double_facteur.verifier(utilisateur, form.cleaned_data["code"])
        if appareil is not None:
            if not connecte:
                _ouvrir_session(request, utilisateur)
            request.session.pop(EN_ATTENTE, None)
            otp_login(request, appareil)
            return HttpResponseRedirect(suivante)
        form.add_error(
            "code",
            "Trop d'essais : attendez quelques secondes avant de réessayer."
            if freine
            else "Ce code est incorrect ou a expiré.",
        )
    return render(request, "comptes/code.html", {"form": form, "next": suivante})


@publique("se déconnecter")
def deconnexion(request: HttpRequest) -> HttpResponse:
    """GET : une page qui demande confirmation ; POST : la session se ferme."""
    if request.method == "POST":
        logout(request)
        messages.success(request, "Vous êtes déconnecté(e).")
        return redirect("accueil")
    return render(request, "comptes/deconnexion.html")


@reservee(None)
def mon_compte(request: HttpRequest) -> HttpResponse:
    utilisateur = request.user
    roles = (
        Role.objects.actifs()
        .filter(utilisateur=utilisateur)
        .select_related(
            "institution", "region", "departement", "epci",
            "institution__region", "institution__departement", "institution__epci",
        )
        .prefetch_related("communes", "institution__communes")
    )  # fmt: skip
    contexte = {
        "roles": roles,
        "double_facteur_actif": double_facteur.est_active(utilisateur),
        "double_facteur_exige": double_facteur.exige(utilisateur),
        "peut_inviter": peut(utilisateur, Action.INVITER),
        "peut_modifier": peut(utilisateur, Action.MODIFIER_FICHE),
        "peut_moderer": peut(utilisateur, Action.MODERER),
    }
    return render(request, "comptes/mon_compte.html", contexte)


@reservee(None)
def double_facteur_activer(request: HttpRequest) -> HttpResponse:
    """Activer (ou remplacer) l'application d'authentification ; codes de secours une fois."""
    utilisateur = request.user
    suivante = _suivante(request, "comptes:mon_compte")
    if double_facteur.est_active(utilisateur) and not utilisateur.is_verified():
        # Un mot de passe seul ne remplace pas l'appareil déjà confirmé.
        return redirect(f"{reverse('comptes:double_facteur_code')}?{_next(suivante)}")
    appareil = double_facteur.appareil_en_cours(utilisateur)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = double_facteur.confirmer(request, appareil=appareil, code=form.cleaned_data["code"])
        if codes is not None:
            contexte = {"codes": codes, "next": suivante}
            return render(request, "comptes/codes_de_secours.html", contexte)
        form.add_error("code", "Ce code est incorrect ou a expiré : essayez le suivant.")
    contexte = {
        "form": form,
        "next": suivante,
        "qr_code": double_facteur.qr_code_svg(appareil),
        "cle": double_facteur.cle_base32(appareil),
        "exige": double_facteur.exige(utilisateur),
        "remplace": double_facteur.est_active(utilisateur),
    }
    return render(request, "comptes/activer_double_facteur.html", contexte)


@reservee(None)
@require_POST
def double_facteur_desactiver(request: HttpRequest) -> HttpResponse:
    utilisateur = request.user
    if double_facteur.exige(utilisateur):
        messages.error(request, "Vos rôles exigent le double facteur : il reste activé.")
    elif double_facteur.est_active(utilisateur) and not utilisateur.is_verified():
        messages.error(request, "Connectez-vous avec votre code avant de le désactiver.")
    else:
        double_facteur.desactiver(utilisateur)
        messages.success(request, "Le double facteur est désactivé.")
    return redirect("comptes:mon_compte")


@reservee(Action.INVITER)
def inviter(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, par=request.user)
    if request.method == "POST" and form.is_valid():
        services.inviter(invitation=form.instance, par=request.user, request=request)
        messages.success(request, "L'invitation est envoyée par courriel.")
        return redirect("comptes:inviter")
    contexte = {"form": form, "jours": settings.COMPTES_INVITATION_JOURS}
    return render(request, "comptes/inviter.html", contexte)


@publique("accepter une invitation : le jeton du lien tient lieu de droit")
def invitation(request: HttpRequest, jeton: str) -> HttpResponse:
    """Accepter une invitation : compte créé (mot de passe choisi) ou rôle ajouté au compte."""
    invitee = Invitation.objects.select_related("institution").par_jeton(jeton)
    if invitee is None:
        return render(
            request, "comptes/invitation_invalide.html", {"raison": "inconnue"}, status=404
        )
    if not invitee.est_utilisable():
        raison = "acceptee" if invitee.acceptee_le else "expiree"
        return render(request, "comptes/invitation_invalide.html", {"raison": raison}, status=410)
    existant = services.compte_de(invitee.adresse)
    form = None if existant else MotDePasseForm(request.POST or None, adresse=invitee.adresse)
    if request.method == "POST" and (form is None or form.is_valid()):
        mot_de_passe = form.cleaned_data["mot_de_passe"] if form else None
        services.accepter_invitation(invitation=invitee, mot_de_passe=mot_de_passe)
        messages.success(request, "Invitation acceptée : connectez-vous pour continuer.")
        return redirect("comptes:connexion")
    contexte = {"invitation": invitee, "form": form, "existant": existant is not None}
    return render(request, "comptes/invitation.html", contexte)
