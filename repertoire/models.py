"""Le répertoire : qui (structure) offre quoi (service, dispositif), où (lieu), pour qui, quand."""

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import connections, models, router
from django.db.models.query import ModelIterable
from django.utils import timezone
from simple_history.models import HistoricalRecords

from comptes.models import Institution
from territoires.models import Commune, Departement
from territoires.perimetres import Niveau, Perimetre

# Une fiche dont on ne connaît aucune commune est « quelque part en France » : seul un rôle
# national la couvre (territoires.perimetres : un périmètre de communes vide est partout).
LIEU_INCONNU = Perimetre(Niveau.COMMUNES, frozenset())


def perimetre_des_communes(codes: set[str | None]) -> Perimetre:
    """Les communes connues (sans les vides) ; aucune : LIEU_INCONNU."""
    return Perimetre(Niveau.COMMUNES, frozenset(code for code in codes if code))


class Besoin(models.Model):
    """Entrée du thésaurus des besoins (deux niveaux), tenue dans repertoire/referentiels.py."""

    slug = models.SlugField(max_length=80, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="enfants"
    )
    synonymes = models.JSONField(default=list, blank=True, help_text="mots du quotidien")
    description = models.TextField(blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "libelle"]

    def __str__(self) -> str:
        return self.libelle


class Public(models.Model):
    """Public visé, synchronisé depuis repertoire/referentiels.py."""

    slug = models.SlugField(max_length=80, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="enfants"
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "libelle"]

    def __str__(self) -> str:
        return self.libelle


# La fiche publique d'un numéro FINESS, ET ou EJ, sur le site national (ADR 0014).
URL_FICHE_FINESS = (
    "https://finess.esante.gouv.fr/fininter/jsp/actionDetailEtablissement.do?noFiness={numero}"
)


def lien_fiche_finess(numero: str) -> str:
    """La fiche nationale d'un numéro FINESS ; vide sans numéro."""
    return URL_FICHE_FINESS.format(numero=numero) if numero else ""


class Provenance(models.Model):
    """D'où vient une fiche : une ligne par source et identifiant dans cette source."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    objet = GenericForeignKey("content_type", "object_id")
    source = models.CharField(max_length=80, help_text="finess, data-inclusion:dora, saisie…")
    identifiant = models.CharField(max_length=150)
    date_maj_source = models.DateField("mise à jour chez la source", null=True, blank=True)
    # L'adresse de la fiche chez la source quand elle la donne (data·inclusion : `lien_source`) ;
    # celle d'une fiche FINESS se déduit de son numéro (repertoire/identifiants.py).
    lien = models.URLField("fiche chez la source", max_length=500, blank=True, default="")
    empreinte = models.CharField(max_length=64, blank=True, help_text="détecte les changements")
    date_import = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "source", "identifiant"], name="provenance_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source} : {self.identifiant}"

    @property
    def lien_source(self) -> str:
        """La fiche chez la source : le lien qu'elle a donné, sinon, pour FINESS, la fiche
        nationale du numéro ; vide sinon."""
        return lien_de_provenance(self.source, self.identifiant, self.lien)


def lien_de_provenance(source: str, identifiant: str, lien: str) -> str:
    """`Provenance.lien_source` sur des valeurs déjà lues (recherche de l'API)."""
    if lien:
        return lien
    return lien_fiche_finess(identifiant) if source == "finess" else ""


class FicheMixin(models.Model):
    """Champs communs : verrou optimiste (version) et fraîcheur (date de vérification).

    La date de vérification est celle où une personne (administration, gestionnaire,
    modérateur) ou la structure (réponse à une campagne) a confirmé la fiche ; jamais la date
    de mise à jour d'une source importée, qui reste sur sa `Provenance` (`date_maj_source`).
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    # {champ: {"par": qui, "le": date ISO}} : ce qu'une personne a corrigé à la main. Une source
    # importée (FINESS, data·inclusion) ne l'écrase plus ; repertoire/ecriture.py le tient.
    champs_corriges = models.JSONField("champs corrigés à la main", default=dict, editable=False)
    date_verification = models.DateField(
        "vérifié le",
        null=True,
        blank=True,
        help_text="le jour où une personne ou la structure a confirmé la fiche",
    )
    verifie_par = models.CharField(
        "vérifié par",
        max_length=40,
        blank=True,
        editable=False,
        help_text="administration, gestionnaire, moderation, campagne…",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    provenances = GenericRelation(Provenance)

    class Meta:
        abstract = True

    def categorie_de_fraicheur(self) -> str:
        """La catégorie qui fixe la fréquence de vérification (voir `frequence_verification`)."""
        return ""

    @property
    def frequence_verification(self) -> int:
        """Tous les combien de mois la fiche doit être revérifiée.

        Règle (issue 11, § 4) : 6 mois par défaut (`VERIFICATION_FREQUENCE_MOIS`), ou la
        fréquence de sa catégorie (`VERIFICATION_FREQUENCES_PAR_CATEGORIE`, par exemple un
        EHPAD, catégorie FINESS 500, tous les 12 mois ; une structure par sa typologie).
        """
        par_categorie = settings.VERIFICATION_FREQUENCES_PAR_CATEGORIE
        return par_categorie.get(
            self.categorie_de_fraicheur(), settings.VERIFICATION_FREQUENCE_MOIS
        )

    def echeance_verification(self) -> dt.date | None:
        """Le jour où la vérification ne vaut plus ; None : jamais vérifiée (à vérifier)."""
        if self.date_verification is None:
            return None
        return ajouter_mois(self.date_verification, self.frequence_verification)

    @property
    def a_reverifier(self) -> bool:
        """Pour les gabarits : périmée aujourd'hui."""
        return self.est_perimee(timezone.localdate())

    def est_perimee(self, le: dt.date) -> bool:
        """Vérifiée il y a plus que sa fréquence, ou jamais : à revérifier."""
        echeance = self.echeance_verification()
        return echeance is None or echeance <= le


def ajouter_mois(jour: dt.date, mois: int) -> dt.date:
    """Le même quantième `mois` mois plus tard (le dernier jour du mois s'il n'existe pas)."""
    index = jour.month - 1 + mois
    annee, numero = jour.year + index // 12, index % 12 + 1
    return dt.date(annee, numero, min(jour.day, calendar.monthrange(annee, numero)[1]))


class Structure(FicheMixin):
    class Typologie(models.TextChoices):
        MDPH = "MDPH", "MDPH / Maison départementale de l'autonomie"
        DEPARTEMENT = "CD", "Conseil départemental"
        ARS = "ARS", "Agence régionale de santé"
        CCAS = "CCAS", "CCAS / CIAS"
        CLIC = "CLIC", "CLIC (centre local d'information et de coordination)"
        DAC = "DAC", "DAC (dispositif d'appui à la coordination)"
        COMMUNE = "COMMUNE", "Commune ou intercommunalité"
        ORGANISME_SOCIAL = "ORG_SOC", "Organisme de sécurité sociale (CPAM, CAF, MSA, CARSAT)"
        GESTIONNAIRE = "GEST", "Organisme gestionnaire d'établissements et services"
        ASSOCIATION = "ASSO", "Association"
        ENTREPRISE = "ENTR", "Entreprise"
        AUTRE = "AUTRE", "Autre"

    nom = models.CharField(max_length=150)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    finess_ej = models.CharField("FINESS juridique", max_length=9, blank=True)
    typologie = models.CharField(max_length=10, choices=Typologie.choices, default=Typologie.AUTRE)
    description = models.TextField(blank=True)
    site_web = models.URLField(blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="antennes"
    )
    # PROTECT : une institution ne se supprime pas tant qu'elle gère des fiches ; on les confie
    # d'abord à une autre. SET_NULL retirerait sans bruit au gestionnaire ses fiches, et
    # l'historique ne dirait plus qui les gérait (les institutions se désactivent, ADR 0008).
    institution = models.ForeignKey(
        Institution,
        verbose_name="institution gestionnaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        help_text="L'institution dont les gestionnaires de structure modifient cette fiche.",
    )
    # Un doublon fusionné (application doublons) : gardé (son historique reste lisible), ses
    # services, lieux et contacts passés à la structure gardée, vers laquelle son adresse
    # redirige et qu'un ré-import de son numéro FINESS juridique retrouve.
    fusionnee_dans = models.ForeignKey(
        "self",
        verbose_name="fusionnée dans",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbees",
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["finess_ej"],
                condition=~models.Q(finess_ej=""),
                name="structure_finess_ej_unique",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def institution_gestionnaire_id(self) -> int | None:
        return self.institution_id

    def categorie_de_fraicheur(self) -> str:
        return self.typologie

    def territoire_pour_permissions(self) -> Perimetre:
        """Où est la structure, pour `comptes.permissions.peut` : les communes de ses lieux
        d'accueil (son adresse). Une structure à cheval sur deux départements n'est tout
        entière dans aucun des deux ; sans lieu ni commune, elle est « quelque part » et
        seul un rôle national la couvre (le gestionnaire, lui, la modifie par son institution).
        """
        return perimetre_des_communes({lieu.commune_id for lieu in self.lieux.all()})


class Lieu(FicheMixin):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="lieux")
    nom = models.CharField(max_length=150)
    adresse = models.CharField(max_length=255, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=255, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="lieux"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    finess_et = models.CharField("FINESS géographique", max_length=9, blank=True)
    accessibilite_url = models.URLField("fiche Acceslibre", blank=True)
    accessibilite = models.TextField("accessibilité du lieu", blank=True)
    entree_plain_pied = models.BooleanField("entrée de plain-pied", null=True, blank=True)
    stationnement_adapte = models.BooleanField("stationnement adapté", null=True, blank=True)
    sanitaires_adaptes = models.BooleanField("sanitaires adaptés", null=True, blank=True)
    boucle_magnetique = models.BooleanField("boucle magnétique", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "lieux"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["finess_et"],
                condition=~models.Q(finess_et=""),
                name="lieu_finess_et_unique",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def institution_gestionnaire_id(self) -> int | None:
        return self.structure.institution_id

    def territoire_pour_permissions(self) -> Perimetre:
        """La commune du lieu ; sans commune, « quelque part » (seul un rôle national)."""
        return perimetre_des_communes({self.commune_id})


class ModeAcces(models.TextChoices):
    LIBRE = "libre", "accès libre"
    RENDEZ_VOUS = "sur-rendez-vous", "sur rendez-vous"
    ORIENTATION_MDPH = "orientation-mdph", "sur orientation de la MDPH (CDAPH)"
    EVALUATION_APA = "evaluation-apa", "après évaluation du Département (APA)"
    PRESCRIPTION_MEDICALE = "prescription-medicale", "sur prescription médicale"
    ORIENTATION_PROFESSIONNEL = "orientation-professionnel", "sur orientation d'un professionnel"
    ADMISSION = "dossier-admission", "sur dossier d'admission"


class Frais(models.TextChoices):
    GRATUIT = "gratuit", "gratuit"
    PAYANT = "payant", "payant"
    RESTE_A_CHARGE = "reste-a-charge", "payant, aides possibles (APA, PCH, aide sociale…)"
    NON_RENSEIGNE = "", "non renseigné"


class _AvecThesaurus(ModelIterable):
    """Les fiches, puis leurs besoins et publics pris dans le thésaurus en mémoire."""

    def __iter__(self):
        from repertoire.thesaurus_en_memoire import attacher

        services = list(super().__iter__())
        attacher(services, using=self.queryset.db)
        yield from services


class ServiceQuerySet(models.QuerySet):
    def publies(self, le: dt.date | None = None) -> "ServiceQuerySet":
        """Publiés et pas encore terminés : un dispositif dont la date de fin est passée
        disparaît dès le lendemain, avant même que `cloturer_dispositifs` ne l'archive."""
        le = le or timezone.localdate()
        return self.filter(statut=Service.Statut.PUBLIE).exclude(date_fin__lt=le)

    def avec_resume(self) -> "ServiceQuerySet":
        """Ce qu'affichent un résultat et un résumé d'API : structure, et en listes
        `lieux_charges` (avec leur commune), `besoins_charges`, `publics_charges`. Un Prefetch
        vers un attribut ne crée pas, comme `service.lieux.all()`, un gestionnaire et un
        queryset par fiche : ≈ 2 ms par relation pour une page de 20. Besoins et publics
        viennent du thésaurus en mémoire (repertoire/thesaurus_en_memoire.py)."""
        resumes = self.select_related("structure").prefetch_related(
            models.Prefetch(
                "lieux", Lieu.objects.select_related("commune"), to_attr="lieux_charges"
            ),
        )
        # Ce que fait `values()` de Django : changer la classe qui construit les lignes.
        resumes._iterable_class = _AvecThesaurus
        return resumes


class Service(FicheMixin):
    """Ce qui est offert : un service, un dispositif ou un établissement."""

    class Nature(models.TextChoices):
        SERVICE = "service", "service"
        DISPOSITIF = "dispositif", "dispositif"
        ETABLISSEMENT = "etablissement", "établissement"

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "brouillon"
        PUBLIE = "publie", "publié"
        ARCHIVE = "archive", "archivé"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="services")
    nom = models.CharField(max_length=150)
    nature = models.CharField(max_length=15, choices=Nature.choices, default=Nature.SERVICE)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.PUBLIE)
    description = models.TextField(blank=True)
    resume_falc = models.TextField(
        "résumé facile à lire (FALC)", blank=True, help_text="phrases courtes, mots simples"
    )
    besoins = models.ManyToManyField(Besoin, blank=True, related_name="services")
    publics = models.ManyToManyField(Public, blank=True, related_name="services")
    age_min = models.PositiveSmallIntegerField(
        "âge minimum", null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    age_max = models.PositiveSmallIntegerField(
        "âge maximum", null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    accueil_sur_place = models.BooleanField("accueil sur place", default=True)
    accueil_a_domicile = models.BooleanField("intervention à domicile", default=False)
    accueil_a_distance = models.BooleanField("à distance (téléphone, visio)", default=False)
    modes_acces = models.JSONField("modes d'accès", default=list, blank=True)
    conditions_acces = models.TextField("conditions d'accès", blank=True)
    documents_necessaires = models.TextField("documents à fournir", blank=True)
    frais = models.CharField(max_length=20, choices=Frais.choices, blank=True)
    frais_precisions = models.TextField("précisions sur les coûts", blank=True)
    categorie_finess = models.CharField("catégorie FINESS", max_length=3, blank=True)
    site_web = models.URLField(blank=True)
    lieux = models.ManyToManyField(Lieu, blank=True, related_name="services")
    ouvert_jours_feries = models.BooleanField("ouvert les jours fériés", default=False)
    horaires_precisions = models.CharField(
        "précisions sur les horaires", max_length=255, blank=True
    )
    # Un dispositif expérimental ou à durée limitée : caché après sa date de fin ; son
    # gestionnaire en est prévenu avant (fraicheur, `cloturer_dispositifs`).
    date_debut = models.DateField("début du dispositif", null=True, blank=True)
    date_fin = models.DateField(
        "fin du dispositif",
        null=True,
        blank=True,
        help_text="pour un dispositif expérimental ou à durée limitée : caché après cette date",
    )
    # Un doublon fusionné (application doublons) : archivé, jamais supprimé (son historique
    # reste lisible) ; son adresse redirige vers la fiche gardée.
    fusionne_dans = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbes",
        editable=False,
    )
    history = HistoricalRecords(m2m_fields=[besoins, publics])

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="service_age_min_inferieur_age_max",
            ),
            models.CheckConstraint(
                condition=models.Q(date_debut__isnull=True)
                | models.Q(date_fin__isnull=True)
                | models.Q(date_debut__lte=models.F("date_fin")),
                name="service_debut_avant_fin",
            ),
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def institution_gestionnaire_id(self) -> int | None:
        return self.structure.institution_id

    def categorie_de_fraicheur(self) -> str:
        return self.categorie_finess

    def territoire_pour_permissions(self) -> Perimetre:
        """Où est le service, pour `comptes.permissions.peut` : les communes de ses lieux
        d'accueil ; sans lieu (intervention à domicile, à distance), ses zones
        d'intervention ; sans l'un ni l'autre, le territoire de sa structure.

        Les lieux d'abord : c'est là qu'il est tenu et qu'on le joint. Ses zones peuvent
        déborder bien au-delà (une plateforme régionale) ; les retenir en plus de ses lieux
        fermerait ses contacts réservés aux professionnels du département qui l'accueille.
        """
        communes = {lieu.commune_id for lieu in self.lieux.all()} - {None}
        if communes:
            return perimetre_des_communes(communes)
        zones = [(zone.type, zone.code) for zone in self.zones.all()]
        return perimetre_des_zones(zones) if zones else self.structure.territoire_pour_permissions()


class ZoneIntervention(models.Model):
    """Territoire couvert par un service, même loin de son bureau."""

    class Type(models.TextChoices):
        COMMUNE = "commune", "commune"
        EPCI = "epci", "intercommunalité (EPCI)"
        DEPARTEMENT = "departement", "département entier"
        REGION = "region", "région entière"
        FRANCE = "france", "France entière"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="zones")
    type = models.CharField(max_length=12, choices=Type.choices)
    code = models.CharField(max_length=9, blank=True, help_text="code INSEE ou SIREN de l'EPCI")

    class Meta:
        verbose_name = "zone d'intervention"
        verbose_name_plural = "zones d'intervention"
        constraints = [
            models.UniqueConstraint(fields=["service", "type", "code"], name="zone_unique")
        ]
        indexes = [models.Index(fields=["type", "code"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.code}".strip()


NIVEAU_DES_ZONES = {
    ZoneIntervention.Type.COMMUNE: Niveau.COMMUNES,
    ZoneIntervention.Type.EPCI: Niveau.EPCI,
    ZoneIntervention.Type.DEPARTEMENT: Niveau.DEPARTEMENT,
    ZoneIntervention.Type.REGION: Niveau.REGION,
}


def perimetre_des_zones(zones: list[tuple[str, str]]) -> Perimetre:
    """Le périmètre que couvrent des zones d'intervention (type, code).

    Toutes du même niveau : ce niveau et leurs codes. La France entière : national. Des
    niveaux mêlés (une commune et un département) : les départements de chacune, ou leurs
    régions si l'une est une région ; un périmètre plus grand que les zones, jamais plus petit.
    """
    types = {type_ for type_, _ in zones}
    if ZoneIntervention.Type.FRANCE in types or not types <= NIVEAU_DES_ZONES.keys():
        return Perimetre.national()
    if len(types) == 1:
        return Perimetre(NIVEAU_DES_ZONES[types.pop()], frozenset(code for _, code in zones))
    departements: set[str] = set()
    for type_, code in zones:
        if type_ == ZoneIntervention.Type.DEPARTEMENT:
            departements.add(code)
        elif type_ != ZoneIntervention.Type.REGION:
            communes = Commune.objects.filter(
                **({"pk": code} if type_ == ZoneIntervention.Type.COMMUNE else {"epci": code})
            )
            departements.update(communes.values_list("departement_id", flat=True))
    if ZoneIntervention.Type.REGION not in types:
        return Perimetre(Niveau.DEPARTEMENT, frozenset(departements))
    regions = {code for type_, code in zones if type_ == ZoneIntervention.Type.REGION}
    regions.update(
        Departement.objects.filter(pk__in=departements).values_list("region_id", flat=True)
    )
    return Perimetre(Niveau.REGION, frozenset(regions))


class Contact(models.Model):
    class Visibilite(models.TextChoices):
        PUBLIC = "public", "public"
        PROFESSIONNELS = "professionnels", "réservé aux professionnels"

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    libelle = models.CharField("intitulé", max_length=150, help_text="ex. : accueil, référent APA")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField(blank=True)
    visibilite = models.CharField(
        max_length=15, choices=Visibilite.choices, default=Visibilite.PUBLIC
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(structure__isnull=False) | models.Q(service__isnull=False),
                name="contact_rattache",
            )
        ]

    def __str__(self) -> str:
        return self.libelle


class Jour(models.IntegerChoices):
    LUNDI = 0, "lundi"
    MARDI = 1, "mardi"
    MERCREDI = 2, "mercredi"
    JEUDI = 3, "jeudi"
    VENDREDI = 4, "vendredi"
    SAMEDI = 5, "samedi"
    DIMANCHE = 6, "dimanche"


class PlageHoraire(models.Model):
    """Un créneau de la semaine type ; `lieu` vide : dans tous les lieux du service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="plages")
    lieu = models.ForeignKey(
        Lieu, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    jour = models.PositiveSmallIntegerField(choices=Jour.choices)
    ouverture = models.TimeField()
    fermeture = models.TimeField()

    class Meta:
        verbose_name = "plage horaire"
        ordering = ["jour", "ouverture"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ouverture__lt=models.F("fermeture")),
                name="plage_ouverture_avant_fermeture",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_jour_display()} {self.ouverture:%H:%M}-{self.fermeture:%H:%M}"


class HoraireExceptionnel(models.Model):
    """Fermeture exceptionnelle (ferme=True) ou horaires particuliers sur une période datée."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="exceptions")
    date_debut = models.DateField()
    date_fin = models.DateField()
    ferme = models.BooleanField("fermé", default=True)
    ouverture = models.TimeField(null=True, blank=True)
    fermeture = models.TimeField(null=True, blank=True)
    motif = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "horaire exceptionnel"
        verbose_name_plural = "horaires exceptionnels"
        ordering = ["date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_debut__lte=models.F("date_fin")),
                name="exception_debut_avant_fin",
            ),
            models.CheckConstraint(
                condition=models.Q(ferme=True)
                | models.Q(ouverture__isnull=False, fermeture__isnull=False),
                name="exception_horaires_si_ouvert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_debut:%d/%m/%Y}–{self.date_fin:%d/%m/%Y}"

    def couvre(self, jour: dt.date) -> bool:
        return self.date_debut <= jour <= self.date_fin


class Permanence(models.Model):
    """Un service tenu certains jours dans un lieu qui n'est pas le sien (une permanence en
    mairie, une séance d'information) : une règle de récurrence RFC 5545 (python-dateutil),
    par exemple « le 2e mardi de chaque mois », ou une seule date."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="permanences")
    lieu = models.ForeignKey(Lieu, on_delete=models.CASCADE, related_name="permanences")
    regle = models.CharField(
        "règle de récurrence",
        max_length=200,
        help_text="RRULE (RFC 5545), ex. FREQ=WEEKLY;BYDAY=TU",
    )
    date_debut = models.DateField("à partir du")
    date_fin = models.DateField("jusqu'au", null=True, blank=True)
    ouverture = models.TimeField()
    fermeture = models.TimeField()
    precisions = models.CharField("précisions", max_length=200, blank=True)

    class Meta:
        ordering = ["date_debut", "ouverture"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ouverture__lt=models.F("fermeture")),
                name="permanence_ouverture_avant_fermeture",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_debut__lte=models.F("date_fin")),
                name="permanence_debut_avant_fin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lieu} ({self.regle})"


class EtatSousFiches(models.Model):
    """Horaires, fermetures, permanences et contacts d'une fiche à une version : ce que
    django-simple-history ne garde pas, écrit par la porte quand une personne les change
    (l'état d'avant, puis celui d'après). L'historique d'une fiche le lit, « Rétablir cette
    version » le réécrit."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField()
    etat = models.JSONField(help_text="{ensemble : lignes en valeurs JSON}")
    ecrit_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "état des sous-fiches"
        verbose_name_plural = "états des sous-fiches"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "version"], name="etat_sous_fiches_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id}, version {self.version}"


class IndexService(models.Model):
    """Fiche de recherche d'un service publié, dénormalisée pour le moteur (repertoire.recherche).

    Tenue par des appels explicites à `recherche.index.indexer_services`, jamais par un signal.
    La base y greffe ses index propres (FTS5 et R*Tree sur SQLite ; tsvector et GiST sur
    PostgreSQL), créés par la migration 0002 ; la table des mots de SQLite, par la 0003 ;
    les clés (besoins, publics, lieux… indexés avec le texte), par la 0004.
    """

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="fiche_recherche"
    )
    nom = models.CharField(max_length=320)
    texte = models.TextField()
    cles = models.TextField(
        help_text="besoins, publics, modes, zones et mailles des lieux (recherche.expression)"
    )
    joignable_partout = models.BooleanField(help_text="à distance et sans zone d'intervention")

    class Meta:
        verbose_name = "fiche de recherche"
        indexes = [models.Index(fields=["joignable_partout"], name="index_joignable_partout")]

    def __str__(self) -> str:
        return self.nom


class PointService(models.Model):
    """Un lieu d'accueil d'un service indexé, pour la recherche dans un rayon."""

    service = models.ForeignKey(IndexService, on_delete=models.CASCADE, related_name="points")
    lieu = models.ForeignKey(Lieu, on_delete=models.CASCADE, related_name="+")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = "point de recherche"
        # La distance d'un candidat se lit dans l'index seul, sans visiter la table.
        indexes = [
            models.Index(fields=["service", "latitude", "longitude"], name="point_service_coords")
        ]

    def __str__(self) -> str:
        return f"{self.latitude:.5f}, {self.longitude:.5f}"


class JetonApiQuerySet(models.QuerySet):
    def valides(self) -> "JetonApiQuerySet":
        """Non révoqués, d'un compte actif."""
        return self.filter(revoque_le__isnull=True, utilisateur__is_active=True)


class JetonApi(models.Model):
    """Jeton personnel d'une personne pour l'API des professionnels (un logiciel partenaire
    qui lit les fiches en son nom, avec ses droits). Seule l'empreinte SHA-256 est gardée :
    le jeton, tiré au hasard (256 bits), n'est montré qu'une fois, à sa création ; un
    hachage lent n'ajouterait rien contre un secret de cette taille. Créé et révoqué par
    `repertoire/jetons.py`."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="jetons_api",
    )
    nom = models.CharField(max_length=100, help_text="ex. : logiciel de suivi de la MDA")
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    debut = models.CharField("début du jeton", max_length=12, editable=False)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    utilise_le = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = JetonApiQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API personnel"
        verbose_name_plural = "jetons d'API personnels"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.debut}…)"


class Tranche(models.TextChoices):
    """Nombre de résultats d'une recherche, en tranches (veille des besoins)."""

    AUCUN = "0", "aucun résultat"
    UN_OU_DEUX = "1-2", "1 ou 2 résultats"
    TROIS_A_NEUF = "3-9", "3 à 9 résultats"
    DIX_ET_PLUS = "10+", "10 résultats ou plus"

    @classmethod
    def de(cls, resultats: int) -> "Tranche":
        if resultats <= 0:
            return cls.AUCUN
        if resultats <= 2:
            return cls.UN_OU_DEUX
        return cls.TROIS_A_NEUF if resultats <= 9 else cls.DIX_ET_PLUS


class ComptageRechercheQuerySet(models.QuerySet):
    CLE = ("jour", "commune", "besoin", "public", "rayon_km", "tranche")

    def compter(
        self,
        *,
        jour: dt.date,
        tranche: str,
        resultats: int = 0,
        besoin: str = "",
        public: str = "",
        commune: str = "",
        rayon_km: int = 0,
    ) -> None:
        """Compte une recherche dans la ligne de sa combinaison du jour, en une instruction
        (INSERT … ON CONFLICT DO UPDATE, identique sous PostgreSQL et SQLite ≥ 3.24) : la
        base sérialise deux incréments de la même ligne, et deux premières recherches
        simultanées n'en créent qu'une."""
        connexion = connections[router.db_for_write(self.model)]
        q = connexion.ops.quote_name
        table = q(self.model._meta.db_table)
        r, n = q("recherches"), q("resultats")
        colonnes = ", ".join(q(nom) for nom in self.CLE)
        sql = (
            f"INSERT INTO {table} ({colonnes}, {r}, {n}) VALUES (%s, %s, %s, %s, %s, %s, 1, %s) "
            f"ON CONFLICT ({colonnes}) DO UPDATE "
            f"SET {r} = {table}.{r} + 1, {n} = {table}.{n} + EXCLUDED.{n}"
        )
        jour_en_base = self.model._meta.get_field("jour").get_db_prep_value(jour, connexion)
        with connexion.cursor() as curseur:
            curseur.execute(
                sql, [jour_en_base, commune, besoin, public, rayon_km, tranche, resultats]
            )

    def anterieurs_au(self, jour: dt.date) -> "ComptageRechercheQuerySet":
        return self.filter(jour__lt=jour)


class ComptageRecherche(models.Model):
    """Les recherches semblables d'un jour, comptées sans rien qui désigne une personne
    (veille des besoins, issue 13 § 10 ; `repertoire/veille.py`, ADR 16) : ni adresse IP, ni
    session, ni texte saisi ; seulement le besoin reconnu, le public, la commune, le rayon et
    la tranche du nombre de résultats. Une ligne par jour et par combinaison : le volume reste
    petit et une recherche rare ne se distingue pas d'une autre par son heure."""

    jour = models.DateField()
    besoin = models.CharField(max_length=100, blank=True, help_text="slug ; vide : aucun reconnu")
    public = models.CharField(max_length=100, blank=True, help_text="slug ; vide : tous")
    commune = models.CharField(
        "code INSEE de la commune", max_length=5, blank=True, help_text="vide : sans lieu"
    )
    rayon_km = models.PositiveSmallIntegerField(
        "rayon (km)", default=0, help_text="0 : aucun rayon choisi"
    )
    tranche = models.CharField(max_length=3, choices=Tranche.choices)
    recherches = models.PositiveIntegerField(default=1)
    resultats = models.PositiveBigIntegerField(
        "résultats", default=0, help_text="somme des nombres de résultats de ces recherches"
    )

    objects = ComptageRechercheQuerySet.as_manager()

    class Meta:
        verbose_name = "comptage de recherches"
        verbose_name_plural = "comptages de recherches"
        constraints = [
            # Le jour en tête : l'index sert aussi la période choisie et la purge. Aucun champ
            # nul (vide ou 0) : deux NULL ne se heurteraient pas dans une contrainte unique.
            models.UniqueConstraint(
                fields=["jour", "commune", "besoin", "public", "rayon_km", "tranche"],
                name="comptage_recherche_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jour} {self.besoin or '-'} {self.commune or '-'} : {self.recherches}"
