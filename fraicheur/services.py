"""Les flux de la fraîcheur : lancer une campagne, y répondre, relancer, clôturer ; rappeler
leurs échéances aux gestionnaires. Les fiches ne s'écrivent que par la porte du répertoire."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comptes.models import Role, TypeRole
from comptes.permissions import Action, peut
from contribution.models import Motif
from contribution.services import signaler
from fraicheur import courriels
from fraicheur.models import Campagne, Demande, Desinscription, Moment, Rappel, Reponse
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Besoin, Service, ajouter_mois
from territoires.models import Departement

AUTEUR_CAMPAGNE = Auteur("campagne")
# Plafond de la signature elle-même ; la campagne (`expire_le`, clôture) borne bien avant.
AGE_MAX_D_UN_LIEN = dt.timedelta(days=366)


def services_de_la_campagne(
    *, departement: Departement, besoins: Iterable[Besoin], categories: list[str]
) -> QuerySet[Service]:
    """Les services publiés accueillant dans le département, pour ces besoins ou ces
    catégories FINESS (l'un ou l'autre ; ni l'un ni l'autre : tous)."""
    services = Service.objects.publies().filter(lieux__commune__departement=departement)
    besoins = list(besoins)
    if besoins or categories:
        services = services.filter(Q(besoins__in=besoins) | Q(categorie_finess__in=categories))
    return services.distinct()


def lancer_campagne(
    *,
    nom: str,
    departement: Departement,
    besoins: Iterable[Besoin],
    categories: list[str],
    par,
    jours: int | None = None,
) -> Campagne:
    """Une demande par structure concernée, puis un courriel à chacune qui a une adresse."""
    besoins = list(besoins)
    maintenant = timezone.now()
    jours = jours or settings.FRAICHEUR_CAMPAGNE_JOURS
    with transaction.atomic():
        campagne = Campagne.objects.create(
            nom=nom,
            departement=departement,
            categories=categories,
            lancee_par=par,
            lancee_le=maintenant,
            expire_le=maintenant + dt.timedelta(days=jours),
        )
        campagne.besoins.set(besoins)
        par_structure: dict[int, list[Service]] = defaultdict(list)
        services = services_de_la_campagne(
            departement=departement, besoins=besoins, categories=categories
        ).select_related("structure")
        for service in services:
            par_structure[service.structure_id].append(service)
        for services_de_structure in par_structure.values():
            structure = services_de_structure[0].structure
            demande = Demande.objects.create(
                campagne=campagne, structure=structure, courriel=structure.courriel
            )
            demande.services.set(services_de_structure)
    envoyer_demandes(campagne.demandes.exclude(courriel=""), relance=False)
    return campagne


def envoyer_demandes(demandes: QuerySet[Demande], *, relance: bool) -> int:
    """Un courriel par demande, avec son lien signé ; l'heure d'envoi est notée."""
    envoyees = 0
    for demande in demandes.select_related("campagne", "structure").prefetch_related("services"):
        courriels.envoyer(
            "campagne",
            a=[demande.courriel],
            contexte={
                "demande": demande,
                "services": demande.services.all(),
                "lien": courriels.lien_de_demande(demande.pk),
                "relance": relance,
            },
        )
        champ = "relancee_le" if relance else "envoyee_le"
        Demande.objects.filter(pk=demande.pk).update(**{champ: timezone.now()})
        envoyees += 1
    return envoyees


def relancer_silencieux(campagne: Campagne) -> int:
    """Renvoie le lien aux structures qui n'ont pas répondu, tant que la campagne est ouverte."""
    if not campagne.est_ouverte():
        return 0
    silencieuses = campagne.demandes.filter(reponse=Reponse.AUCUNE).exclude(courriel="")
    return envoyer_demandes(silencieuses, relance=True)


class LienInvalide(Exception):
    """Le lien d'une campagne ne vaut pas (ou plus) : `raison` dit pourquoi, pour la page."""

    def __init__(self, raison: str, demande: Demande | None = None) -> None:
        super().__init__(raison)
        self.raison, self.demande = raison, demande


def demande_du_lien(jeton: str) -> Demande:
    """La demande d'un lien signé encore valable. Refus : « inconnu » (lien abîmé ou
    falsifié), « expire » (délai de la campagne passé, ou campagne clôturée)."""
    try:
        pk = courriels.signing.loads(
            jeton,
            salt=courriels.SEL_CAMPAGNE,
            max_age=AGE_MAX_D_UN_LIEN,
        )
        demande = Demande.objects.select_related("campagne", "structure").get(pk=pk)
    except courriels.signing.SignatureExpired:
        raise LienInvalide("expire") from None
    except (courriels.signing.BadSignature, Demande.DoesNotExist):
        raise LienInvalide("inconnu") from None
    if not demande.campagne.est_ouverte():
        raise LienInvalide("expire", demande)
    return demande


def repondre(*, demande: Demande, reponse: Reponse, message: str = "") -> None:
    """« Rien n'a changé » : la date de vérification de la structure et de ses services
    concernés devient aujourd'hui, écrite par la porte (source « campagne »). « À corriger » :
    les fiches ne changent pas ; le message est gardé sur la demande (tableau de bord de la
    campagne) et devient un signalement de la structure dans la file des modérateurs.
    """
    with transaction.atomic():
        demande = Demande.objects.select_for_update().get(pk=demande.pk)
        if not demande.campagne.est_ouverte():
            raise LienInvalide("expire", demande)
        if reponse == Reponse.CONFIRMEE:
            aujourdhui = timezone.localdate()
            valeurs = {"date_verification": aujourdhui}
            fiches = [demande.structure, *demande.services.all()]
            ecrire_fiches(
                changements=[Changement(fiche=f, valeurs=valeurs) for f in fiches],
                auteur=AUTEUR_CAMPAGNE,
            )
        if reponse == Reponse.A_CORRIGER:
            _signaler_aux_moderateurs(demande, message.strip())
        demande.reponse, demande.message = reponse, message.strip()
        demande.repondue_le = timezone.now()
        demande.save(update_fields=["reponse", "message", "repondue_le"])


def _signaler_aux_moderateurs(demande: Demande, message: str) -> None:
    """La réponse « à corriger » d'une structure, signalée sur sa fiche (motif « autre ») : son
    texte dit la campagne et les services concernés ; l'adresse est celle de la demande, pour
    que la structure soit informée de la suite ; le client est un pseudonyme fixe de la
    campagne (aucune adresse IP). Le même message déjà signalé ne l'est pas deux fois."""
    concernes = ", ".join(service.nom for service in demande.services.all())
    texte = f"Réponse « à corriger » à la campagne de vérification « {demande.campagne} »"
    texte += f" (services concernés : {concernes})" if concernes else ""
    signaler(
        fiche=demande.structure,
        motif=Motif.AUTRE,
        texte=f"{texte} :\n\n{message}",
        courriel=demande.courriel or demande.structure.courriel,
        client=f"campagne:{demande.campagne_id}",
    )


AGE_MAX_D_UN_RAPPEL = dt.timedelta(days=60)


def fiche_du_rappel(jeton: str) -> tuple[Service, Any]:
    """La fiche et le gestionnaire d'un lien de rappel encore valable (60 jours), qui gère
    toujours cette fiche. Refus : « inconnu », « expire », « plus-gestionnaire »."""
    try:
        donnees = courriels.signing.loads(
            jeton, salt=courriels.SEL_RAPPEL, max_age=AGE_MAX_D_UN_RAPPEL
        )
        service = Service.objects.select_related("structure").get(pk=donnees["s"])
        utilisateur = get_user_model().objects.get(pk=donnees["u"], is_active=True)
    except courriels.signing.SignatureExpired:
        raise LienInvalide("expire") from None
    except (courriels.signing.BadSignature, ObjectDoesNotExist, KeyError, TypeError):
        raise LienInvalide("inconnu") from None
    if not peut(utilisateur, Action.MODIFIER_FICHE, service):
        raise LienInvalide("plus-gestionnaire")
    return service, utilisateur


def confirmer_fiche(*, service: Service, par: Any) -> None:
    """Un gestionnaire confirme que rien n'a changé : la date de vérification devient
    aujourd'hui, écrite par la porte à son nom (source « gestionnaire »)."""
    ecrire_fiches(
        changements=[
            Changement(fiche=service, valeurs={"date_verification": timezone.localdate()})
        ],
        auteur=Auteur("gestionnaire", utilisateur=par),
    )


def cloturer_campagnes(*, le: dt.datetime | None = None) -> int:
    """Clôture les campagnes échues ; une seule requête UPDATE, sans effet la seconde fois."""
    le = le or timezone.now()
    return Campagne.objects.filter(cloturee_le__isnull=True, expire_le__lte=le).update(
        cloturee_le=le
    )


@dataclass(frozen=True)
class BilanRappels:
    rappels: int = 0
    courriels: int = 0


def rappel_du(service: Service, *, le: dt.date) -> tuple[dt.date, Moment] | None:
    """L'échéance d'une fiche et le rappel qu'elle appelle aujourd'hui.

    Règle : un rappel « avant » dans les `FRAICHEUR_RAPPEL_AVANT_JOURS` jours qui précèdent
    l'échéance (vérification + fréquence), un rappel « après » une fois l'échéance passée.
    Une fiche jamais vérifiée est échue depuis sa création + fréquence (une date fixe : le
    rappel ne part qu'une fois).
    """
    echeance = service.echeance_verification() or ajouter_mois(
        timezone.localdate(service.cree_le), service.frequence_verification
    )
    if echeance <= le:
        return echeance, Moment.APRES
    if echeance - dt.timedelta(days=settings.FRAICHEUR_RAPPEL_AVANT_JOURS) <= le:
        return echeance, Moment.AVANT
    return None


def relancer_verifications(*, le: dt.date | None = None) -> BilanRappels:
    """Rappelle aux gestionnaires de structure les fiches à revérifier, un courriel par
    personne. Chaque rappel est d'abord réservé par une ligne unique (`Rappel`) : lancée deux
    fois, même en même temps, la commande n'envoie rien deux fois. Les adresses désinscrites
    ne reçoivent rien."""
    le = le or timezone.localdate()
    gestionnaires = _gestionnaires_par_institution()
    services = (
        Service.objects.publies()
        .filter(structure__institution_id__in=gestionnaires)
        .select_related("structure")
    )
    par_personne: dict[tuple[str, int], list[tuple[Service, dt.date, Moment]]] = defaultdict(list)
    rappels = 0
    for service in services:
        du = rappel_du(service, le=le)
        if du is None or not _reserver(service, *du):
            continue
        rappels += 1
        for personne in gestionnaires[service.structure.institution_id]:
            par_personne[personne].append((service, *du))
    desinscrites = _desinscrites(courriel for courriel, _ in par_personne)
    envoyes = 0
    for (courriel, utilisateur), fiches in par_personne.items():
        if courriel.lower() in desinscrites:
            continue
        liens = [
            (service, echeance, moment, courriels.lien_de_rappel(service.pk, utilisateur))
            for service, echeance, moment in fiches
        ]
        courriels.envoyer(
            "rappel",
            a=[courriel],
            contexte={"fiches": liens, "avant": Moment.AVANT},
            desinscription=courriels.lien_de_desinscription(courriel),
        )
        envoyes += 1
    return BilanRappels(rappels=rappels, courriels=envoyes)


def _gestionnaires_par_institution() -> dict[int, list[tuple[str, int]]]:
    """{institution : [(adresse, compte)]} de ses gestionnaires de structure en fonction."""
    resultat: dict[int, list[tuple[str, int]]] = defaultdict(list)
    roles = Role.objects.actifs().filter(type=TypeRole.GESTIONNAIRE)
    for institution, courriel, compte in roles.values_list(
        "institution_id", "utilisateur__email", "utilisateur_id"
    ):
        if courriel and (courriel, compte) not in resultat[institution]:
            resultat[institution].append((courriel, compte))
    return resultat


def _reserver(service: Service, echeance: dt.date, moment: Moment) -> bool:
    """Vrai si ce rappel n'était pas encore parti (la ligne unique vient d'être posée)."""
    try:
        with transaction.atomic():
            Rappel.objects.create(service=service, echeance=echeance, moment=moment)
    except IntegrityError:
        return False
    return True


def _desinscrites(courriels_: Iterable[str]) -> set[str]:
    adresses = {c.lower() for c in courriels_}
    return {
        c.lower()
        for c in Desinscription.objects.filter(courriel__in=adresses).values_list(
            "courriel", flat=True
        )
    }


def desinscrire(courriel: str) -> None:
    """Plus aucun rappel pour cette adresse (idempotent)."""
    courriel = courriel.lower()
    if not Desinscription.objects.filter(courriel__iexact=courriel).exists():
        try:
            with transaction.atomic():
                Desinscription.objects.create(courriel=courriel)
        except IntegrityError:
            pass  # désinscrite entre-temps par un autre clic
