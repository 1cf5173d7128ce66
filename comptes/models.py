"""Institutions, et rôles des personnes qui agissent pour elles sur un territoire.

Les personnes sont les comptes de Django (`settings.AUTH_USER_MODEL`), qui se connectent par
leur adresse électronique (`comptes.backends`) ; voir docs/adr/0008-comptes-et-roles.md.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from territoires.deploiement import nom_du_territoire_servi, recoupe_le_deploiement
from territoires.models import EPCI, Commune, Departement, Region
from territoires.perimetres import Niveau, Perimetre, contient


class TypeInstitution(models.TextChoices):
    CNSA = "cnsa", "CNSA"
    ARS = "ars", "ARS"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", "conseil départemental"
    MDPH = "mdph", "MDPH / MDA"
    CCAS = "ccas", "CCAS / CIAS"
    CLIC = "clic", "CLIC"
    DAC = "dac", "DAC"
    STRUCTURE = "structure", "structure du répertoire"
    ASSOCIATION = "association", "association"
    AUTRE = "autre", "autre"


class TypeRole(models.TextChoices):
    ADMINISTRATEUR = "administrateur", "administrateur de la plateforme"
    ANIMATEUR = "animateur", "animateur territorial"
    MODERATEUR = "moderateur", "modérateur"
    PILOTAGE = "pilotage", "pilotage"
    GESTIONNAIRE = "gestionnaire", "gestionnaire de structure"
    PROFESSIONNEL = "professionnel", "professionnel"


def _territoire_coherent(*, vide_permis: bool) -> Q:
    """Le niveau dit lequel des champs région, département, EPCI est rempli (un seul)."""

    def seul(champ: str | None) -> Q:
        return Q(**{f"{c}__isnull": c != champ for c in ("region", "departement", "epci")})

    coherent = (
        Q(niveau__in=[Niveau.NATIONAL, Niveau.COMMUNES]) & seul(None)
        | Q(niveau=Niveau.REGION) & seul("region")
        | Q(niveau=Niveau.DEPARTEMENT) & seul("departement")
        | Q(niveau=Niveau.EPCI) & seul("epci")
    )
    rien = seul(None)
    return coherent | (Q(niveau="") & rien) if vide_permis else coherent


class AvecTerritoire(models.Model):
    """Un territoire : national, une région, un département, un EPCI ou des communes."""

    niveau = models.CharField("niveau du territoire", max_length=12, choices=Niveau.choices)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    epci = models.ForeignKey(
        EPCI, verbose_name="EPCI", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    communes = models.ManyToManyField(Commune, blank=True, related_name="+")

    class Meta:
        abstract = True

    def perimetre_propre(self) -> Perimetre | None:
        """Le périmètre saisi sur cette ligne (None si aucun niveau n'est choisi)."""
        if not self.niveau:
            return None
        code = {
            Niveau.REGION: self.region_id,
            Niveau.DEPARTEMENT: self.departement_id,
            Niveau.EPCI: self.epci_id,
        }.get(Niveau(self.niveau))
        if self.niveau == Niveau.COMMUNES:
            codes = [commune.pk for commune in self.communes.all()] if self.pk else []
            return Perimetre(Niveau.COMMUNES, frozenset(codes))
        return Perimetre(Niveau(self.niveau), frozenset({code}) if code else frozenset())

    def libelle_territoire(self) -> str:
        """« département : Nièvre », « national »… (vide si aucun niveau n'est choisi)."""
        if not self.niveau:
            return ""
        lieu = {
            Niveau.REGION: self.region,
            Niveau.DEPARTEMENT: self.departement,
            Niveau.EPCI: self.epci,
        }.get(Niveau(self.niveau))
        if self.niveau == Niveau.COMMUNES and self.pk:
            lieu = ", ".join(commune.nom for commune in self.communes.all())
        return f"{self.get_niveau_display()} : {lieu}" if lieu else self.get_niveau_display()

    def _verifier_territoire(self) -> None:
        attendu = {
            Niveau.REGION: "region",
            Niveau.DEPARTEMENT: "departement",
            Niveau.EPCI: "epci",
        }.get(self.niveau)
        erreurs = {}
        for champ in ("region", "departement", "epci"):
            rempli = getattr(self, f"{champ}_id") is not None
            if champ == attendu and not rempli:
                erreurs[champ] = "Choisissez le territoire de ce niveau."
            elif champ != attendu and rempli:
                erreurs[champ] = "Ce champ doit rester vide pour le niveau choisi."
        if erreurs:
            raise ValidationError(erreurs)


class Institution(AvecTerritoire):
    """Une institution du service public de l'autonomie, ou une structure, une association.

    Le lien vers une fiche du répertoire est porté par le répertoire (une structure désigne
    l'institution qui la gère), parce que `repertoire` dépend de `comptes` et jamais
    l'inverse (ARCHITECTURE.md, docs/adr/0008-comptes-et-roles.md).
    """

    type = models.CharField(max_length=24, choices=TypeInstitution.choices)
    nom = models.CharField(max_length=200)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    historique = HistoricalRecords(excluded_fields=["cree_le"])

    class Meta:
        verbose_name = "institution"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=_territoire_coherent(vide_permis=False),
                name="institution_territoire_coherent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_type_display()})"

    def clean(self) -> None:
        self._verifier_territoire()
        perimetre = self.perimetre_propre()
        hors = self.niveau != Niveau.COMMUNES and not recoupe_le_deploiement(perimetre)
        if perimetre and perimetre.codes and hors:
            raise ValidationError(
                {"niveau": "Ce territoire ne touche aucun des départements que sert la plateforme "
                 f"({nom_du_territoire_servi()})."}
            )  # fmt: skip

    def perimetre(self) -> Perimetre:
        perimetre = self.perimetre_propre()
        assert perimetre is not None, "une institution a toujours un niveau"
        return perimetre


class RoleQuerySet(models.QuerySet):
    def actifs(self, *, le: dt.date | None = None) -> "RoleQuerySet":
        """Rôles en vigueur à une date : non désactivés, non échus, d'un compte actif."""
        le = le or timezone.localdate()
        return self.filter(actif=True, utilisateur__is_active=True).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gt=le)
        )


class Role(AvecTerritoire):
    """Ce qu'une personne fait pour une institution, sur un territoire.

    Sans niveau, le territoire est celui de l'institution. Un rôle n'est jamais supprimé
    pour retirer un droit : on le désactive ou on lui donne une date de fin, l'historique
    garde qui l'a tenu (issue 10, « deactivation keeps history »).
    """

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="personne", on_delete=models.CASCADE,
        related_name="roles",
    )  # fmt: skip
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="roles")
    type = models.CharField(max_length=16, choices=TypeRole.choices)
    niveau = models.CharField(
        "niveau du territoire", max_length=12, choices=Niveau.choices, blank=True,
        help_text="Vide : le territoire de l'institution.",
    )  # fmt: skip
    actif = models.BooleanField(default=True)
    date_fin = models.DateField(
        "date de fin", null=True, blank=True, help_text="Le rôle cesse ce jour-là."
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = RoleQuerySet.as_manager()
    historique = HistoricalRecords(excluded_fields=["cree_le"])

    class Meta:
        verbose_name = "rôle"
        ordering = ["utilisateur", "type"]
        constraints = [
            models.CheckConstraint(
                condition=_territoire_coherent(vide_permis=True),
                name="role_territoire_coherent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.institution.nom}"

    def perimetre(self) -> Perimetre:
        return self.perimetre_propre() or self.institution.perimetre()

    def libelle_territoire(self) -> str:
        return super().libelle_territoire() or self.institution.libelle_territoire()

    def est_en_vigueur(self, *, le: dt.date | None = None) -> bool:
        le = le or timezone.localdate()
        return self.actif and (self.date_fin is None or self.date_fin > le)

    def clean(self) -> None:
        self._verifier_territoire()
        # Les communes d'un rôle ne sont connues qu'après l'enregistrement (formulaire m2m) :
        # l'inclusion se vérifie ici pour les autres niveaux.
        a_verifier = self.niveau and self.niveau != Niveau.COMMUNES and self.institution_id
        if a_verifier and not contient(self.institution.perimetre(), self.perimetre()):
            raise ValidationError(
                {"niveau": "Le territoire d'un rôle doit être dans celui de l'institution."}
            )


class InvitationQuerySet(models.QuerySet):
    def par_jeton(self, jeton: str) -> "Invitation | None":
        """L'invitation de ce lien (seule l'empreinte du jeton est en base)."""
        return self.filter(jeton_empreinte=empreinte_jeton(jeton)).first()


def empreinte_jeton(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


class Invitation(AvecTerritoire):
    """Une personne invitée par courriel à tenir un rôle pour une institution.

    Le jeton du lien n'est gardé qu'en empreinte (SHA-256) : une copie de la base ne donne
    aucun lien valable. Le lien expire après `COMPTES_INVITATION_JOURS` et ne sert qu'une fois.
    """

    adresse = models.EmailField("adresse électronique")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="invitations"
    )
    type = models.CharField("rôle", max_length=16, choices=TypeRole.choices)
    niveau = models.CharField(
        "niveau du territoire", max_length=12, choices=Niveau.choices, blank=True,
        help_text="Vide : le territoire de l'institution.",
    )  # fmt: skip
    invitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="invitée par", on_delete=models.SET_NULL,
        null=True, related_name="+",
    )  # fmt: skip
    jeton_empreinte = models.CharField(max_length=64, unique=True, editable=False)
    expire_le = models.DateTimeField("expire le")
    acceptee_le = models.DateTimeField("acceptée le", null=True, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-cree_le"]
        constraints = [
            models.CheckConstraint(
                condition=_territoire_coherent(vide_permis=True),
                name="invitation_territoire_coherent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.institution.nom}"

    @property
    def role_invite(self) -> TypeRole | None:
        return TypeRole(self.type) if self.type else None

    @property
    def institution_gestionnaire_id(self) -> int | None:
        """Pour `peut` : un gestionnaire de structure n'invite que pour son institution."""
        return self.institution_id

    def territoire_pour_permissions(self) -> Perimetre:
        return self.perimetre_propre() or self.institution.perimetre()

    def clean(self) -> None:
        self._verifier_territoire()
        a_verifier = self.niveau and self.niveau != Niveau.COMMUNES and self.institution_id
        if a_verifier and not contient(self.institution.perimetre(), self.perimetre_propre()):
            raise ValidationError(
                {"niveau": "Le territoire d'un rôle doit être dans celui de l'institution."}
            )

    def est_expiree(self, *, maintenant: dt.datetime | None = None) -> bool:
        return (maintenant or timezone.now()) >= self.expire_le

    def est_utilisable(self) -> bool:
        return self.acceptee_le is None and not self.est_expiree()


class FermetureSessions(models.Model):
    """Les sessions d'une personne ouvertes avant `le` ne valent plus (rôle retiré, compte
    désactivé) : `comptes.middleware.SessionsFermeesMiddleware` les ferme à la requête suivante."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    le = models.DateTimeField()

    class Meta:
        verbose_name = "fermeture des sessions"
        verbose_name_plural = "fermetures des sessions"

    def __str__(self) -> str:
        return f"sessions du compte {self.utilisateur_id} fermées le {self.le:%d/%m/%Y %H:%M}"
