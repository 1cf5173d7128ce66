"""Le questionnaire « Ma MDPH, mon avis », versionné, ses réponses anonymes et leurs comptes.

Trois sortes de tables (voir docs/adr/00XX-sat-satisfaction-modele-et-anonymat.md) :
- le questionnaire : `Version` (figée dès sa première réponse) et ses `Question` (clé stable,
  signature du libellé et des choix : deux questions de même clé et même signature se
  comparent d'une version à l'autre) ;
- les réponses : `Reponse`, une ligne par questionnaire rempli, sans adresse, sans heure (le
  mois seulement), ses valeurs en JSON (la source, relue pour recompter) ;
- les comptes : `Comptage`, une ligne par MDPH × mois × origine × sous-groupe × question ×
  niveau, incrémentée à chaque réponse (ce que lisent les résultats, en sommes) ;
  `ResultatPublie` : les résultats publiés importés (historique national et par MDPH).
"""

from django.db import connections, models, router

from territoires.models import Departement

CLE_REPONDANTS = "_repondants"  # la ligne de Comptage qui compte les questionnaires eux-mêmes
SEGMENT_TOUS = "tous"
INDEX_POOLE = [
    "segment", "question", "signature", "niveau", "mois", "origine", "departement", "nombre",
]  # fmt: skip
CLE_COMPTAGE = ["departement", "mois", "origine", "segment", "question", "signature", "niveau"]


class Niveau(models.TextChoices):
    """L'échelle publiée de la mesure de satisfaction (quatre niveaux), et « non concerné »,
    hors du dénominateur du taux de satisfaction."""

    TRES_SATISFAIT = "tres_satisfait", "Très satisfait"
    SATISFAIT = "satisfait", "Satisfait"
    INSATISFAIT = "insatisfait", "Insatisfait"
    TRES_INSATISFAIT = "tres_insatisfait", "Très insatisfait"
    NON_CONCERNE = "non_concerne", "Non concerné"


NIVEAUX_SATISFAITS = (Niveau.TRES_SATISFAIT, Niveau.SATISFAIT)
NIVEAUX_EXPRIMES = (*NIVEAUX_SATISFAITS, Niveau.INSATISFAIT, Niveau.TRES_INSATISFAIT)


class TypeQuestion(models.TextChoices):
    ECHELLE = "echelle", "échelle de satisfaction"
    CHOIX_UNIQUE = "choix_unique", "un seul choix"
    CHOIX_MULTIPLE = "choix_multiple", "plusieurs choix"
    TEXTE = "texte", "texte libre"


class Origine(models.TextChoices):
    EN_LIGNE = "en_ligne", "en ligne"
    PAPIER = "papier", "questionnaire papier"


class VersionQuerySet(models.QuerySet):
    def en_service(self) -> "Version | None":
        return self.filter(en_service=True).first()


class Version(models.Model):
    """Une version du questionnaire. Figée dès sa première réponse : la changer en fait une
    nouvelle (satisfaction/versions.py)."""

    numero = models.PositiveSmallIntegerField(unique=True)
    titre = models.CharField(max_length=200, default="Ma MDPH, mon avis")
    en_service = models.BooleanField(
        default=False, help_text="La version proposée en ligne et imprimée (une seule à la fois)."
    )
    creee_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version du questionnaire"
        verbose_name_plural = "versions du questionnaire"
        ordering = ["numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["en_service"],
                condition=models.Q(en_service=True),
                name="une_seule_version_en_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.titre}, version {self.numero}"

    def est_figee(self) -> bool:
        """Une version qui a reçu une réponse ne change plus (ses résultats en dépendent)."""
        return self.reponses.exists()


class Question(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="questions")
    cle = models.SlugField(
        "clé", max_length=40, help_text="Stable d'une version à l'autre : « accueil », « motifs »."
    )
    etape = models.PositiveSmallIntegerField("étape", help_text="1 à 4")
    ordre = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=16, choices=TypeQuestion.choices)
    libelle = models.CharField("libellé", max_length=300)
    aide = models.CharField(max_length=300, blank=True)
    choix = models.JSONField(
        default=list, blank=True, help_text="[[code, libellé], …] ; vide pour l'échelle et le texte"
    )
    obligatoire = models.BooleanField(default=True)
    croisee = models.BooleanField(
        "croisée", default=False,
        help_text="Ses réponses font des sous-groupes des résultats (pour qui, motifs, état).",
    )  # fmt: skip
    signature = models.CharField(
        max_length=16, editable=False,
        help_text="Empreinte du type, du libellé et des choix : même clé et même signature, "
        "résultats comparables d'une version à l'autre.",
    )  # fmt: skip

    class Meta:
        ordering = ["version", "etape", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["version", "cle"], name="question_cle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cle} (v{self.version.numero})"

    def choix_proposes(self) -> list[tuple[str, str]]:
        if self.type == TypeQuestion.ECHELLE:
            return list(Niveau.choices)
        return [(code, libelle) for code, libelle in self.choix]


class ReponseQuerySet(models.QuerySet):
    def du_departement(self, code: str) -> "ReponseQuerySet":
        return self.filter(departement_id=code)


class Reponse(models.Model):
    """Un questionnaire rempli : ni adresse, ni identifiant, ni heure ; le mois seulement."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="reponses")
    departement = models.ForeignKey(
        Departement, verbose_name="MDPH (département)", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    mois = models.DateField(help_text="Le premier jour du mois de la réponse.")
    origine = models.CharField(max_length=8, choices=Origine.choices, default=Origine.EN_LIGNE)
    valeurs = models.JSONField(
        default=dict, help_text="{clé de question : code, ou liste de codes}, hors texte libre"
    )
    texte_libre = models.TextField(blank=True)
    texte_efface = models.BooleanField(
        "texte effacé", default=False, help_text="Vidé par purger_satisfaction."
    )

    objects = ReponseQuerySet.as_manager()

    class Meta:
        verbose_name = "réponse"
        indexes = [models.Index(fields=["departement", "mois"], name="reponse_dep_mois")]

    def __str__(self) -> str:
        return f"Réponse {self.pk} ({self.departement_id}, {self.mois:%m/%Y})"


class ComptageQuerySet(models.QuerySet):
    CLE = ("departement_id", "mois", "origine", "segment", "question", "signature", "niveau")

    def ajouter(self, comptes: dict[tuple, int]) -> None:
        """Ajoute des comptes {(département, mois, origine, segment, question, signature,
        niveau): n} en une instruction (INSERT … ON CONFLICT DO UPDATE, identique sous
        PostgreSQL et SQLite ≥ 3.24) : deux réponses simultanées ne perdent aucun compte.
        Les clés sont uniques (un dict) : PostgreSQL refuse de toucher deux fois une ligne."""
        if not comptes:
            return
        connexion = connections[router.db_for_write(self.model)]
        q = connexion.ops.quote_name
        table, n = q(self.model._meta.db_table), q("nombre")
        colonnes = ", ".join(q(nom) for nom in self.CLE)
        lignes = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(comptes))
        sql = (
            f"INSERT INTO {table} ({colonnes}, {n}) VALUES {lignes} "
            f"ON CONFLICT ({colonnes}) DO UPDATE SET {n} = {table}.{n} + EXCLUDED.{n}"
        )
        champ_mois = self.model._meta.get_field("mois")
        parametres: list = []
        # Toujours dans le même ordre : deux réponses simultanées verrouillent leurs lignes
        # communes dans le même ordre, sans interblocage sous PostgreSQL.
        for (departement, mois, *reste), nombre in sorted(comptes.items()):
            parametres += [departement, champ_mois.get_db_prep_value(mois, connexion)]
            parametres += [*reste, nombre]
        with connexion.cursor() as curseur:
            curseur.execute(sql, parametres)

    def du_segment(self, segment: str = SEGMENT_TOUS) -> "ComptageQuerySet":
        return self.filter(segment=segment)


class Comptage(models.Model):
    """Combien de réponses ont donné `niveau` à `question`, pour une MDPH, un mois, une
    origine et un sous-groupe (`tous`, ou `pour_qui=proche`, `motifs=cmi`…).

    La table que lisent les résultats : des sommes de comptes, jamais des moyennes de taux ;
    sa taille ne dépend pas du nombre de réponses. Recalculable depuis `Reponse`
    (`recompter_satisfaction`). La question `_repondants` compte les questionnaires.
    """

    # Pas d'index propre : la contrainte unique commence par le département.
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mois = models.DateField()
    origine = models.CharField(max_length=8, choices=Origine.choices)
    segment = models.CharField(max_length=80, help_text="« tous » ou « clé=code »")
    question = models.CharField(max_length=40, help_text="clé de la question")
    signature = models.CharField(max_length=16, blank=True)
    niveau = models.CharField(max_length=40, blank=True, help_text="niveau ou code choisi")
    nombre = models.PositiveIntegerField(default=0)

    objects = ComptageQuerySet.as_manager()

    class Meta:
        verbose_name = "comptage"
        constraints = [
            # Le département et le mois en tête : l'index sert la page d'une MDPH.
            models.UniqueConstraint(fields=CLE_COMPTAGE, name="comptage_unique")
        ]
        # Les résultats nationaux et régionaux (un sous-groupe, une période, tous les
        # départements ou ceux d'une région) lus dans l'index seul, déjà rangés par question
        # et niveau : aucun tri, aucune lecture de la table (docs/adr, mesures).
        indexes = [models.Index(fields=INDEX_POOLE, name="comptage_poole")]

    def __str__(self) -> str:
        quoi = f"{self.segment} {self.question} {self.niveau}"
        return f"{self.departement_id} {self.mois:%m/%Y} {quoi} : {self.nombre}"


class EnvoiRecent(models.Model):
    """L'empreinte d'un envoi en ligne récent, pour n'enregistrer qu'une fois le même
    questionnaire envoyé deux fois (double clic, rechargement) : HMAC du jour (adresse,
    MDPH, réponses), gardée SATISFACTION_DOUBLON_MINUTES puis effacée. Aucun lien vers la
    réponse enregistrée."""

    empreinte = models.CharField(max_length=64, db_index=True)
    recu_le = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "envoi récent"

    def __str__(self) -> str:
        return f"{self.empreinte[:8]}… ({self.recu_le:%H:%M})"


class Maille(models.TextChoices):
    NATIONAL = "national", "national"
    DEPARTEMENT = "departement", "département (MDPH)"


class ResultatPublie(models.Model):
    """Un résultat publié d'une question (CNSA, « Ma MDPH, mon avis »), importé pour montrer
    l'historique : le nombre de réponses de chaque niveau (ou, si seuls les pourcentages
    sont publiés, les pourcentages et le nombre de répondants)."""

    annee = models.PositiveSmallIntegerField("année")
    maille = models.CharField(max_length=12, choices=Maille.choices)
    code = models.CharField(max_length=3, help_text="FR, ou le code du département")
    question = models.CharField(max_length=40, help_text="clé de la question")
    repondants = models.PositiveIntegerField("répondants", null=True, blank=True)
    tres_satisfait = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    satisfait = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    insatisfait = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    tres_insatisfait = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    taux_satisfaction = models.DecimalField(
        "taux de satisfaction publié (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    en_pourcentages = models.BooleanField(
        default=False, help_text="Les niveaux sont des pourcentages (sinon des nombres)."
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "résultat publié"
        verbose_name_plural = "résultats publiés"
        ordering = ["annee", "maille", "code", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["annee", "maille", "code", "question"], name="resultat_publie_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.annee} {self.code} {self.question}"
