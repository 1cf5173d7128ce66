"""Ce que le public signale et ce que gestionnaires et modérateurs proposent de changer.

Un signalement (« Signaler une erreur ») vient de n'importe qui ; une proposition est un
changement champ par champ (ancien → nouveau) d'une fiche, à une version donnée, qu'un
modérateur accepte (écrit par la porte des fiches), refuse avec une raison, ou qui est
remplacée par une plus récente. Les états sont des machines explicites (django-fsm-2) :
aucune transition en dehors de celles écrites ici, et deux décisions simultanées sur la même
ligne ne passent pas toutes les deux (`ConcurrentTransitionMixin` : l'UPDATE vérifie l'état lu).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from repertoire.models import Service, Structure
from territoires.models import Departement


class Motif(models.TextChoices):
    FERME = "ferme", "Fermé définitivement"
    HORAIRES = "horaires", "Horaires"
    COORDONNEES = "coordonnees", "Coordonnées (adresse, téléphone, courriel, site)"
    PUBLIC = "public", "Public ou conditions d'accès"
    AUTRE = "autre", "Autre"


class AvecFiche(models.Model):
    """Une structure ou un service (exactement l'un des deux)."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def fiche(self) -> Structure | Service:
        return self.service if self.service_id else self.structure

    @staticmethod
    def de_la_fiche(fiche: Structure | Service) -> dict[str, Any]:
        return {"service": fiche} if isinstance(fiche, Service) else {"structure": fiche}


def _une_seule_fiche(nom: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(structure__isnull=True, service__isnull=False)
        | Q(structure__isnull=False, service__isnull=True),
        name=nom,
    )


class SignalementQuerySet(models.QuerySet):
    def a_traiter(self) -> "SignalementQuerySet":
        return self.filter(etat=Signalement.Etat.NOUVEAU)


class Signalement(ConcurrentTransitionMixin, AvecFiche):
    """« Signaler une erreur » : ce que voit le public, sans compte. Aucune adresse IP n'est
    gardée ; `client` est un pseudonyme HMAC (core.connexions.pseudonyme)."""

    class Etat(models.TextChoices):
        NOUVEAU = "nouveau", "à traiter"
        CORRIGE = "corrige", "fiche corrigée"
        CLASSE = "classe", "classé sans suite"

    motif = models.CharField(max_length=12, choices=Motif.choices)
    texte = models.TextField("ce qui est faux et la bonne information")
    courriel = models.EmailField("adresse pour être informé(e) de la suite", blank=True)
    client = models.CharField("pseudonyme de l'expéditeur", max_length=64)
    cle_doublon = models.CharField(max_length=64, db_index=True)
    etat = FSMField(default=Etat.NOUVEAU, choices=Etat.choices, protected=True)
    reponse = models.TextField("réponse du modérateur", blank=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    traite_le = models.DateTimeField(null=True, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)
    annonce_le = models.DateTimeField("annoncé aux modérateurs le", null=True, blank=True)

    objects = SignalementQuerySet.as_manager()

    class Meta:
        ordering = ["cree_le"]
        constraints = [_une_seule_fiche("signalement_une_seule_fiche")]

    def __str__(self) -> str:
        return f"Signalement n° {self.pk} ({self.get_motif_display()}) sur « {self.fiche} »"

    @transition(field=etat, source=Etat.NOUVEAU, target=Etat.CORRIGE)
    def corriger(self, *, par: Any, reponse: str = "") -> None:
        self._traiter(par, reponse)

    @transition(field=etat, source=Etat.NOUVEAU, target=Etat.CLASSE)
    def classer(self, *, par: Any, reponse: str) -> None:
        self._traiter(par, reponse)

    def _traiter(self, par: Any, reponse: str) -> None:
        self.traite_par, self.traite_le, self.reponse = par, timezone.now(), reponse


class PropositionQuerySet(models.QuerySet):
    def ouvertes(self) -> "PropositionQuerySet":
        return self.filter(etat=Proposition.Etat.PROPOSEE)


class Proposition(ConcurrentTransitionMixin, AvecFiche):
    """Un changement champ par champ d'une fiche lue à `version_lue`, ou un nouveau service
    (`Origine.NOUVEAU_SERVICE` : sa structure, `version_lue` 0, pas encore de service).

    `diff` : {champ: {"avant": …, "apres": …}}. Une proposition déjà publiée (territoire
    « publié tout de suite, relu après ») a `version_publiee` : l'accepter confirme, la
    refuser rétablit les anciennes valeurs par la porte.
    """

    class Etat(models.TextChoices):
        PROPOSEE = "proposee", "proposée"
        ACCEPTEE = "acceptee", "acceptée"
        REFUSEE = "refusee", "refusée"
        REMPLACEE = "remplacee", "remplacée"

    class Origine(models.TextChoices):
        GESTIONNAIRE = "gestionnaire", "modification d'un gestionnaire"
        SIGNALEMENT = "signalement", "signalement traité par un modérateur"
        NOUVEAU_SERVICE = "nouveau_service", "proposition d'un nouveau service"

    origine = models.CharField(max_length=20, choices=Origine.choices)
    diff = models.JSONField("changements (avant → après)")
    version_lue = models.PositiveIntegerField("version de la fiche lue")
    version_publiee = models.PositiveIntegerField(
        "version publiée (relue après publication)", null=True, blank=True
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    courriel = models.EmailField("adresse de l'auteur, informé de la décision", blank=True)
    signalement = models.ForeignKey(
        Signalement, on_delete=models.SET_NULL, null=True, blank=True, related_name="propositions"
    )
    etat = FSMField(default=Etat.PROPOSEE, choices=Etat.choices, protected=True)
    raison = models.TextField("raison de la décision", blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decidee_le = models.DateTimeField(null=True, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)
    annonce_le = models.DateTimeField("annoncée aux modérateurs le", null=True, blank=True)

    objects = PropositionQuerySet.as_manager()

    class Meta:
        ordering = ["cree_le"]
        constraints = [
            # Un nouveau service (issue 11, § 1) : sa structure, et le service une fois créé.
            models.CheckConstraint(
                condition=Q(origine="nouveau_service", structure__isnull=False)
                | (
                    ~Q(origine="nouveau_service")
                    & (
                        Q(structure__isnull=True, service__isnull=False)
                        | Q(structure__isnull=False, service__isnull=True)
                    )
                ),
                name="proposition_une_seule_fiche",
            )
        ]

    def __str__(self) -> str:
        if self.est_un_nouveau_service:
            return f"Proposition n° {self.pk} d'un nouveau service pour « {self.structure} »"
        return f"Proposition n° {self.pk} sur « {self.fiche} »"

    @property
    def est_un_nouveau_service(self) -> bool:
        """Un service proposé (pas encore de fiche) : `diff` porte ses valeurs (avant : None) ;
        `fiche` est sa structure, puis le service une fois créé."""
        return self.origine == self.Origine.NOUVEAU_SERVICE

    @property
    def deja_publiee(self) -> bool:
        return self.version_publiee is not None

    def apres(self) -> dict[str, Any]:
        return {champ: valeurs["apres"] for champ, valeurs in self.diff.items()}

    def avant(self) -> dict[str, Any]:
        return {champ: valeurs["avant"] for champ, valeurs in self.diff.items()}

    @transition(field=etat, source=Etat.PROPOSEE, target=Etat.ACCEPTEE)
    def accepter(self, *, par: Any, raison: str = "") -> None:
        self._decider(par, raison)

    @transition(field=etat, source=Etat.PROPOSEE, target=Etat.REFUSEE)
    def refuser(self, *, par: Any, raison: str) -> None:
        if not raison.strip():
            raise ValueError("Un refus demande une raison.")
        self._decider(par, raison)

    @transition(field=etat, source=Etat.PROPOSEE, target=Etat.REMPLACEE)
    def remplacer(self, *, par: Any, raison: str) -> None:
        self._decider(par, raison)

    def _decider(self, par: Any, raison: str) -> None:
        self.decidee_par, self.decidee_le, self.raison = par, timezone.now(), raison


class ReglageModeration(models.Model):
    """Par département : la modification d'un gestionnaire est publiée tout de suite (et
    relue après) ou retenue jusqu'à relecture. Sans ligne : CONTRIBUTION_MODERATION."""

    class Mode(models.TextChoices):
        PUBLIE_PUIS_RELU = "publie_puis_relu", "publié tout de suite, relu après"
        RETENU = "retenu", "retenu jusqu'à relecture"

    departement = models.OneToOneField(
        Departement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices)

    class Meta:
        verbose_name = "réglage de modération"
        verbose_name_plural = "réglages de modération"

    def __str__(self) -> str:
        return f"{self.departement} : {self.get_mode_display()}"


class DesinscriptionResume(models.Model):
    """Un modérateur qui ne veut plus du résumé des nouveautés de sa file (un courriel qu'il
    n'a pas demandé) ; les courriels qu'il attend, eux, continuent d'arriver."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "désinscription du résumé de modération"
        verbose_name_plural = "désinscriptions du résumé de modération"

    def __str__(self) -> str:
        return str(self.utilisateur)
