"""Signaler, proposer, modérer : chaque décision écrit par la porte des fiches.

Toute écriture d'une fiche passe par `repertoire.ecriture.ecrire_fiches` (source
« gestionnaire » ou « moderation », la personne comme utilisateur) : version, historique et
index y sont tenus. Voir docs/adr/0010-contributions-et-moderation.md.
"""

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contribution.models import Motif, Proposition, ReglageModeration, Signalement
from core.courriels import envoyer_courriel
from core.models import CompteurDebit
from core.texte import normaliser
from repertoire import sous_fiches
from repertoire.ecriture import Auteur, Changement, VersionPerimee, ecrire_fiches
from repertoire.models import Service, Structure
from territoires.perimetres import emplacement

Fiche = Structure | Service
journal = logging.getLogger(__name__)


class ContributionRefusee(Exception):
    """Une décision impossible, dite en français à la personne (rien n'a été écrit)."""


# --- Signalements -----------------------------------------------------------------------------


def debit_depasse(client: str) -> bool:
    """Ce client (pseudonyme) a-t-il dépassé CONTRIBUTION_SIGNALEMENTS_PAR_MINUTE ?

    Le compteur atomique du socle (`core.CompteurDebit`), en fenêtres d'une minute comme
    l'API ; chaque envoi compte, même refusé ensuite (pot de miel, doublon).
    """
    limite = settings.CONTRIBUTION_SIGNALEMENTS_PAR_MINUTE
    if limite <= 0:
        return False
    fenetre = int(time.time() // 60)
    with transaction.atomic():
        CompteurDebit.objects.anterieurs_a(fenetre).delete()
        compte = CompteurDebit.objects.compter(fenetre=fenetre, adresse=f"sig:{client[:40]}")
    return compte > limite


def cle_doublon(fiche: Fiche, motif: str, texte: str) -> str:
    """Même fiche, même motif, même texte (sans casse, accents ni espaces en trop)."""
    contenu = f"{fiche._meta.model_name}:{fiche.pk}:{motif}:{' '.join(normaliser(texte).split())}"
    return hashlib.sha256(contenu.encode()).hexdigest()


def signaler(
    *, fiche: Fiche, motif: Motif | str, texte: str, courriel: str, client: str
) -> Signalement | None:
    """Enregistre un signalement ; None s'il a déjà été reçu dans les
    CONTRIBUTION_DOUBLON_HEURES (le même ne s'enregistre pas deux fois).

    Vérifier puis créer se fait sous le verrou de la ligne de la fiche : deux envois
    identiques simultanés passent l'un après l'autre, le second voit le premier (PostgreSQL ;
    SQLite, en transactions IMMEDIATE, n'a qu'un écrivain à la fois)."""
    cle = cle_doublon(fiche, motif, texte)
    with transaction.atomic():
        list(type(fiche)._default_manager.select_for_update().filter(pk=fiche.pk).values("pk"))
        depuis = timezone.now() - dt.timedelta(hours=settings.CONTRIBUTION_DOUBLON_HEURES)
        if Signalement.objects.filter(cle_doublon=cle, cree_le__gte=depuis).exists():
            return None
        return Signalement.objects.create(
            **Signalement.de_la_fiche(fiche),
            motif=motif,
            texte=texte,
            courriel=courriel,
            client=client,
            cle_doublon=cle,
        )


@transaction.atomic
def classer_signalement(*, signalement: Signalement, par: Any, reponse: str) -> None:
    """Classé sans suite, avec la réponse faite à son auteur."""
    if not reponse.strip():
        raise ContributionRefusee("Dites pourquoi ce signalement est classé sans suite.")
    signalement = _signalement_a_traiter(signalement)
    signalement.classer(par=par, reponse=reponse)
    signalement.save()
    _informer("signalement_classe", signalement.courriel, {"signalement": signalement})


@transaction.atomic
def corriger_depuis_signalement(
    *, signalement: Signalement, valeurs: dict[str, Any], version_lue: int, par: Any
) -> Proposition:
    """Le modérateur corrige la fiche signalée : une proposition (avec son diff, gardée pour
    l'historique de la modération) qu'il accepte aussitôt, par la porte."""
    signalement = _signalement_a_traiter(signalement)
    proposition = proposer(
        fiche=signalement.fiche,
        valeurs=valeurs,
        version_lue=version_lue,
        auteur=par,
        origine=Proposition.Origine.SIGNALEMENT,
        signalement=signalement,
    )
    accepter(proposition=proposition, par=par, informer=False)
    signalement.corriger(par=par, reponse="La fiche a été corrigée.")
    signalement.save()
    _informer("signalement_corrige", signalement.courriel, {"signalement": signalement})
    return proposition


def _signalement_a_traiter(signalement: Signalement) -> Signalement:
    """Relu sous verrou : deux modérateurs ne traitent pas le même signalement."""
    signalement = Signalement.objects.select_for_update().get(pk=signalement.pk)
    if signalement.etat != Signalement.Etat.NOUVEAU:
        raise ContributionRefusee(
            f"Ce signalement a déjà été traité ({signalement.get_etat_display()}) : "
            "rien n'a été modifié."
        )
    return signalement


def _proposition_ouverte(proposition: Proposition) -> Proposition:
    """Relue sous verrou : une proposition déjà décidée ne l'est pas une seconde fois."""
    proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
    if proposition.etat != Proposition.Etat.PROPOSEE:
        raise ContributionRefusee(
            f"Cette proposition est déjà {proposition.get_etat_display()} : rien n'a été modifié."
        )
    return proposition


# --- Propositions -----------------------------------------------------------------------------


def diff_de(fiche: Fiche, valeurs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Ancien → nouveau, pour les seuls champs (ou sous-fiches : horaires, contacts, lieux,
    liens) qui changent, en valeurs JSON : c'est ce que la proposition garde."""
    diff = {}
    for champ, valeur in valeurs.items():
        if champ in sous_fiches.noms(fiche):
            avant = sous_fiches.lire(fiche, champ)
            apres = sous_fiches.normaliser(fiche, champ, valeur)
        else:
            avant, apres = sous_fiches.en_json(getattr(fiche, champ)), sous_fiches.en_json(valeur)
        if avant != apres:
            diff[champ] = {"avant": avant, "apres": apres}
    return diff


def en_python(fiche: Fiche, valeurs: dict[str, Any]) -> dict[str, Any]:
    """Les valeurs JSON d'une proposition, rendues aux champs de la fiche (dates, heures)."""
    noms = sous_fiches.noms(fiche)
    return {
        champ: valeur
        if champ in noms or valeur is None
        else type(fiche)._meta.get_field(champ).to_python(valeur)
        for champ, valeur in valeurs.items()
    }


def sans_versions_lues(valeurs: dict[str, Any]) -> dict[str, Any]:
    """Pour rétablir des lieux : la version que portait l'ancienne valeur n'est plus celle
    d'aujourd'hui ; la fiche elle-même porte le verrou (sa version publiée)."""
    lieux = valeurs.get("lieux_de_la_structure")
    if lieux is None:
        return valeurs
    return {
        **valeurs,
        "lieux_de_la_structure": [
            {c: v for c, v in lieu.items() if c != "version"} for lieu in lieux
        ],
    }


@transaction.atomic
def proposer(
    *,
    fiche: Fiche,
    valeurs: dict[str, Any],
    version_lue: int,
    auteur: Any,
    origine: str,
    signalement: Signalement | None = None,
) -> Proposition:
    """Une proposition de changement de la fiche lue à `version_lue` (rien n'est écrit sur la
    fiche). Une proposition encore ouverte du même auteur sur la même fiche est remplacée."""
    if fiche.version != version_lue:
        raise VersionPerimee(fiche, version_lue, fiche)
    diff = diff_de(fiche, valeurs)
    if not diff:
        raise ContributionRefusee("Aucun champ n'a changé : il n'y a rien à proposer.")
    proposition = Proposition.objects.create(
        **Proposition.de_la_fiche(fiche),
        origine=origine,
        diff=diff,
        version_lue=version_lue,
        auteur=auteur,
        courriel=(signalement.courriel if signalement else getattr(auteur, "email", "")) or "",
        signalement=signalement,
    )
    _remplacer_les_precedentes(proposition, auteur)
    return proposition


def _remplacer_les_precedentes(proposition: Proposition, auteur: Any) -> None:
    if auteur is None:
        return
    precedentes = Proposition.objects.ouvertes().filter(
        auteur=auteur,
        structure=proposition.structure_id,
        service=proposition.service_id,
        version_publiee__isnull=True,
    )
    # Un service proposé n'en remplace aucun autre : la même structure peut en offrir plusieurs.
    precedentes = precedentes.exclude(origine=Proposition.Origine.NOUVEAU_SERVICE)
    for ancienne in precedentes.exclude(pk=proposition.pk):
        ancienne.remplacer(
            par=auteur, raison=f"Remplacée par la proposition n° {proposition.pk}, plus récente."
        )
        ancienne.save()


@transaction.atomic
def accepter(
    *,
    proposition: Proposition,
    par: Any,
    valeurs: dict[str, Any] | None = None,
    version_lue: int | None = None,
    informer: bool = True,
) -> None:
    """Accepte une proposition : ses valeurs (ou celles que le modérateur a corrigées,
    `valeurs`) sont écrites par la porte, à la version contre laquelle elle a été faite.

    Si la fiche a changé depuis (un autre modérateur a accepté une autre proposition), la
    porte refuse (`VersionPerimee`) : rien n'est écrit, la proposition reste ouverte et le
    modérateur le lit ; « Modifier puis accepter » part alors de la fiche d'aujourd'hui
    (`version_lue` : celle que le modérateur a lue). Une proposition déjà publiée est
    confirmée sans rien réécrire.
    """
    proposition = _proposition_ouverte(proposition)
    if valeurs is not None:
        # Le diff gardé est celui qui est vraiment publié, contre la fiche d'aujourd'hui.
        proposition.diff = diff_de(proposition.fiche, valeurs)
        lue = version_lue or proposition.version_publiee or proposition.version_lue
        _ecrire(proposition.fiche, valeurs, lue, Auteur("moderation", par))
    elif not proposition.deja_publiee:
        _ecrire(
            proposition.fiche,
            proposition.apres(),
            proposition.version_lue,
            Auteur("moderation", par),
        )
    proposition.accepter(par=par)
    proposition.save()
    if informer:
        _informer("proposition_decidee", proposition.courriel, {"proposition": proposition})


@transaction.atomic
def refuser(*, proposition: Proposition, par: Any, raison: str) -> None:
    """Refuse avec une raison (obligatoire), dite à l'auteur. Une proposition déjà publiée
    est défaite : les anciennes valeurs sont rétablies par la porte, si personne n'a changé
    la fiche depuis."""
    if not raison.strip():
        raise ContributionRefusee("Dites pourquoi cette proposition est refusée.")
    proposition = _proposition_ouverte(proposition)
    if proposition.deja_publiee:
        _ecrire(
            proposition.fiche,
            sans_versions_lues(proposition.avant()),
            proposition.version_publiee,
            Auteur("moderation", par),
        )
    proposition.refuser(par=par, raison=raison)
    proposition.save()
    _informer("proposition_decidee", proposition.courriel, {"proposition": proposition})


def _ecrire(fiche: Fiche, valeurs: dict[str, Any], version_lue: int | None, auteur: Auteur) -> None:
    changement = Changement(fiche, en_python(fiche, valeurs), version_lue=version_lue)
    try:
        ecrire_fiches(changements=[changement], auteur=auteur)
    except VersionPerimee as perimee:
        raise ContributionRefusee(
            f"{perimee} La proposition reste ouverte : relisez la fiche telle qu'elle est "
            "aujourd'hui, puis « Modifier puis accepter » ou refusez-la."
        ) from perimee


# --- Modifications des gestionnaires ----------------------------------------------------------


def mode_de_moderation(fiche: Fiche) -> str:
    """Le réglage du territoire de la fiche ; une fiche sur plusieurs départements suit le plus
    prudent (retenue si l'un d'eux retient), une fiche sans département suit le défaut."""
    departements = emplacement(fiche.territoire_pour_permissions()).departements or set()
    modes = set(
        ReglageModeration.objects.filter(departement__in=departements).values_list(
            "mode", flat=True
        )
    )
    if len(modes) < len(departements) or not departements:
        modes.add(settings.CONTRIBUTION_MODERATION)
    if ReglageModeration.Mode.RETENU in modes:
        return ReglageModeration.Mode.RETENU
    return ReglageModeration.Mode.PUBLIE_PUIS_RELU


@dataclass(frozen=True)
class ModificationGestionnaire:
    proposition: Proposition
    publiee: bool


@transaction.atomic
def modifier_par_gestionnaire(
    *, fiche: Fiche, valeurs: dict[str, Any], version_lue: int, par: Any
) -> ModificationGestionnaire:
    """Selon le territoire : publiée tout de suite par la porte (et à relire : une proposition
    déjà publiée), ou retenue comme proposition jusqu'à relecture."""
    if mode_de_moderation(fiche) == ReglageModeration.Mode.RETENU:
        proposition = proposer(
            fiche=fiche,
            valeurs=valeurs,
            version_lue=version_lue,
            auteur=par,
            origine=Proposition.Origine.GESTIONNAIRE,
        )
        return ModificationGestionnaire(proposition, publiee=False)
    diff = diff_de(fiche, valeurs)
    if not diff:
        raise ContributionRefusee("Aucun champ n'a changé : il n'y a rien à enregistrer.")
    ecrire_fiches(
        changements=[Changement(fiche, dict(valeurs), version_lue=version_lue)],
        auteur=Auteur("gestionnaire", par),
    )
    proposition = Proposition.objects.create(
        **Proposition.de_la_fiche(fiche),
        origine=Proposition.Origine.GESTIONNAIRE,
        diff=diff,
        version_lue=version_lue,
        version_publiee=fiche.version,
        auteur=par,
        courriel=getattr(par, "email", "") or "",
    )
    return ModificationGestionnaire(proposition, publiee=True)


# --- Historique -------------------------------------------------------------------------------


@transaction.atomic
def retablir(*, fiche: Fiche, history_id: int, version_lue: int, par: Any) -> None:
    """« Rétablir cette version » : les champs de la fiche, ses liens historisés (besoins et
    publics d'un service) et, s'ils ont été gardés, ses horaires, fermetures, permanences et
    contacts reprennent les valeurs de cette version, écrites par la porte (une nouvelle
    version, une nouvelle ligne d'historique)."""
    ligne = fiche.history.get(history_id=history_id)
    ancienne = ligne.instance
    valeurs = {
        champ.attname: getattr(ancienne, champ.attname)
        for champ in type(fiche)._meta.concrete_fields
        if champ.attname not in CHAMPS_NON_RETABLIS
    }
    # Horaires, fermetures, permanences et contacts : si la porte a gardé leur état à cette
    # version (repertoire.sous_fiches.etats_gardes), ils sont rétablis aussi.
    etat = sous_fiches.etats_gardes(fiche).get(ligne.version, {})
    valeurs = {**valeurs, **_liens_de(ligne), **etat}
    _ecrire(fiche, valeurs, version_lue, Auteur("moderation", par))


def _liens_de(ligne: Any) -> dict[str, list[int]]:
    """Les liens historisés d'une ligne d'historique (besoins et publics d'un service), que
    la porte écrit avec les champs (`repertoire.sous_fiches`) : une seule nouvelle ligne,
    qui les copie ; rien si la porte refuse. Un besoin ou un public supprimé depuis ne se
    rétablit pas."""
    liens = {}
    for champ in getattr(type(ligne), "_history_m2m_fields", []):
        cible = f"{champ.m2m_reverse_field_name()}_id"
        historises = getattr(ligne, champ.name).values_list(cible, flat=True)
        existants = champ.related_model._default_manager.filter(pk__in=historises)
        liens[champ.name] = sorted(existants.values_list("pk", flat=True))
    return liens


# La porte tient version et corrections ; les dates de création et de vérification ne se
# rétablissent pas (la vérification est un fait, pas une valeur de la fiche).
CHAMPS_NON_RETABLIS = frozenset(
    {"id", "version", "champs_corriges", "cree_le", "modifie_le", "date_verification"}
)


# --- Courriels --------------------------------------------------------------------------------


def _informer(gabarit: str, adresse: str, contexte: dict) -> None:
    """Un courriel transactionnel (texte et HTML, en français), envoyé une fois la décision
    enregistrée ; sans adresse, personne à informer."""
    if not adresse:
        return
    chemin = f"contribution/courriels/{gabarit}"
    transaction.on_commit(lambda: envoyer_courriel(chemin, a=[adresse], contexte=contexte))
