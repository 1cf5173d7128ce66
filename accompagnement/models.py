"""Dossier d'accompagnement d'une MDPH en difficulté (issue 12, § 4).

Engagement tripartite CNSA – Département – MDPH, grille de diagnostic (axes fixes), plan
d'actions (états explicites, django-fsm-2), moyens de renfort ; l'évaluation avant/après est
calculée depuis les données (`accompagnement.evaluation`), jamais saisie. Chaque table garde
son historique (django-simple-history).
"""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from territoires.models import Departement


class Accompagnement(models.Model):
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", help_text="La MDPH accompagnée"
    )
    motif = models.TextField(help_text="L'alerte qui a conduit à l'accompagnement")
    debut = models.DateField(
        help_text="Début de l'accompagnement (date de l'évaluation avant/après)"
    )
    fin = models.DateField(null=True, blank=True)
    # L'engagement tripartite : une convention par dossier.
    signataire_cnsa = models.CharField("signataire pour la CNSA", max_length=200, blank=True)
    signataire_departement = models.CharField(
        "signataire pour le Département", max_length=200, blank=True
    )
    signataire_mdph = models.CharField("signataire pour la MDPH", max_length=200, blank=True)
    date_signature = models.DateField("date de signature", null=True, blank=True)
    reference_document = models.CharField("référence du document signé", max_length=200, blank=True)
    ouvert_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    historique = HistoricalRecords()

    class Meta:
        ordering = ["-debut", "departement_id"]

    def __str__(self) -> str:
        return f"Accompagnement de la MDPH {self.departement_id} depuis le {self.debut:%d/%m/%Y}"

    def territoire_pour_permissions(self) -> Departement:
        return self.departement

    @property
    def engagement_signe(self) -> bool:
        return bool(
            self.signataire_cnsa
            and self.signataire_departement
            and self.signataire_mdph
            and self.date_signature
        )


class AxeDiagnostic(models.TextChoices):
    """Les axes du diagnostic, ceux du référentiel de missions et de qualité de service des
    MDPH, resserrés sur ce qui fait un délai ou un stock."""

    ACCUEIL = "accueil", "Accueil, information et dépôt des demandes"
    RECEVABILITE = "recevabilite", "Recevabilité et complétude des dossiers"
    EVALUATION = "evaluation", "Évaluation par l'équipe pluridisciplinaire"
    CDAPH = "cdaph", "Organisation des CDAPH et décision"
    NOTIFICATION = "notification", "Notification et suivi des décisions"
    RESSOURCES_HUMAINES = "ressources_humaines", "Effectifs, absentéisme et formation"
    SYSTEME_INFORMATION = "systeme_information", "Système d'information et dématérialisation"
    PILOTAGE = "pilotage", "Pilotage, tableaux de bord et partenariats"


class Niveau(models.TextChoices):
    SATISFAISANT = "satisfaisant", "satisfaisant"
    A_AMELIORER = "a_ameliorer", "à améliorer"
    CRITIQUE = "critique", "critique"


class Diagnostic(models.Model):
    accompagnement = models.ForeignKey(
        Accompagnement, on_delete=models.CASCADE, related_name="diagnostics"
    )
    axe = models.CharField(max_length=20, choices=AxeDiagnostic.choices)
    niveau = models.CharField(max_length=12, choices=Niveau.choices)
    commentaire = models.TextField(blank=True)
    historique = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["accompagnement", "axe"], name="diagnostic_axe_unique")
        ]

    def __str__(self) -> str:
        return f"Diagnostic : {self.get_axe_display()}, {self.get_niveau_display()}"


class EtatAction(models.TextChoices):
    A_FAIRE = "a_faire", "à faire"
    EN_COURS = "en_cours", "en cours"
    REALISEE = "realisee", "réalisée"
    ABANDONNEE = "abandonnee", "abandonnée"


class ActionPlan(models.Model):
    """Une action du plan : à faire → en cours → réalisée ; abandonnée tant qu'elle n'est pas
    réalisée. Une action réalisée ou abandonnée ne revient pas en arrière (on en crée une autre)."""

    accompagnement = models.ForeignKey(
        Accompagnement, on_delete=models.CASCADE, related_name="actions"
    )
    intitule = models.CharField("intitulé", max_length=300)
    responsable = models.CharField(max_length=200)
    echeance = models.DateField("échéance")
    etat = FSMField(default=EtatAction.A_FAIRE, choices=EtatAction.choices, protected=True)
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "action du plan"
        verbose_name_plural = "actions du plan"
        ordering = ["echeance", "id"]

    def __str__(self) -> str:
        return self.intitule

    @transition(field=etat, source=EtatAction.A_FAIRE, target=EtatAction.EN_COURS)
    def demarrer(self) -> None:
        pass

    @transition(field=etat, source=EtatAction.EN_COURS, target=EtatAction.REALISEE)
    def terminer(self) -> None:
        pass

    @transition(
        field=etat, source=[EtatAction.A_FAIRE, EtatAction.EN_COURS], target=EtatAction.ABANDONNEE
    )
    def abandonner(self) -> None:
        pass


class Renfort(models.Model):
    """Moyens de renfort : des agents (ETP) pendant des mois, et un budget."""

    accompagnement = models.ForeignKey(
        Accompagnement, on_delete=models.CASCADE, related_name="renforts"
    )
    intitule = models.CharField("intitulé", max_length=200)
    agents_etp = models.DecimalField("agents (ETP)", max_digits=5, decimal_places=1)
    mois = models.PositiveSmallIntegerField()
    budget_euros = models.PositiveIntegerField("budget (euros)", default=0)
    historique = HistoricalRecords()

    class Meta:
        verbose_name = "renfort"

    def __str__(self) -> str:
        return f"Renfort : {self.intitule}"

    @property
    def agents_mois(self) -> float:
        return float(self.agents_etp) * self.mois
