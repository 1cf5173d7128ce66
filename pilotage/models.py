"""Pilotage des MDPH : demandes et leurs transitions, agrégats trimestriels, baromètres, cibles.

Les statuts et natures suivent l'arrêté du 13 septembre 2010 (remontées des MDPH à la CNSA) :
TATDEM déposé / recevable / recevable à compléter / annulé ; TYPDEC attribution / rejet /
sursis ; NATDEM première demande / réexamen.
"""

from django.db import models

from territoires.models import Departement


class Prestation(models.TextChoices):
    AAH = "aah", "AAH"
    AEEH = "aeeh", "AEEH"
    PCH = "pch", "PCH"
    RQTH = "rqth", "RQTH"
    CMI_INVALIDITE = "cmi_invalidite", "CMI invalidité"
    CMI_PRIORITE = "cmi_priorite", "CMI priorité"
    CMI_STATIONNEMENT = "cmi_stationnement", "CMI stationnement"
    ORIENTATION_ESMS_ENFANTS = "orientation_esms_enfants", "orientation ESMS enfants"
    ORIENTATION_ESMS_ADULTES = "orientation_esms_adultes", "orientation ESMS adultes"
    SCOLARISATION = "scolarisation", "scolarisation"
    ORIENTATION_PROFESSIONNELLE = "orientation_professionnelle", "orientation professionnelle"


class Famille(models.TextChoices):
    """Familles de prestations des agrégats (celles du baromètre CNSA, plus CMI et orientations)."""

    AAH = "aah", "AAH"
    AEEH = "aeeh", "AEEH"
    PCH = "pch", "PCH"
    RQTH = "rqth", "RQTH"
    CMI = "cmi", "CMI"
    ORIENTATION = "orientation", "orientations et scolarisation"


FAMILLE_DE_PRESTATION: dict[str, str] = {
    Prestation.AAH: Famille.AAH,
    Prestation.AEEH: Famille.AEEH,
    Prestation.PCH: Famille.PCH,
    Prestation.RQTH: Famille.RQTH,
    Prestation.CMI_INVALIDITE: Famille.CMI,
    Prestation.CMI_PRIORITE: Famille.CMI,
    Prestation.CMI_STATIONNEMENT: Famille.CMI,
    Prestation.ORIENTATION_ESMS_ENFANTS: Famille.ORIENTATION,
    Prestation.ORIENTATION_ESMS_ADULTES: Famille.ORIENTATION,
    Prestation.SCOLARISATION: Famille.ORIENTATION,
    Prestation.ORIENTATION_PROFESSIONNELLE: Famille.ORIENTATION,
}


class Public(models.TextChoices):
    ENFANT = "enfant", "enfant"
    ADULTE = "adulte", "adulte"


class Nature(models.TextChoices):
    PREMIERE_DEMANDE = "premiere_demande", "première demande"
    REEXAMEN = "reexamen", "réexamen"


class Procedure(models.TextChoices):
    NORMALE = "normale", "normale"
    URGENTE = "urgente", "urgente"


class TypeEvenement(models.TextChoices):
    DEPOSE = "depose", "déposé"
    RECEVABLE_A_COMPLETER = "recevable_a_completer", "recevable à compléter"
    RECEVABLE = "recevable", "recevable"
    EVALUATION = "evaluation", "évaluation"
    DECISION = "decision", "décision"
    NOTIFICATION = "notification", "notification"
    ANNULE = "annule", "annulé"


class TypeDecision(models.TextChoices):
    ATTRIBUTION = "attribution", "attribution"
    REJET = "rejet", "rejet"
    SURSIS = "sursis", "sursis à statuer"


class DemandeQuerySet(models.QuerySet):
    def du_departement(self, code: str) -> "DemandeQuerySet":
        return self.filter(departement_id=code)

    def decidees_entre(self, debut, fin) -> "DemandeQuerySet":
        """Demandes dont la décision CDAPH tombe dans [debut, fin] (périmètre du délai CNSA)."""
        return self.filter(date_decision__gte=debut, date_decision__lte=fin)

    def deposees_entre(self, debut, fin) -> "DemandeQuerySet":
        return self.filter(date_depot__gte=debut, date_depot__lte=fin)

    def en_stock_le(self, jour) -> "DemandeQuerySet":
        """Déposées au plus tard ce jour et ni décidées ni annulées à ce jour."""
        return self.filter(date_depot__lte=jour).exclude(date_sortie__lte=jour)


class Demande(models.Model):
    """Une demande de prestation à une MDPH, avec les dates dénormalisées de ses transitions.

    Les dates sont recalculées depuis le journal `Evenement` par le service d'import ou écrites
    par le générateur, jamais par un signal. `date_sortie` est la première décision ou
    annulation ; `delai_jours` compte les jours de la recevabilité à la décision (définition CNSA).
    """

    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="demandes_mdph", help_text="La MDPH"
    )
    reference = models.CharField(
        max_length=32, help_text="Numéro de demande de la source, pseudonymisé (HMAC)"
    )
    personne = models.CharField(max_length=32, help_text="Identifiant de personne pseudonymisé")
    dossier = models.CharField(max_length=32, help_text="Numéro de dossier pseudonymisé")
    prestation = models.CharField(max_length=30, choices=Prestation.choices)
    famille = models.CharField(max_length=12, choices=Famille.choices)
    public = models.CharField(max_length=6, choices=Public.choices)
    nature = models.CharField(max_length=16, choices=Nature.choices)
    procedure = models.CharField(max_length=7, choices=Procedure.choices)

    date_depot = models.DateField()
    date_recevable_a_completer = models.DateField(null=True, blank=True)
    date_recevable = models.DateField(null=True, blank=True)
    date_evaluation = models.DateField(null=True, blank=True)
    date_decision = models.DateField(null=True, blank=True)
    type_decision = models.CharField(
        max_length=11, choices=TypeDecision.choices, blank=True, default=""
    )
    sans_limitation = models.BooleanField(null=True, blank=True, help_text="Droit sans limite")
    duree_mois = models.PositiveSmallIntegerField(null=True, blank=True)
    date_notification = models.DateField(null=True, blank=True)
    date_annulation = models.DateField(null=True, blank=True)
    date_sortie = models.DateField(null=True, blank=True)
    delai_jours = models.PositiveIntegerField(null=True, blank=True)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "reference"], name="demande_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["departement", "date_depot"], name="demande_dep_depot"),
            models.Index(fields=["departement", "date_decision"], name="demande_dep_decision"),
            models.Index(fields=["departement", "date_sortie"], name="demande_dep_sortie"),
        ]

    def __str__(self) -> str:
        return f"{self.get_prestation_display()} {self.reference[:8]} ({self.departement_id})"


class Evenement(models.Model):
    """Une transition datée d'une demande (journal, une ligne par transition)."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField(max_length=21, choices=TypeEvenement.choices)
    date = models.DateField()
    type_decision = models.CharField(
        max_length=11, choices=TypeDecision.choices, blank=True, default=""
    )
    sans_limitation = models.BooleanField(null=True, blank=True)
    duree_mois = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "événement"
        constraints = [
            models.UniqueConstraint(
                fields=["demande", "type", "date"], name="evenement_demande_type_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} le {self.date:%d/%m/%Y}"


class AgregatQuerySet(models.QuerySet):
    def du_trimestre(self, annee: int, trimestre: int) -> "AgregatQuerySet":
        return self.filter(annee=annee, trimestre=trimestre)

    def des_departements(self, codes: list[str] | None) -> "AgregatQuerySet":
        return self if codes is None else self.filter(departement_id__in=codes)


class AgregatTrimestriel(models.Model):
    """Sommes par MDPH × trimestre × famille × public ; les indicateurs en sont des ratios."""

    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="+")
    annee = models.PositiveSmallIntegerField()
    trimestre = models.PositiveSmallIntegerField()
    famille = models.CharField(max_length=12, choices=Famille.choices)
    public = models.CharField(max_length=6, choices=Public.choices)
    nouvelles_demandes = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0)
    decisions_mesurees = models.PositiveIntegerField(
        default=0, help_text="Décisions dont la date de recevabilité est connue"
    )
    jours_traitement = models.PositiveBigIntegerField(
        default=0, help_text="Σ jours de la recevabilité à la décision"
    )
    attributions = models.PositiveIntegerField(
        default=0, help_text="Décisions d'attribution (les droits ouverts)"
    )
    decisions_sans_limitation = models.PositiveIntegerField(default=0)
    droits_scolarisation = models.PositiveIntegerField(
        default=0, help_text="Attributions de scolarisation à durée limitée"
    )
    mois_droits_scolarisation = models.PositiveIntegerField(
        default=0, help_text="Σ durées (mois) de ces attributions"
    )
    stock_fin = models.PositiveIntegerField(
        default=0, help_text="Demandes ni décidées ni annulées au dernier jour du trimestre"
    )

    objects = AgregatQuerySet.as_manager()

    class Meta:
        verbose_name = "agrégat trimestriel"
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "annee", "trimestre", "famille", "public"],
                name="agregat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.departement_id} {self.annee}-T{self.trimestre} {self.famille} {self.public}"


class Maille(models.TextChoices):
    DEPARTEMENT = "DEPT", "département"
    REGION = "REG", "région"
    NATIONAL = "NAT", "national"


class Sens(models.TextChoices):
    BAISSE = "baisse", "doit baisser"
    HAUSSE = "hausse", "doit monter"


class Indicateur(models.Model):
    code = models.CharField(max_length=40, unique=True, help_text="IND-297, etalab-dmt-aah…")
    libelle = models.CharField(max_length=200)
    unite = models.CharField(max_length=20, default="mois")
    sens = models.CharField(max_length=6, choices=Sens.choices, default=Sens.BAISSE)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.libelle or self.code


class ValeurBarometre(models.Model):
    """Une valeur publiée (baromètre Etalab ou DITP), rattachée à un trimestre civil."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="valeurs")
    maille = models.CharField(max_length=4, choices=Maille.choices)
    territoire = models.CharField(max_length=3, help_text="01, 2A, 971 ; 84 ; FR")
    annee = models.PositiveSmallIntegerField()
    trimestre = models.PositiveSmallIntegerField()
    valeur = models.FloatField()

    class Meta:
        verbose_name = "valeur de baromètre"
        verbose_name_plural = "valeurs de baromètre"
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "maille", "territoire", "annee", "trimestre"],
                name="valeur_barometre_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicateur_id} {self.territoire} {self.annee}-T{self.trimestre}"


class Cible(models.Model):
    """Valeur initiale, actuelle et cible d'un indicateur sur un territoire (format DITP)."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="cibles")
    maille = models.CharField(max_length=4, choices=Maille.choices)
    territoire = models.CharField(max_length=3)
    valeur_initiale = models.FloatField(null=True, blank=True)
    date_initiale = models.DateField(null=True, blank=True)
    valeur_actuelle = models.FloatField(null=True, blank=True)
    date_actuelle = models.DateField(null=True, blank=True)
    valeur_cible = models.FloatField(null=True, blank=True)
    date_cible = models.DateField(null=True, blank=True)
    taux_publie = models.FloatField(
        null=True, blank=True, help_text="indic_ta publié, pour contrôle"
    )
    date_taux_publie = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "maille", "territoire"], name="cible_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicateur_id} {self.territoire} → {self.valeur_cible}"

    def taux_avancement(self) -> float | None:
        """Taux d'avancement DITP, selon le sens de l'indicateur (voir `taux_avancement`)."""
        from pilotage.indicateurs import taux_avancement

        if None in (self.valeur_initiale, self.valeur_actuelle, self.valeur_cible):
            return None
        return taux_avancement(
            initiale=self.valeur_initiale,
            actuelle=self.valeur_actuelle,
            cible=self.valeur_cible,
            sens=self.indicateur.sens,
        )


class Axe(models.TextChoices):
    """Les trois axes du cadre de coopération de la branche Autonomie (2022)."""

    SERVICE_RENDU = "service_rendu", "Améliorer le service rendu aux personnes"
    OFFRE = "offre", "Organiser l'offre"
    EFFICIENCE = "efficience", "Gagner en efficience"


class Priorite(models.Model):
    """Une des 11 priorités stratégiques de la branche Autonomie (cadre de coopération, 2022).

    Catalogue tenu dans le code (`pilotage.priorites`) et synchronisé par
    `synchroniser_priorites()` ; les indicateurs suivis sont choisis parmi les existants.
    """

    numero = models.PositiveSmallIntegerField(primary_key=True)
    axe = models.CharField(max_length=13, choices=Axe.choices)
    titre = models.CharField(max_length=200)
    precisions = models.TextField(blank=True)
    indicateurs = models.ManyToManyField(Indicateur, related_name="priorites", blank=True)

    class Meta:
        verbose_name = "priorité stratégique"
        verbose_name_plural = "priorités stratégiques"
        ordering = ["numero"]

    def __str__(self) -> str:
        return f"{self.numero}. {self.titre}"


class Frequence(models.TextChoices):
    TRIMESTRIELLE = "trimestrielle", "trimestrielle"
    ANNUELLE = "annuelle", "annuelle"
    CONTINUE = "continue", "en continu"


class FicheIndicateur(models.Model):
    """Métadonnées d'un indicateur : définition, source, fréquence, mode de calcul.

    Le sens (doit baisser ou monter) et l'unité restent sur `Indicateur` ; les valeurs par
    territoire sont calculées depuis les agrégats (`mesure` renseignée) ou lues dans les
    valeurs publiées (`ValeurBarometre`) ; les cibles sont des `Cible`.
    """

    indicateur = models.OneToOneField(
        Indicateur, on_delete=models.CASCADE, primary_key=True, related_name="fiche"
    )
    definition = models.TextField()
    source = models.CharField(max_length=300)
    frequence = models.CharField(max_length=13, choices=Frequence.choices)
    mesure = models.CharField(
        max_length=40,
        blank=True,
        help_text="Calcul depuis les demandes et agrégats (pilotage.mesures) ; vide : valeurs "
        "publiées ; « non_connectee » : source pas encore raccordée",
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "fiche d'indicateur"
        verbose_name_plural = "fiches d'indicateur"
        ordering = ["ordre", "indicateur__code"]

    def __str__(self) -> str:
        return f"Fiche {self.indicateur.code}"
