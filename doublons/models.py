"""Les paires de services que la détection propose comme doublons, et la décision prise."""

from django.conf import settings
from django.db import models

from repertoire.models import Service


class CandidatQuerySet(models.QuerySet):
    def a_examiner(self) -> "CandidatQuerySet":
        return self.filter(statut=Candidat.Statut.A_EXAMINER)

    def de(self, service: Service) -> "CandidatQuerySet":
        return self.filter(models.Q(service_a=service) | models.Q(service_b=service))


class Candidat(models.Model):
    """Deux services qui pourraient être la même offre. La paire est rangée (`service_a` a la
    plus petite clé) et unique : deux détections, même simultanées, n'en font qu'une ligne, et
    une paire déclarée distincte n'est jamais reproposée."""

    class Statut(models.TextChoices):
        A_EXAMINER = "a-examiner", "à examiner"
        FUSIONNES = "fusionnes", "fusionnés"
        DISTINCTS = "distincts", "ce ne sont pas des doublons"

    class Motif(models.TextChoices):
        FINESS = "finess", "même établissement FINESS"
        SIRET = "siret", "même SIRET"
        COMMUNE = "commune", "nom proche, même commune"
        PROXIMITE = "proximite", "nom proche, lieux voisins"

    service_a = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    service_b = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    motifs = models.JSONField(default=list)
    score = models.PositiveSmallIntegerField("similarité des noms (sur 100)")
    distance_m = models.PositiveIntegerField("distance entre les lieux (m)", null=True)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.A_EXAMINER)
    detecte_le = models.DateTimeField("détecté le", auto_now_add=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidé par",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decide_le = models.DateTimeField("décidé le", null=True)
    gardee = models.ForeignKey(
        Service, verbose_name="fiche gardée", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CandidatQuerySet.as_manager()

    class Meta:
        verbose_name = "doublon possible"
        verbose_name_plural = "doublons possibles"
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service_a", "service_b"], name="doublon_paire_unique"),
            models.CheckConstraint(
                condition=models.Q(service_a__lt=models.F("service_b")),
                name="doublon_paire_rangee",
            ),
        ]
        indexes = [models.Index(fields=["statut"], name="doublon_statut")]

    def __str__(self) -> str:
        return f"{self.service_a_id} ~ {self.service_b_id}"

    def libelles_motifs(self) -> list[str]:
        return [self.Motif(motif).label for motif in self.motifs]
