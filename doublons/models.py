"""Les paires de fiches que la détection propose comme doublons, et la décision prise : des
services (`Candidat`) et des structures (`CandidatStructure`), mêmes champs, même cycle."""

from django.conf import settings
from django.db import models

from repertoire.models import Service, Structure


class PaireQuerySet(models.QuerySet):
    def a_examiner(self) -> "PaireQuerySet":
        return self.filter(statut=Paire.Statut.A_EXAMINER)

    def de(self, fiche: Service | Structure) -> "PaireQuerySet":
        a, b = self.model.FICHES
        return self.filter(models.Q(**{a: fiche}) | models.Q(**{b: fiche}))


class Paire(models.Model):
    """Deux fiches qui pourraient être la même. La paire est rangée (la fiche `_a` a la plus
    petite clé) et unique : deux détections, même simultanées, n'en font qu'une ligne, et une
    paire déclarée distincte n'est jamais reproposée. Chaque sous-classe nomme ses deux fiches
    dans `FICHES` et porte sa `gardee`."""

    FICHES: tuple[str, str]
    NATURE: str  # « services » ou « structures » : les adresses et le gabarit de la paire

    class Statut(models.TextChoices):
        A_EXAMINER = "a-examiner", "à examiner"
        FUSIONNES = "fusionnes", "fusionnés"
        DISTINCTS = "distincts", "ce ne sont pas des doublons"

    class Motif(models.TextChoices):
        FINESS = "finess", "même établissement FINESS"
        FINESS_EJ = "finess-ej", "même FINESS juridique"
        SIRET = "siret", "même SIRET"
        COMMUNE = "commune", "nom proche, même commune"
        PROXIMITE = "proximite", "nom proche, lieux voisins"

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

    objects = PaireQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-score", "pk"]

    def __str__(self) -> str:
        a, b = self.cles
        return f"{a} ~ {b}"

    @property
    def cles(self) -> tuple[int, int]:
        a, b = self.FICHES
        return getattr(self, f"{a}_id"), getattr(self, f"{b}_id")

    @property
    def fiches(self) -> tuple[Service | Structure, Service | Structure]:
        a, b = self.FICHES
        return getattr(self, a), getattr(self, b)

    def libelles_motifs(self) -> list[str]:
        return [self.Motif(motif).label for motif in self.motifs]


class Candidat(Paire):
    """Deux services qui pourraient être la même offre."""

    FICHES = ("service_a", "service_b")
    NATURE = "services"

    service_a = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    service_b = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    gardee = models.ForeignKey(
        Service, verbose_name="fiche gardée", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta(Paire.Meta):
        verbose_name = "doublon possible"
        verbose_name_plural = "doublons possibles"
        constraints = [
            models.UniqueConstraint(fields=["service_a", "service_b"], name="doublon_paire_unique"),
            models.CheckConstraint(
                condition=models.Q(service_a__lt=models.F("service_b")),
                name="doublon_paire_rangee",
            ),
        ]
        indexes = [models.Index(fields=["statut"], name="doublon_statut")]


class CandidatStructure(Paire):
    """Deux structures qui pourraient être le même organisme (même SIRET, même FINESS
    juridique, ou nom proche à une adresse proche)."""

    FICHES = ("structure_a", "structure_b")
    NATURE = "structures"

    structure_a = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    structure_b = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    gardee = models.ForeignKey(
        Structure,
        verbose_name="fiche gardée",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta(Paire.Meta):
        verbose_name = "doublon possible de structures"
        verbose_name_plural = "doublons possibles de structures"
        constraints = [
            models.UniqueConstraint(
                fields=["structure_a", "structure_b"], name="doublon_structures_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(structure_a__lt=models.F("structure_b")),
                name="doublon_structures_rangee",
            ),
        ]
        indexes = [models.Index(fields=["statut"], name="doublon_structures_statut")]
