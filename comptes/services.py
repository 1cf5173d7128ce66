"""Ce qui change l'état des comptes : rôles retirés, sessions fermées, invitations.

Des appels explicites, faits par les vues et par l'administration (pas de signal) : celui qui
retire un droit voit, dans le code qu'il appelle, que les sessions de la personne se ferment.
"""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from comptes.models import FermetureSessions, Invitation, Role, empreinte_jeton
from comptes.permissions import oublier_roles
from core.courriels import envoyer_courriel

journal = logging.getLogger(__name__)


def fermer_sessions(*, utilisateur: Any) -> None:
    """Les sessions de cette personne ouvertes jusqu'ici ne valent plus, dès leur prochaine
    requête (comptes.middleware.SessionsFermeesMiddleware), quel que soit le stockage des
    sessions."""
    FermetureSessions.objects.update_or_create(
        utilisateur=utilisateur, defaults={"le": timezone.now()}
    )


def retirer_role(*, role: Role, par: Any, fin: dt.date | None = None) -> None:
    """Retire un rôle : désactivé (sans `fin`) ou échu à la date `fin`.

    Un rôle ne se supprime pas (son historique dit qui l'a tenu, et qui l'a retiré : `par`).
    S'il ne vaut plus aujourd'hui, les sessions ouvertes de la personne sont fermées : elle
    se reconnecte avec les droits qui lui restent (issue 10).
    """
    if fin is None:
        role.actif = False
    else:
        role.date_fin = fin
    role._history_user = par
    role.save()
    oublier_roles(role.utilisateur)
    if not role.est_en_vigueur():
        fermer_sessions(utilisateur=role.utilisateur)
    journal.info("Rôle %s retiré (compte %s).", role.pk, role.utilisateur_id)


def desactiver_compte(*, utilisateur: Any, par: Any) -> None:
    """Le compte ne se connecte plus et ses sessions ouvertes se ferment."""
    utilisateur.is_active = False
    utilisateur.save(update_fields=["is_active"])
    fermer_sessions(utilisateur=utilisateur)
    journal.info("Compte %s désactivé par le compte %s.", utilisateur.pk, getattr(par, "pk", None))


@dataclass(frozen=True)
class InvitationEnvoyee:
    invitation: Invitation
    lien: str


def inviter(*, invitation: Invitation, par: Any, request: HttpRequest) -> InvitationEnvoyee:
    """Enregistre l'invitation (dont la permission a été vérifiée) et l'envoie par courriel.

    Le jeton n'est connu que du courriel : la base n'en garde que l'empreinte.
    """
    jeton = secrets.token_urlsafe(32)
    invitation.jeton_empreinte = empreinte_jeton(jeton)
    invitation.invitee_par = par
    invitation.expire_le = timezone.now() + dt.timedelta(days=settings.COMPTES_INVITATION_JOURS)
    invitation.save()
    lien = request.build_absolute_uri(reverse("comptes:invitation", args=[jeton]))
    contexte = {"invitation": invitation, "lien": lien, "site_nom": settings.AUTONOMIE_SITE_NOM}
    envoyer_courriel("comptes/courriels/invitation", a=[invitation.adresse], contexte=contexte)
    journal.info("Invitation %s envoyée.", invitation.pk)
    return InvitationEnvoyee(invitation, lien)


def compte_de(adresse: str) -> Any:
    """Le compte qui a cette adresse (sans casse), ou None."""
    return get_user_model()._default_manager.filter(email__iexact=adresse.strip()).first()


def _identifiant_libre(adresse: str) -> str:
    """L'identifiant Django d'un compte créé par invitation : son adresse, sinon numérotée."""
    comptes = get_user_model()._default_manager
    base = adresse.lower()[:140]
    identifiant, numero = base, 1
    while comptes.filter(username=identifiant).exists():
        numero += 1
        identifiant = f"{base}-{numero}"
    return identifiant


@transaction.atomic
def accepter_invitation(*, invitation: Invitation, mot_de_passe: str | None) -> Any:
    """Crée le compte (avec ce mot de passe) ou ajoute le rôle au compte de cette adresse.

    Le lien prouve que la personne lit ce courriel ; il ne sert qu'une fois.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.est_utilisable():
        raise ValueError("invitation expirée ou déjà acceptée")
    utilisateur = compte_de(invitation.adresse)
    if utilisateur is None:
        if not mot_de_passe:
            raise ValueError("un nouveau compte demande un mot de passe")
        adresse = invitation.adresse.strip()
        utilisateur = get_user_model()._default_manager.create_user(
            username=_identifiant_libre(adresse), email=adresse, password=mot_de_passe
        )
    role = Role.objects.create(
        utilisateur=utilisateur,
        institution=invitation.institution,
        type=invitation.type,
        niveau=invitation.niveau,
        region_id=invitation.region_id,
        departement_id=invitation.departement_id,
        epci_id=invitation.epci_id,
    )
    if invitation.pk and invitation.niveau == "communes":
        role.communes.set(invitation.communes.all())
    invitation.acceptee_le = timezone.now()
    invitation.save(update_fields=["acceptee_le"])
    oublier_roles(utilisateur)
    journal.info("Invitation %s acceptée (compte %s).", invitation.pk, utilisateur.pk)
    return utilisateur
