"""Fraîcheur des fiches : campagnes de vérification, rappels aux gestionnaires, désinscriptions.

La date de vérification elle-même est sur la fiche (`repertoire.FicheMixin.date_verification`),
écrite par la porte (`repertoire.ecriture.ecrire_fiches`, source « campagne »).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from repertoire.models import Besoin, Service, Structure
from territoires.models import Departement


class CampagneQuerySet(models.QuerySet):
    def ouvertes(self, le=None) -> "CampagneQuerySet":
        return self.filter(cloturee_le__isnull=True, expire_le__gt=le or timezone.now())


class Campagne(models.Model):
    """Un animateur demande aux structures d'un département de confirmer ou corriger leurs
    fiches (pour des besoins ou des catégories FINESS ; aucun : toutes)."""

    nom = models.CharField(max_length=150)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    besoins = models.ManyToManyField(Besoin, blank=True, related_name="+")
    categories = models.JSONField(
        "catégories FINESS", default=list, blank=True, help_text="codes, ex. 500, 209"
    )
    lancee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lancee_le = models.DateTimeField("lancée le", default=timezone.now)
    expire_le = models.DateTimeField("liens valables jusqu'au")
    cloturee_le = models.DateTimeField("clôturée le", null=True, blank=True)

    objects = CampagneQuerySet.as_manager()

    class Meta:
        ordering = ["-lancee_le"]

    def __str__(self) -> str:
        return self.nom

    def territoire_pour_permissions(self) -> Departement:
        return self.departement

    def est_ouverte(self, le=None) -> bool:
        return self.cloturee_le is None and self.expire_le > (le or timezone.now())


class Reponse(models.TextChoices):
    AUCUNE = "", "sans réponse"
    CONFIRMEE = "confirmee", "rien n'a changé"
    A_CORRIGER = "a-corriger", "à corriger"


class Demande(models.Model):
    """Ce qu'une campagne demande à une structure : ses fiches concernées, l'adresse où le
    lien signé a été envoyé, et sa réponse."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="demandes")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    services = models.ManyToManyField(Service, related_name="+")
    courriel = models.EmailField(blank=True, help_text="vide : la structure n'a pas d'adresse")
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)
    relancee_le = models.DateTimeField("relancée le", null=True, blank=True)
    reponse = models.CharField(max_length=12, choices=Reponse.choices, blank=True, default="")
    repondue_le = models.DateTimeField("répondue le", null=True, blank=True)
    message = models.TextField("ce qui a changé", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campagne", "structure"], name="demande_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campagne} : {self.structure}"


class Moment(models.TextChoices):
    AVANT = "avant", "avant l'échéance"
    APRES = "apres", "échéance passée"
    FIN = "fin", "fin prochaine du dispositif"


class Rappel(models.Model):
    """Un rappel envoyé pour une fiche et une échéance : la contrainte d'unicité fait qu'un
    rappel ne part qu'une fois, même si la commande tourne deux fois en même temps."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    echeance = models.DateField("échéance de vérification")
    moment = models.CharField(max_length=5, choices=Moment.choices)
    envoye_le = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "echeance", "moment"], name="rappel_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} : {self.get_moment_display()} ({self.echeance})"


class Desinscription(models.Model):
    """Une adresse qui ne veut plus des rappels (jamais des courriels qu'elle attend)."""

    courriel = models.EmailField()
    le = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("courriel"), name="desinscription_unique")]

    def __str__(self) -> str:
        return self.courriel
