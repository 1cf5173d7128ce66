"""Ce que les échanges retiennent d'eux-mêmes : le journal des imports FINESS."""

from django.db import models
from django.utils import timezone


class ImportFiness(models.Model):
    """Un passage de l'import FINESS : ce que le fichier contenait, pour juger le suivant.

    Un fichier tronqué se reconnaît à une baisse brutale du nombre d'ET par rapport au dernier
    import terminé du même périmètre (docs/adr/0005-import-finess-en-production.md). `fin` vide :
    l'écriture a été interrompue, le prochain import du même fichier la complète.
    """

    fichier = models.CharField(max_length=255)
    date_fichier = models.DateField("date d'extraction", null=True, blank=True)
    perimetre = models.TextField(help_text="départements et catégories importés")
    etablissements = models.PositiveIntegerField(help_text="ET du périmètre dans le fichier")
    geolocalises = models.PositiveIntegerField(help_text="dont ET avec une ligne geolocalisation")
    debut = models.DateTimeField(default=timezone.now)
    fin = models.DateTimeField(null=True, blank=True, help_text="vide : écriture interrompue")

    class Meta:
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"
        ordering = ["-debut"]

    def __str__(self) -> str:
        return f"{self.fichier} ({self.perimetre})"
