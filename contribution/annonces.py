"""Le résumé des nouveautés de la file de modération, envoyé aux modérateurs (tâche
périodique `informer_moderateurs`).

Chaque proposition et chaque signalement ouvert n'est annoncé qu'une fois : la commande le
réserve en posant `annonce_le` par un UPDATE conditionnel (encore vide), avant tout envoi ;
lancée deux fois, même en même temps, elle n'annonce rien deux fois. Chaque modérateur reçoit
un seul courriel, qui compte ce qui est nouveau dans son territoire (`peut(…, MODERER, fiche)`),
avec un lien de désinscription (un courriel qu'il n'a pas demandé).
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from tqdm import tqdm

from comptes.models import Role, TypeRole
from contribution import selectors
from contribution.models import DesinscriptionResume, Proposition, Signalement
from core.courriels import envoyer_courriel

SEL_DESINSCRIPTION = "contribution.desinscription-resume"
journal = logging.getLogger(__name__)


@dataclass
class BilanAnnonces:
    propositions: int = 0
    signalements: int = 0
    courriels: int = 0
    desinscrits: int = 0
    echecs: int = 0

    def resume(self) -> str:
        texte = (
            f"{self.propositions} proposition(s) et {self.signalements} signalement(s) "
            f"annoncé(s) ; {self.courriels} courriel(s) envoyé(s) aux modérateurs, "
            f"{self.desinscrits} modérateur(s) désinscrit(s)"
        )
        if self.echecs:
            texte += f", {self.echecs} envoi(s) en échec (voir le journal)"
        return f"{texte}."


def informer_moderateurs(*, progression: bool = False) -> BilanAnnonces:
    """Réserve les nouveautés jamais annoncées, puis envoie à chaque modérateur en fonction
    (non désinscrit) un courriel qui compte celles de son territoire ; aucun courriel à qui
    n'a rien de nouveau."""
    maintenant = timezone.now()
    propositions = _reserver(Proposition.objects.ouvertes(), le=maintenant)
    signalements = _reserver(Signalement.objects.a_traiter(), le=maintenant)
    bilan = BilanAnnonces(propositions=len(propositions), signalements=len(signalements))
    if not propositions and not signalements:
        return bilan
    nouvelles = list(selectors.propositions().filter(pk__in=propositions))
    nouveaux = list(selectors.signalements().filter(pk__in=signalements))
    desinscrits = set(DesinscriptionResume.objects.values_list("utilisateur_id", flat=True))
    for moderateur in tqdm(moderateurs(), disable=not progression, desc="Modérateurs"):
        if moderateur.pk in desinscrits:
            bilan.desinscrits += 1
            continue
        a_relire = len(selectors.du_territoire(moderateur, nouvelles))
        a_traiter = len(selectors.du_territoire(moderateur, nouveaux))
        if a_relire or a_traiter:
            if _envoyer(moderateur, propositions=a_relire, signalements=a_traiter):
                bilan.courriels += 1
            else:
                bilan.echecs += 1
    return bilan


def _reserver(ouverts: models.QuerySet, *, le: dt.datetime) -> list[int]:
    """Les éléments ouverts jamais annoncés que cette commande annonce.

    Chacun est marqué par un UPDATE conditionnel (`annonce_le` encore vide) : si une autre
    commande l'a marqué entre-temps, il ne compte pas ici. Sous PostgreSQL, les lignes déjà
    verrouillées par une autre commande sont sautées (`skip_locked`) plutôt qu'attendues.
    """
    with transaction.atomic():
        candidats = list(
            ouverts.filter(annonce_le__isnull=True)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        return [pk for pk in candidats if marquer_annonce(ouverts.model, pk, le=le)]


def marquer_annonce(modele: type[models.Model], pk: int, *, le: dt.datetime) -> bool:
    """Vrai si cet élément n'était pas encore annoncé (et l'est désormais)."""
    return bool(modele.objects.filter(pk=pk, annonce_le__isnull=True).update(annonce_le=le))


def moderateurs() -> models.QuerySet:
    """Les comptes actifs, avec une adresse, qui ont un rôle de modérateur en vigueur."""
    roles = Role.objects.actifs().filter(type=TypeRole.MODERATEUR).values("utilisateur_id")
    return (
        get_user_model()
        .objects.filter(pk__in=roles, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _envoyer(moderateur: Any, *, propositions: int, signalements: int) -> bool:
    """Un courriel (texte et HTML) ; un envoi en échec est écrit au journal, sans arrêter les
    autres (ces éléments restent dans la file, le modérateur les y trouvera)."""
    desinscription = lien_de_desinscription(moderateur.pk)
    try:
        envoyer_courriel(
            "contribution/courriels/resume_moderation",
            a=[moderateur.email],
            contexte={
                "propositions": propositions,
                "signalements": signalements,
                "lien_file": adresse(reverse("contribution:file")),
                "desinscription": desinscription,
            },
            entetes={"List-Unsubscribe": f"<{desinscription}>"},
        )
    except Exception:
        journal.exception("Résumé de modération non envoyé au compte n° %s", moderateur.pk)
        return False
    return True


def adresse(chemin: str) -> str:
    """Une adresse complète du site (la commande n'a pas de requête)."""
    return f"{settings.AUTONOMIE_ADRESSE_SITE}{chemin}"


def lien_de_desinscription(utilisateur_pk: int) -> str:
    jeton = signing.dumps(utilisateur_pk, salt=SEL_DESINSCRIPTION)
    return adresse(reverse("contribution:desinscription-resume", args=[jeton]))


def utilisateur_du_lien(jeton: str) -> Any:
    """Le compte d'un lien de désinscription ; None si le lien est abîmé ou le compte inconnu."""
    try:
        pk = signing.loads(jeton, salt=SEL_DESINSCRIPTION)
        return get_user_model().objects.get(pk=pk)
    except (signing.BadSignature, get_user_model().DoesNotExist, TypeError, ValueError):
        return None


def desinscrire(utilisateur: Any) -> None:
    """Plus de résumé pour ce compte (idempotent, même sur deux clics simultanés)."""
    try:
        with transaction.atomic():
            DesinscriptionResume.objects.get_or_create(utilisateur=utilisateur)
    except IntegrityError:
        pass  # désinscrit entre-temps par un autre clic


def reinscrire(utilisateur: Any) -> None:
    DesinscriptionResume.objects.filter(utilisateur=utilisateur).delete()


def est_desinscrit(utilisateur: Any) -> bool:
    return DesinscriptionResume.objects.filter(utilisateur=utilisateur).exists()
