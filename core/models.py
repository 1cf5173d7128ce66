"""Les quelques tables du socle, qui ne connaissent aucune application métier."""

from django.db import connections, models, router


class CompteurDebitQuerySet(models.QuerySet):
    def compter(self, *, fenetre: int, adresse: str) -> int:
        """Ajoute une requête au compteur de l'adresse pour la fenêtre et rend le nouveau total.

        Une seule instruction (INSERT … ON CONFLICT DO UPDATE … RETURNING, identique sous
        PostgreSQL et SQLite ≥ 3.35) : la base sérialise les incréments d'une même ligne,
        aucune requête d'une rafale simultanée ne lit un total périmé.
        """
        connexion = connections[router.db_for_write(self.model)]
        q = connexion.ops.quote_name
        table, n = q(self.model._meta.db_table), q("requetes")
        sql = (
            f"INSERT INTO {table} ({q('fenetre')}, {q('adresse')}, {n}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({q('fenetre')}, {q('adresse')}) DO UPDATE SET {n} = {table}.{n} + 1 "
            f"RETURNING {n}"
        )
        with connexion.cursor() as curseur:
            curseur.execute(sql, [fenetre, adresse])
            return curseur.fetchone()[0]

    def anterieurs_a(self, fenetre: int) -> "CompteurDebitQuerySet":
        return self.filter(fenetre__lt=fenetre)


class CompteurDebit(models.Model):
    """Requêtes reçues d'une adresse pendant une fenêtre d'une minute (core/limitation.py)."""

    fenetre = models.BigIntegerField(help_text="minutes écoulées depuis le 1er janvier 1970")
    adresse = models.CharField(max_length=45)
    requetes = models.PositiveIntegerField(default=1)

    objects = CompteurDebitQuerySet.as_manager()

    class Meta:
        verbose_name = "compteur de débit"
        constraints = [
            # La fenêtre en tête : l'index sert aussi la purge des fenêtres passées.
            models.UniqueConstraint(fields=["fenetre", "adresse"], name="compteur_debit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.adresse} : {self.requetes} (fenêtre {self.fenetre})"
