"""Référentiels du répertoire : thésaurus des besoins, publics, catégories FINESS.

Écrits pour le champ de l'autonomie. Chaque besoin porte ses mots du quotidien (synonymes)
et sa correspondance vers les thématiques data·inclusion v1 pour l'export.

Les slugs sont stables : ils servent d'identifiants en base, dans les URL et dans les
imports. Renommer un slug revient à supprimer l'entrée et à en créer une autre.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntreeBesoin:
    slug: str
    libelle: str
    synonymes: tuple[str, ...] = ()
    thematiques_di: tuple[str, ...] = ()
    enfants: tuple["EntreeBesoin", ...] = ()
    description: str = ""
    # Besoins voisins qu'une recherche sur celui-ci doit aussi trouver (le répit mène à
    # l'accueil de jour), sans les ranger sous lui : un besoin n'a qu'un parent.
    voir_aussi: tuple[str, ...] = ()
    # Un droit ou une allocation (APA, PCH, ASH…) : pas un service qui aide, une aide pour
    # payer ou pour accéder. La recherche le montre à part (« Aides pour payer »), jamais
    # parmi les services, sauf quand on le demande (voir `est_une_aide`).
    droit: bool = False
    # Les besoins dont ce droit aide à payer les services (l'APA, l'aide à domicile ou le
    # portage de repas) : ce que montre « Aides pour payer » à qui cherche l'un d'eux.
    aide_a_payer: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntreePublic:
    slug: str
    libelle: str
    publics_di: tuple[str, ...] = ()
    enfants: tuple["EntreePublic", ...] = ()
    description: str = ""


@dataclass(frozen=True)
class CategorieFiness:
    """Ce qu'une catégorie d'établissement FINESS offre, et à qui."""

    code: str
    libelle: str
    besoins: tuple[str, ...]
    publics: tuple[str, ...]
    nature: str = "etablissement"
    accueil_sur_place: bool = True
    accueil_a_domicile: bool = False
    modes_acces: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    frais: str = ""
    extra: dict = field(default_factory=dict)


# Thématiques data·inclusion v1 (https://data-inclusion.beta.gouv.fr), nommées une fois.
_DI_ACCES_DROITS = (
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
)
_DI_DEMARCHES = (
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
)
_DI_MESURE_ADAPTEE = (
    "difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte"
)
_DI_PROTECTION_FINANCIERE = (
    "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere"
)
_DI_AIDE_MENAGERE = "equipement-et-alimentation--aide-menagere"
_DI_ALIMENTATION = "equipement-et-alimentation--alimentation"
_DI_DEPENDANCE = "famille--prise-en-charge-personne-dependante"
_DI_AIDANTS = "famille--soutien-aidants"
_DI_PARENTALITE = "famille--soutien-a-la-parentalite-et-a-leducation"
_DI_MAINTIEN_LOGEMENT = "logement-hebergement--se-maintenir-dans-le-logement"
_DI_CHANGER_LOGEMENT = "logement-hebergement--changer-de-logement"
_DI_HEBERGEMENT_TEMPORAIRE = "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"
_DI_MOBILITE_ACCOMPAGNEE = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
_DI_MOBILITE_COLLECTIVE = "mobilite--mobilite-douce-partagee-collective"
_DI_FINANCER_MOBILITE = "mobilite--financer-ma-mobilite"
_DI_SERVICES_EN_LIGNE = "numerique--acceder-a-des-services-en-ligne"
_DI_LOISIRS = "remobilisation--activites-sportives-et-culturelles"
_DI_BIEN_ETRE = "remobilisation--bien-etre-confiance-en-soi"
_DI_LIEN_SOCIAL = "remobilisation--lien-social"
_DI_SOINS = "sante--acces-aux-soins"
_DI_DOSSIER_MDPH = "sante--constituer-un-dossier-mdph-invalidite"
_DI_SANTE_MENTALE = "sante--sante-mentale"
_DI_MAINTIEN_EMPLOI = "trouver-un-emploi--maintien-dans-lemploi"
_DI_FORMATION = "se-former--trouver-sa-formation"
_DI_METIER = "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"


THESAURUS: tuple[EntreeBesoin, ...] = (
    EntreeBesoin(
        slug="vivre-a-domicile",
        libelle="Être aidé à domicile",
        synonymes=("maintien à domicile", "rester chez soi", "rester à la maison", "domicile"),
        thematiques_di=(_DI_MAINTIEN_LOGEMENT, _DI_DEPENDANCE),
        enfants=(
            EntreeBesoin(
                slug="aide-a-domicile",
                libelle="Aide à domicile",
                synonymes=(
                    "aide ménagère",
                    "auxiliaire de vie",
                    "aide humaine",
                    "aide à la toilette",
                    "se laver",
                    "toilette",
                    "s'habiller",
                    "aide au lever",
                    "aide au coucher",
                    "ménage",
                    "SAAD",
                    "SAD",
                    "service autonomie à domicile",
                    "service d'aide à domicile",
                    "service d'aide et d'accompagnement à domicile",
                    "SPASAD",
                ),
                thematiques_di=(_DI_AIDE_MENAGERE, _DI_DEPENDANCE),
            ),
            EntreeBesoin(
                slug="soins-infirmiers-a-domicile",
                libelle="Soins infirmiers à domicile",
                synonymes=(
                    "SSIAD",
                    "soins à domicile",
                    "infirmière à domicile",
                    "infirmier à domicile",
                    "infirmière",
                    "infirmier",
                    "aide-soignante à domicile",
                    "hospitalisation à domicile",
                    "HAD",
                ),
                thematiques_di=(_DI_SOINS,),
            ),
            EntreeBesoin(
                slug="portage-de-repas",
                libelle="Portage de repas",
                synonymes=(
                    "portage des repas",
                    "repas à domicile",
                    "livraison de repas",
                    "repas livrés",
                ),
                thematiques_di=(_DI_ALIMENTATION,),
            ),
            EntreeBesoin(
                slug="teleassistance",
                libelle="Téléassistance",
                synonymes=(
                    "téléalarme",
                    "télé-assistance",
                    "bouton d'alerte",
                    "bracelet d'alerte",
                    "médaillon",
                    "détecteur de chute",
                ),
            ),
            EntreeBesoin(
                slug="adaptation-du-logement",
                libelle="Adaptation du logement",
                synonymes=(
                    "aménagement du logement",
                    "adapter son logement",
                    "adapter la salle de bain",
                    "douche à l'italienne",
                    "monte-escalier",
                    "MaPrimeAdapt",
                    "travaux d'accessibilité",
                    "ergothérapeute",
                ),
            ),
            EntreeBesoin(
                slug="aides-techniques",
                libelle="Aides techniques",
                synonymes=(
                    "aide technique",
                    "matériel médical",
                    "fauteuil roulant",
                    "déambulateur",
                    "lit médicalisé",
                    "verticalisateur",
                    "prêt de matériel",
                    "équipement adapté",
                ),
            ),
        ),
    ),
    EntreeBesoin(
        slug="etre-heberge",
        libelle="Être hébergé, changer de lieu de vie",
        synonymes=(
            "hébergement",
            "lieu de vie",
            "entrer en établissement",
            "entrée en établissement",
            "placement",
            "hébergement pour adultes handicapés",
            "établissement pour adultes handicapés",
            # Ce que disent les proches quand le domicile ne suffit plus.
            "ne peut plus vivre seul",
            "ne peut plus vivre seule",
            "ne peut plus rester seul",
            "ne peut plus rester seule",
            "ne peut plus rester chez lui",
            "ne peut plus rester chez elle",
        ),
        thematiques_di=(_DI_CHANGER_LOGEMENT,),
        enfants=(
            EntreeBesoin(
                slug="ehpad",
                libelle="EHPAD",
                synonymes=(
                    "maison de retraite",
                    "maison de retraite médicalisée",
                    "établissement d'hébergement pour personnes âgées dépendantes",
                    "établissement pour personnes âgées",
                    "EHPA",
                    "unité Alzheimer",
                    "unité protégée",
                    "PASA",
                    "UHR",
                    "unité d'hébergement renforcée",
                    "USLD",
                ),
                description="Établissement médicalisé pour personnes âgées dépendantes.",
            ),
            EntreeBesoin(
                slug="residence-autonomie",
                libelle="Résidence autonomie",
                synonymes=(
                    "foyer-logement",
                    "logement-foyer",
                    "résidence pour personnes âgées",
                    "MARPA",
                ),
                description="Logements non médicalisés avec services collectifs, dès 60 ans.",
            ),
            EntreeBesoin(
                slug="accueil-temporaire",
                libelle="Accueil temporaire",
                synonymes=(
                    "hébergement temporaire",
                    "séjour temporaire",
                    "accueil de nuit",
                    "séjour de répit",
                    "sortie d'hospitalisation",
                ),
                thematiques_di=(_DI_HEBERGEMENT_TEMPORAIRE, _DI_AIDANTS),
            ),
            EntreeBesoin(
                slug="accueil-de-jour",
                libelle="Accueil de jour",
                synonymes=("centre de jour", "centre d'accueil de jour", "accueil à la journée"),
                thematiques_di=(_DI_DEPENDANCE, _DI_AIDANTS),
            ),
            EntreeBesoin(
                slug="habitat-inclusif",
                libelle="Habitat inclusif",
                synonymes=(
                    "habitat partagé",
                    "habitat accompagné",
                    "colocation",
                    "aide à la vie partagée",
                    "AVP",
                    "béguinage",
                ),
                thematiques_di=(_DI_CHANGER_LOGEMENT,),
            ),
            EntreeBesoin(
                slug="accueil-familial",
                libelle="Accueil familial",
                synonymes=("famille d'accueil", "accueillant familial", "accueillante familiale"),
            ),
            EntreeBesoin(
                slug="mas",
                libelle="Maison d'accueil spécialisée (MAS)",
                synonymes=("MAS", "maison d'accueil spécialisée"),
            ),
            EntreeBesoin(
                slug="fam-eam",
                libelle="Foyer d'accueil médicalisé (FAM, EAM)",
                synonymes=(
                    "FAM",
                    "EAM",
                    "foyer d'accueil médicalisé",
                    "établissement d'accueil médicalisé",
                ),
            ),
            EntreeBesoin(
                slug="foyer-de-vie",
                libelle="Foyer de vie",
                synonymes=("foyer occupationnel", "EANM", "établissement d'accueil non médicalisé"),
            ),
            EntreeBesoin(
                slug="foyer-d-hebergement",
                libelle="Foyer d'hébergement",
                synonymes=("foyer d'hébergement pour travailleurs handicapés", "foyer ESAT"),
            ),
        ),
    ),
    EntreeBesoin(
        slug="aidants",
        libelle="Aider un proche (aidants)",
        synonymes=(
            "aidant",
            "proche aidant",
            "aidant familial",
            "s'occuper d'un proche",
            "aider un proche",
            "aider mon père",
            "aider ma mère",
            "aider mes parents",
            "m'occuper de mon père",
            "m'occuper de ma mère",
            "m'occuper de mes parents",
        ),
        thematiques_di=(_DI_AIDANTS,),
        enfants=(
            EntreeBesoin(
                slug="repit-aidants",
                libelle="Répit",
                synonymes=(
                    "souffler",
                    "relayage",
                    "baluchonnage",
                    "halte répit",
                    "vacances répit",
                    "relais des aidants",
                ),
                voir_aussi=("accueil-de-jour", "accueil-temporaire"),
            ),
            EntreeBesoin(
                slug="soutien-des-aidants",
                libelle="Soutien des aidants, groupes de parole",
                synonymes=(
                    "groupe de parole",
                    "groupes de parole",
                    "café des aidants",
                    "soutien psychologique des aidants",
                    "épuisement",
                ),
            ),
            EntreeBesoin(
                slug="formation-des-aidants",
                libelle="Formation des aidants",
                synonymes=("formation aidant", "atelier des aidants", "ateliers des aidants"),
            ),
            EntreeBesoin(
                slug="plateforme-de-repit",
                libelle="Plateforme d'accompagnement et de répit",
                synonymes=("PFR", "plateforme de répit", "plateforme d'accompagnement"),
                voir_aussi=("repit-aidants",),
            ),
            EntreeBesoin(
                slug="droits-des-aidants",
                libelle="Droits des aidants",
                synonymes=(
                    "congé de proche aidant",
                    "allocation journalière du proche aidant",
                    "AJPA",
                    "dédommagement de l'aidant",
                ),
                droit=True,
            ),
        ),
    ),
    EntreeBesoin(
        slug="droits-et-demarches",
        libelle="Droits et démarches",
        synonymes=(
            "démarches",
            "droits",
            "allocation",
            "aide financière",
            "dossier",
            "payer",
            "financer",
            "financement",
        ),
        thematiques_di=(_DI_ACCES_DROITS, _DI_DEMARCHES),
        enfants=(
            EntreeBesoin(
                slug="mdph",
                libelle="MDPH",
                synonymes=(
                    "MDA",
                    "maison départementale des personnes handicapées",
                    "maison de l'autonomie",
                    "maison départementale de l'autonomie",
                    "dossier MDPH",
                    "CDAPH",
                    "reconnaissance du handicap",
                    "taux d'incapacité",
                ),
                thematiques_di=(_DI_DOSSIER_MDPH,),
            ),
            EntreeBesoin(
                slug="apa",
                libelle="APA (allocation personnalisée d'autonomie)",
                synonymes=("APA", "allocation personnalisée d'autonomie", "GIR", "plan d'aide"),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "aide-a-domicile",
                    "portage-de-repas",
                    "teleassistance",
                    "adaptation-du-logement",
                    "aides-techniques",
                    "accueil-de-jour",
                    "accueil-temporaire",
                    "repit-aidants",
                    "accueil-familial",
                    "residence-autonomie",
                    "ehpad",
                ),
            ),
            EntreeBesoin(
                slug="pch",
                libelle="PCH (prestation de compensation du handicap)",
                synonymes=("PCH", "prestation de compensation du handicap"),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "aide-a-domicile",
                    "aides-techniques",
                    "adaptation-du-logement",
                    "transport-adapte",
                ),
            ),
            EntreeBesoin(
                slug="aah",
                libelle="AAH (allocation aux adultes handicapés)",
                synonymes=(
                    "AAH",
                    "allocation aux adultes handicapés",
                    "allocation adulte handicapé",
                ),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "mas",
                    "fam-eam",
                    "foyer-de-vie",
                    "foyer-d-hebergement",
                    "habitat-inclusif",
                ),
            ),
            EntreeBesoin(
                slug="carte-mobilite-inclusion",
                libelle="Carte mobilité inclusion (CMI)",
                synonymes=(
                    "CMI",
                    "carte d'invalidité",
                    "carte de stationnement",
                    "carte priorité",
                    "carte handicapé",
                    "macaron",
                ),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "transport-adapte",
                    "accompagnement-deplacements",
                ),
            ),
            EntreeBesoin(
                slug="aide-sociale-hebergement",
                libelle="Aide sociale à l'hébergement (ASH)",
                synonymes=(
                    "ASH",
                    "aide sociale",
                    "obligation alimentaire",
                    "aide au logement en EHPAD",
                ),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "ehpad",
                    "residence-autonomie",
                    "accueil-familial",
                    "accueil-temporaire",
                    "foyer-de-vie",
                    "foyer-d-hebergement",
                    "fam-eam",
                ),
            ),
            EntreeBesoin(
                slug="protection-juridique",
                libelle="Protection juridique des majeurs",
                synonymes=(
                    "tutelle",
                    "curatelle",
                    "sauvegarde de justice",
                    "mandataire",
                    "mandataire judiciaire",
                    "MJPM",
                    "habilitation familiale",
                    "mandat de protection future",
                ),
                thematiques_di=(_DI_PROTECTION_FINANCIERE, _DI_MESURE_ADAPTEE),
            ),
            EntreeBesoin(
                slug="aide-aux-demarches",
                libelle="Aide aux démarches administratives",
                synonymes=(
                    "remplir un dossier",
                    "aide administrative",
                    "assistante sociale",
                    "assistant social",
                    "assistant de service social",
                    "travailleur social",
                    "écrivain public",
                    "démarches en ligne",
                ),
                thematiques_di=(_DI_DEMARCHES,),
            ),
        ),
    ),
    EntreeBesoin(
        slug="enfance-et-scolarite",
        libelle="Enfance et scolarité",
        synonymes=("enfant handicapé", "scolarité", "école", "petite enfance"),
        thematiques_di=(_DI_PARENTALITE,),
        enfants=(
            EntreeBesoin(
                slug="camsp",
                libelle="CAMSP (action médico-sociale précoce)",
                synonymes=(
                    "CAMSP",
                    "centre d'action médico-sociale précoce",
                    "dépistage précoce",
                    "retard de développement",
                    "troubles du neurodéveloppement",
                    "TND",
                    "PCO",
                ),
                thematiques_di=(_DI_SOINS,),
            ),
            EntreeBesoin(
                slug="cmpp",
                libelle="CMPP (centre médico-psycho-pédagogique)",
                synonymes=(
                    "CMPP",
                    "centre médico-psycho-pédagogique",
                    "difficultés d'apprentissage",
                ),
            ),
            EntreeBesoin(
                slug="sessad",
                libelle="SESSAD (éducation spéciale et soins à domicile)",
                synonymes=("SESSAD", "service d'éducation spéciale et de soins à domicile"),
            ),
            EntreeBesoin(
                slug="ime",
                libelle="IME et établissements pour enfants handicapés",
                synonymes=(
                    "IME",
                    "institut médico-éducatif",
                    "ITEP",
                    "DITEP",
                    "IEM",
                    "institut d'éducation motrice",
                    "EEAP",
                    "institut pour déficients visuels",
                    "institut pour déficients auditifs",
                    "jardin d'enfants spécialisé",
                ),
            ),
            EntreeBesoin(
                slug="scolarisation",
                libelle="Scolarisation",
                synonymes=(
                    "école inclusive",
                    "ULIS",
                    "unité d'enseignement",
                    "PPS",
                    "projet personnalisé de scolarisation",
                ),
            ),
            EntreeBesoin(
                slug="aesh",
                libelle="AESH (accompagnant d'élèves en situation de handicap)",
                synonymes=("AESH", "AVS", "auxiliaire de vie scolaire", "accompagnant d'élève"),
            ),
            EntreeBesoin(
                slug="aeeh",
                libelle="AEEH (allocation d'éducation de l'enfant handicapé)",
                synonymes=("AEEH", "allocation d'éducation de l'enfant handicapé"),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
                aide_a_payer=(
                    "ime",
                    "sessad",
                    "camsp",
                    "cmpp",
                    "aides-techniques",
                    "adaptation-du-logement",
                    "loisirs-adaptes",
                ),
            ),
        ),
    ),
    EntreeBesoin(
        slug="emploi",
        libelle="Travailler",
        synonymes=("emploi", "travail", "insertion professionnelle"),
        thematiques_di=(_DI_MAINTIEN_EMPLOI,),
        enfants=(
            EntreeBesoin(
                slug="esat",
                libelle="ESAT (travail protégé)",
                synonymes=("ESAT", "CAT", "travail protégé", "milieu protégé"),
                thematiques_di=(_DI_METIER,),
            ),
            EntreeBesoin(
                slug="emploi-accompagne",
                libelle="Emploi accompagné",
                synonymes=("dispositif emploi accompagné", "job coach", "entreprise adaptée"),
            ),
            EntreeBesoin(
                slug="rqth",
                libelle="RQTH (reconnaissance de la qualité de travailleur handicapé)",
                synonymes=(
                    "RQTH",
                    "reconnaissance de la qualité de travailleur handicapé",
                    "travailleur handicapé",
                ),
                thematiques_di=(_DI_ACCES_DROITS,),
                droit=True,
            ),
            EntreeBesoin(
                slug="cap-emploi",
                libelle="Cap emploi, maintien dans l'emploi",
                synonymes=("Cap emploi", "maintien dans l'emploi", "Agefiph", "FIPHFP"),
            ),
            EntreeBesoin(
                slug="reeducation-professionnelle",
                libelle="Réadaptation professionnelle",
                synonymes=(
                    "rééducation professionnelle",
                    "ESRP",
                    "ESPO",
                    "UEROS",
                    "préorientation",
                    "reconversion",
                ),
                thematiques_di=(_DI_FORMATION,),
            ),
        ),
    ),
    EntreeBesoin(
        slug="sante-et-prevention",
        libelle="Santé et prévention",
        synonymes=("santé", "prévention", "soins"),
        thematiques_di=(_DI_SOINS,),
        enfants=(
            EntreeBesoin(
                slug="prevention-perte-autonomie",
                libelle="Prévention de la perte d'autonomie",
                synonymes=("bien vieillir", "perte d'autonomie", "conférence des financeurs"),
                thematiques_di=(_DI_BIEN_ETRE,),
            ),
            EntreeBesoin(
                slug="ateliers-prevention",
                libelle="Ateliers équilibre, mémoire, nutrition",
                synonymes=(
                    "atelier équilibre",
                    "ateliers équilibre",
                    "prévention des chutes",
                    "atelier mémoire",
                    "ateliers mémoire",
                    "gym douce",
                    "activité physique adaptée",
                    "atelier nutrition",
                ),
            ),
            EntreeBesoin(
                slug="sante-mentale",
                libelle="Santé mentale",
                synonymes=(
                    "psychiatrie",
                    "CMP",
                    "souffrance psychique",
                    "dépression",
                    "psychologue",
                ),
                thematiques_di=(_DI_SANTE_MENTALE,),
            ),
            EntreeBesoin(
                slug="troubles-cognitifs",
                libelle="Troubles cognitifs, maladie d'Alzheimer",
                synonymes=(
                    "Alzheimer",
                    "maladies apparentées",
                    "troubles de la mémoire",
                    "perte de mémoire",
                    "perd la mémoire",
                    "perte de la mémoire",
                    "oublis",
                    "démence",
                    "consultation mémoire",
                    "équipe spécialisée Alzheimer",
                ),
            ),
            EntreeBesoin(
                slug="acces-aux-soins",
                libelle="Accès aux soins",
                synonymes=("médecin", "rééducation", "kinésithérapeute", "orthophoniste"),
            ),
        ),
    ),
    EntreeBesoin(
        slug="vie-sociale-et-loisirs",
        libelle="Vie sociale, loisirs, isolement",
        synonymes=("vie sociale", "loisirs", "sortir de chez soi"),
        thematiques_di=(_DI_LIEN_SOCIAL,),
        enfants=(
            EntreeBesoin(
                slug="lutte-contre-isolement",
                libelle="Lutte contre l'isolement",
                synonymes=(
                    "isolement",
                    "isolé",
                    "isolée",
                    "solitude",
                    "GEM",
                    "groupe d'entraide mutuelle",
                ),
            ),
            EntreeBesoin(
                slug="visites-de-convivialite",
                libelle="Visites de convivialité",
                synonymes=(
                    "visite de convivialité",
                    "appels de convivialité",
                    "visites à domicile",
                ),
            ),
            EntreeBesoin(
                slug="loisirs-adaptes",
                libelle="Loisirs adaptés",
                synonymes=(
                    "sport adapté",
                    "handisport",
                    "vacances adaptées",
                    "séjours adaptés",
                    "culture",
                ),
                thematiques_di=(_DI_LOISIRS,),
            ),
            EntreeBesoin(
                slug="accompagnement-vie-sociale",
                libelle="Accompagnement à la vie sociale (SAVS, SAMSAH)",
                synonymes=(
                    "SAVS",
                    "SAMSAH",
                    "accompagnement à la vie sociale",
                    "service d'accompagnement médico-social",
                    "vie autonome",
                ),
                thematiques_di=(_DI_MESURE_ADAPTEE,),
            ),
        ),
    ),
    EntreeBesoin(
        slug="transport",
        libelle="Se déplacer",
        synonymes=("transport", "déplacement", "déplacements", "mobilité"),
        thematiques_di=(_DI_MOBILITE_ACCOMPAGNEE,),
        enfants=(
            EntreeBesoin(
                slug="transport-adapte",
                libelle="Transport adapté",
                synonymes=(
                    "PAM",
                    "transport PMR",
                    "transport à la demande",
                    "taxi adapté",
                    "transport scolaire adapté",
                ),
                thematiques_di=(_DI_MOBILITE_COLLECTIVE, _DI_FINANCER_MOBILITE),
            ),
            EntreeBesoin(
                slug="accompagnement-deplacements",
                libelle="Accompagnement aux déplacements",
                synonymes=(
                    "accompagnement véhiculé",
                    "transport solidaire",
                    "chauffeur solidaire",
                    "sortie accompagnée",
                ),
            ),
        ),
    ),
    EntreeBesoin(
        slug="information-et-orientation",
        libelle="S'informer, être orienté",
        synonymes=(
            "information",
            "renseignement",
            "orientation",
            "à qui s'adresser",
            "à qui m'adresser",
            "à qui demander",
            "qui contacter",
            "qui appeler",
        ),
        thematiques_di=(_DI_ACCES_DROITS,),
        enfants=(
            EntreeBesoin(
                slug="clic",
                libelle="CLIC (centre local d'information et de coordination)",
                synonymes=(
                    "CLIC",
                    "centre local d'information et de coordination",
                    "point info seniors",
                ),
            ),
            EntreeBesoin(
                slug="dac",
                libelle="DAC (dispositif d'appui à la coordination)",
                synonymes=("DAC", "MAIA", "PTA", "coordination de parcours", "situation complexe"),
                thematiques_di=(_DI_SOINS,),
            ),
            EntreeBesoin(
                slug="point-information",
                libelle="Point d'information",
                synonymes=("point info", "permanence", "CCAS", "CIAS", "centre de ressources"),
            ),
            EntreeBesoin(
                slug="france-services",
                libelle="France services",
                synonymes=("maison France services", "MSAP", "conseiller numérique"),
                thematiques_di=(_DI_DEMARCHES, _DI_SERVICES_EN_LIGNE),
            ),
            EntreeBesoin(
                slug="maison-de-l-autonomie",
                libelle="Maison de l'autonomie",
                synonymes=(
                    "maison départementale de l'autonomie",
                    "guichet unique",
                    "service public départemental de l'autonomie",
                ),
            ),
        ),
    ),
)


_HANDICAP_DI = ("personnes-en-situation-de-handicap",)

PUBLICS: tuple[EntreePublic, ...] = (
    EntreePublic(
        slug="personnes-agees",
        libelle="Personnes âgées",
        publics_di=("seniors",),
        description="60 ans et plus : âge d'accès à l'APA et aux établissements pour personnes "
        "âgées (dérogation possible avant 60 ans).",
    ),
    EntreePublic(
        slug="personnes-handicapees",
        libelle="Personnes en situation de handicap",
        publics_di=_HANDICAP_DI,
        enfants=(
            EntreePublic("handicap-moteur", "Handicap moteur", _HANDICAP_DI),
            EntreePublic("handicap-visuel", "Handicap visuel", _HANDICAP_DI),
            EntreePublic("handicap-auditif", "Handicap auditif", _HANDICAP_DI),
            EntreePublic("handicap-psychique", "Handicap psychique", _HANDICAP_DI),
            EntreePublic("handicap-intellectuel", "Handicap intellectuel ou mental", _HANDICAP_DI),
            EntreePublic(
                "handicap-cognitif",
                "Troubles cognitifs, lésions cérébrales",
                _HANDICAP_DI,
                description="Troubles dys, traumatisés crâniens, cérébrolésés.",
            ),
            EntreePublic("autisme-tsa", "Autisme, troubles du spectre de l'autisme", _HANDICAP_DI),
            EntreePublic("polyhandicap", "Polyhandicap", _HANDICAP_DI),
            EntreePublic("maladie-invalidante", "Maladie chronique invalidante", _HANDICAP_DI),
        ),
    ),
    EntreePublic(
        slug="aidants",
        libelle="Aidants",
        # data·inclusion v1 n'a pas de public « aidants » : ils y relèvent des familles.
        publics_di=("familles",),
        description="Proches qui aident une personne âgée ou handicapée.",
    ),
    EntreePublic(
        slug="enfants-jeunes",
        libelle="Enfants et jeunes",
        publics_di=("jeunes", "familles"),
        description="Jusqu'à 20 ans, âge limite des établissements pour enfants handicapés.",
    ),
    EntreePublic(
        slug="adultes",
        libelle="Adultes",
        # Aucun public data·inclusion v1 ne désigne les adultes : « tous publics » serait faux.
        publics_di=(),
        description="De 20 à 59 ans.",
    ),
    EntreePublic(slug="familles", libelle="Familles", publics_di=("familles",)),
    EntreePublic(slug="tous-publics", libelle="Tous publics", publics_di=("tous-publics",)),
)


_PA = ("personnes-agees",)
_PA_PH = ("personnes-agees", "personnes-handicapees")
_ENFANTS_PH = ("enfants-jeunes", "personnes-handicapees")
_ADULTES_PH = ("adultes", "personnes-handicapees")
_MDPH = ("orientation-mdph",)
_ADMISSION = ("dossier-admission",)
_DIRECT = ("libre", "sur-rendez-vous")
_ENFANCE = {"age_max": 20, "modes_acces": _MDPH, "frais": "gratuit"}
_ADULTES_HEBERGES = {"age_min": 20, "modes_acces": _MDPH, "frais": "reste-a-charge"}
_ADULTES_SERVICE = {
    "nature": "service",
    "accueil_a_domicile": True,
    "age_min": 20,
    "modes_acces": _MDPH,
    "frais": "gratuit",
}

# Catégories d'établissements FINESS (« categetab ») du champ de l'autonomie, vérifiées
# dans la nomenclature CNSA (PAPS-CNSA/shiny-finess) ; 340 dans l'extrait FINESS 2021.
# 609 (MDPH) ne figure dans aucune des deux : à confirmer dans la nomenclature en vigueur.
# Âges : 20 ans sépare l'enfance de l'âge adulte dans les ESMS pour personnes handicapées,
# 60 ans ouvre les établissements pour personnes âgées.
_CATEGORIES: tuple[CategorieFiness, ...] = (
    # Personnes âgées
    CategorieFiness(
        "500",
        "EHPAD",
        ("ehpad",),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "501",
        "EHPA percevant des crédits d'assurance maladie",
        ("ehpad",),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "502",
        "EHPA ne percevant pas de crédits d'assurance maladie",
        ("ehpad",),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "202",
        "Résidence autonomie",
        ("residence-autonomie",),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "207",
        "Centre de jour pour personnes âgées",
        ("accueil-de-jour", "troubles-cognitifs"),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "362",
        "Unité de soins de longue durée (USLD)",
        ("ehpad", "acces-aux-soins"),
        _PA,
        modes_acces=_ADMISSION,
        age_min=60,
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "381",
        "Établissement expérimental pour personnes âgées",
        ("etre-heberge",),
        _PA,
        modes_acces=_ADMISSION,
    ),
    CategorieFiness(
        "463",
        "CLIC (centre local d'information et de coordination)",
        ("clic",),
        ("personnes-agees", "aidants"),
        nature="dispositif",
        accueil_a_domicile=True,
        modes_acces=_DIRECT,
        frais="gratuit",
    ),
    # Services à domicile pour personnes âgées et handicapées
    CategorieFiness(
        "460",
        "Service d'aide et d'accompagnement à domicile (SAAD), service autonomie à domicile",
        ("aide-a-domicile",),
        _PA_PH,
        nature="service",
        accueil_sur_place=False,
        accueil_a_domicile=True,
        modes_acces=("evaluation-apa", "orientation-mdph", "libre"),
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "354",
        "Service de soins infirmiers à domicile (SSIAD)",
        ("soins-infirmiers-a-domicile",),
        (*_PA_PH, "maladie-invalidante"),
        nature="service",
        accueil_sur_place=False,
        accueil_a_domicile=True,
        modes_acces=("prescription-medicale",),
        frais="gratuit",
    ),
    CategorieFiness(
        "209",
        "Service polyvalent d'aide et de soins à domicile (SPASAD)",
        ("aide-a-domicile", "soins-infirmiers-a-domicile"),
        _PA_PH,
        nature="service",
        accueil_sur_place=False,
        accueil_a_domicile=True,
        modes_acces=("evaluation-apa", "orientation-mdph", "prescription-medicale"),
        frais="reste-a-charge",
    ),
    CategorieFiness(
        "462",
        "Lieu de vie et d'accueil",
        ("etre-heberge",),
        ("personnes-handicapees", "enfants-jeunes"),
        modes_acces=("orientation-professionnel",),
    ),
    CategorieFiness(
        "370",
        "Établissement expérimental pour personnes handicapées",
        ("etre-heberge",),
        ("personnes-handicapees",),
        modes_acces=_MDPH,
    ),
    # Enfants handicapés
    CategorieFiness(
        "190",
        "CAMSP (centre d'action médico-sociale précoce)",
        ("camsp",),
        _ENFANTS_PH,
        nature="service",
        modes_acces=_DIRECT,
        age_max=6,
        frais="gratuit",
    ),
    CategorieFiness(
        "189",
        "CMPP (centre médico-psycho-pédagogique)",
        ("cmpp",),
        ("enfants-jeunes",),
        nature="service",
        modes_acces=_DIRECT,
        age_max=20,
        frais="gratuit",
    ),
    CategorieFiness(
        "182",
        "SESSAD (service d'éducation spéciale et de soins à domicile)",
        ("sessad", "scolarisation"),
        _ENFANTS_PH,
        nature="service",
        accueil_a_domicile=True,
        **_ENFANCE,
    ),
    CategorieFiness(
        "183",
        "IME (institut médico-éducatif)",
        ("ime",),
        (*_ENFANTS_PH, "handicap-intellectuel"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "186",
        "ITEP (institut thérapeutique, éducatif et pédagogique)",
        ("ime",),
        (*_ENFANTS_PH, "handicap-psychique"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "188",
        "EEAP (établissement pour enfants et adolescents polyhandicapés)",
        ("ime",),
        (*_ENFANTS_PH, "polyhandicap"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "192",
        "IEM (institut d'éducation motrice)",
        ("ime",),
        (*_ENFANTS_PH, "handicap-moteur"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "194",
        "Institut pour déficients visuels",
        ("ime", "scolarisation"),
        (*_ENFANTS_PH, "handicap-visuel"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "195",
        "Institut pour déficients auditifs",
        ("ime", "scolarisation"),
        (*_ENFANTS_PH, "handicap-auditif"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "196",
        "Institut d'éducation sensorielle pour enfants sourds-aveugles",
        ("ime", "scolarisation"),
        (*_ENFANTS_PH, "handicap-visuel", "handicap-auditif"),
        **_ENFANCE,
    ),
    CategorieFiness(
        "402",
        "Jardin d'enfants spécialisé",
        ("ime",),
        _ENFANTS_PH,
        modes_acces=_MDPH,
        age_max=6,
        frais="gratuit",
    ),
    CategorieFiness(
        "238",
        "Centre d'accueil familial spécialisé",
        ("accueil-familial",),
        _ENFANTS_PH,
        **_ENFANCE,
    ),
    CategorieFiness(
        "390",
        "Établissement d'accueil temporaire pour enfants handicapés",
        ("accueil-temporaire",),
        _ENFANTS_PH,
        **_ENFANCE,
    ),
    CategorieFiness(
        "396",
        "Foyer d'hébergement pour enfants et adolescents handicapés",
        ("etre-heberge", "scolarisation"),
        _ENFANTS_PH,
        **_ENFANCE,
    ),
    CategorieFiness(
        "377",
        "Établissement expérimental pour enfants handicapés",
        ("enfance-et-scolarite",),
        _ENFANTS_PH,
        **_ENFANCE,
    ),
    CategorieFiness(
        "221",
        "BAPU (bureau d'aide psychologique universitaire)",
        ("sante-mentale",),
        ("enfants-jeunes",),
        nature="service",
        modes_acces=_DIRECT,
        frais="gratuit",
    ),
    # Adultes handicapés
    CategorieFiness(
        "255",
        "MAS (maison d'accueil spécialisée)",
        ("mas",),
        (*_ADULTES_PH, "polyhandicap"),
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "437",
        "FAM (foyer d'accueil médicalisé)",
        ("fam-eam",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "448",
        "EAM (établissement d'accueil médicalisé)",
        ("fam-eam",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "382",
        "Foyer de vie pour adultes handicapés",
        ("foyer-de-vie",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "449",
        "EANM (établissement d'accueil non médicalisé)",
        ("foyer-de-vie", "foyer-d-hebergement"),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "252",
        "Foyer d'hébergement pour adultes handicapés",
        ("foyer-d-hebergement",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "253",
        "Foyer d'accueil polyvalent pour adultes handicapés",
        ("foyer-de-vie", "foyer-d-hebergement"),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "395",
        "Établissement d'accueil temporaire pour adultes handicapés",
        ("accueil-temporaire",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "379",
        "Établissement expérimental pour adultes handicapés",
        ("etre-heberge",),
        _ADULTES_PH,
        **_ADULTES_HEBERGES,
    ),
    CategorieFiness(
        "246",
        "ESAT (établissement et service d'accompagnement par le travail)",
        ("esat",),
        _ADULTES_PH,
        modes_acces=_MDPH,
        age_min=20,
        frais="gratuit",
    ),
    CategorieFiness(
        "198",
        "ESPO (établissement et service de préorientation)",
        ("reeducation-professionnelle",),
        _ADULTES_PH,
        modes_acces=_MDPH,
        frais="gratuit",
    ),
    CategorieFiness(
        "249",
        "ESRP (établissement et service de réadaptation professionnelle)",
        ("reeducation-professionnelle",),
        _ADULTES_PH,
        modes_acces=_MDPH,
        frais="gratuit",
    ),
    CategorieFiness(
        "464",
        "UEROS (unité d'évaluation, de réentraînement et d'orientation sociale et professionnelle)",
        ("reeducation-professionnelle",),
        (*_ADULTES_PH, "handicap-cognitif"),
        modes_acces=_MDPH,
        frais="gratuit",
    ),
    CategorieFiness(
        "445",
        "SAMSAH (service d'accompagnement médico-social pour adultes handicapés)",
        ("accompagnement-vie-sociale", "acces-aux-soins"),
        _ADULTES_PH,
        **_ADULTES_SERVICE,
    ),
    CategorieFiness(
        "446",
        "SAVS (service d'accompagnement à la vie sociale)",
        ("accompagnement-vie-sociale",),
        _ADULTES_PH,
        **_ADULTES_SERVICE,
    ),
    CategorieFiness(
        "461",
        "Centre de ressources",
        ("point-information",),
        ("personnes-handicapees", "aidants"),
        nature="dispositif",
        modes_acces=_DIRECT,
        frais="gratuit",
    ),
    # Accès aux droits
    CategorieFiness(
        "609",
        "MDPH (maison départementale des personnes handicapées)",
        ("mdph",),
        ("personnes-handicapees", "aidants"),
        nature="dispositif",
        modes_acces=_DIRECT,
        frais="gratuit",
    ),
    CategorieFiness(
        "340",
        "Service mandataire judiciaire à la protection des majeurs",
        ("protection-juridique",),
        _PA_PH,
        nature="service",
        accueil_a_domicile=True,
        modes_acces=("orientation-professionnel",),
        frais="reste-a-charge",
    ),
)
CATEGORIES_FINESS: dict[str, CategorieFiness] = {c.code: c for c in _CATEGORIES}


# Les publics précis qu'un établissement pour personnes handicapées dit dans son nom : FINESS
# ne publie pas la clientèle dans son fichier de stock, mais « SSEFIS », « SAAAIS » ou « TSA »
# dans le nom la disent (un SESSAD pour enfants sourds, aveugles, autistes). Lus en
# majuscules sans accents ; seulement pour une catégorie qui sert déjà les personnes
# handicapées (voir `publics_du_nom_finess`).
PUBLICS_DU_NOM_FINESS: tuple[tuple[str, str], ...] = (
    (r"\bSSEFI?S\b|\bSSEFS\b|\bSOURDS?\b|AUDITI|SURDI|\bLSF\b", "handicap-auditif"),
    (r"\bSAAAI?S\b|VISUEL|AVEUGLE|MALVOYANT|NON[ -]?VOYANT|CECIT", "handicap-visuel"),
    (r"AUTIS|\bTSA\b|\bTED\b", "autisme-tsa"),
    (r"POLYHANDICAP", "polyhandicap"),
    (r"\bIEM\b|MOTEUR|MOTRI", "handicap-moteur"),
    (r"PSYCHIQUE", "handicap-psychique"),
    (r"TRAUMATIS.{0,12}CRANI|CEREBRO.?LES", "handicap-cognitif"),
)

# --- Droits et allocations : à part des services ---------------------------------------------

# Choisir cette famille (ou ses mots : « droits », « allocation », « payer »),
# c'est demander les droits eux-mêmes : ils se classent alors parmi les résultats.
FAMILLE_DES_DROITS = "droits-et-demarches"


def _tous(entrees: tuple[EntreeBesoin, ...]):
    for entree in entrees:
        yield entree
        yield from _tous(entree.enfants)


# slug du droit → besoins dont il aide à payer les services.
DROITS: dict[str, tuple[str, ...]] = {e.slug: e.aide_a_payer for e in _tous(THESAURUS) if e.droit}


def est_une_aide(besoins: Iterable[str]) -> bool:
    """Une fiche est une aide (un droit, une allocation), pas un service qui aide, quand ses
    besoins sont des droits et, au plus, des besoins que ces droits aident à payer : « APA à
    domicile » (APA, aide à domicile, portage de repas) en est une ; l'accueil de la MDPH
    (MDPH, AAH, PCH), où l'on est reçu et aidé, n'en est pas une."""
    besoins = set(besoins)
    droits = besoins & DROITS.keys()
    payes = {besoin for droit in droits for besoin in DROITS[droit]}
    return bool(droits) and besoins - droits <= payes


def besoins_payes(besoins: Iterable[str]) -> set[str]:
    """Les besoins qu'une aide aide à payer : ceux que sa fiche déclare à côté de ses droits
    (l'ASH du Département : EHPAD et résidence autonomie), sinon ceux du thésaurus pour ses
    droits (une fiche « PCH » seule : aide à domicile, aides techniques…)."""
    besoins = set(besoins)
    droits = besoins & DROITS.keys()
    return (besoins - droits) or {besoin for droit in droits for besoin in DROITS[droit]}
