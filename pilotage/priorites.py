"""Les 11 priorités stratégiques de la branche Autonomie et les indicateurs qui les suivent.

Source : cadre de coopération de la branche Autonomie (CNSA, 2022), trois axes. Chaque
priorité est suivie par des indicateurs choisis parmi les existants ; un rapport
départemental unique par département alimente le rapport de branche national.
Le catalogue vit dans le code ; `synchroniser_priorites()` l'écrit en base (idempotent).
"""

from dataclasses import dataclass

from django.db import transaction

from pilotage.mesures import MESURES, Mesure, lignes_par_departement, pooler
from pilotage.models import (
    Axe,
    Cible,
    FicheIndicateur,
    Frequence,
    Indicateur,
    Maille,
    Priorite,
    Sens,
    ValeurBarometre,
)
from pilotage.tableaux import nombre_fr
from satisfaction import resultats as satisfaction

PRIORITES: tuple[tuple[int, str, str, str], ...] = (
    (
        1,
        Axe.SERVICE_RENDU,
        "Équité de traitement quels que soient la situation et le lieu de vie",
        "",
    ),
    (
        2,
        Axe.SERVICE_RENDU,
        "Accès simplifié de toute personne à l'information, aux droits et à la citoyenneté",
        "",
    ),
    (
        3,
        Axe.SERVICE_RENDU,
        "Participation des personnes à l'amélioration du service et de leur parcours",
        "",
    ),
    (
        4,
        Axe.SERVICE_RENDU,
        "Prévention de la perte d'autonomie et lutte contre l'isolement social",
        "",
    ),
    (5, Axe.SERVICE_RENDU, "Effectivité des droits et continuité des parcours", ""),
    (6, Axe.OFFRE, "Vie autonome des personnes handicapées", "Autodétermination, virage inclusif."),
    (
        7,
        Axe.OFFRE,
        "Vie à domicile des aînés le plus longtemps possible",
        "Services autonomie, plateformes, habitat inclusif, centres de ressources territoriaux.",
    ),
    (8, Axe.OFFRE, "Moderniser l'offre et l'attractivité des métiers", ""),
    (9, Axe.EFFICIENCE, "Échanges d'informations par les systèmes d'information de la branche", ""),
    (10, Axe.EFFICIENCE, "Connaissance des besoins et de l'offre", "SIDOBA, ViaTrajectoire, ROR."),
    (
        11,
        Axe.EFFICIENCE,
        "Équilibre financier de la branche",
        "Gestion du risque, pilotage de la dépense en ESMS.",
    ),
)

MESURE_SATISFACTION = "satisfaction"
SOURCE_DEMANDES = "Demandes MDPH pseudonymisées (remontées de l'arrêté du 13 septembre 2010)"
DEFINITION_DELAI = (
    "Moyenne, sur les demandes décidées dans la période, du temps écoulé de la date où la "
    "demande est recevable (dossier complet) à la date de la décision ou de l'avis de la "
    "CDAPH, en mois de 30,4375 jours (définition du baromètre CNSA). Valeur d'un territoire : "
    "Σ jours / Σ décisions de ses MDPH."
)
DEFINITION_SANS_LIMITATION = (
    "Part des attributions de l'année accordées sans limitation de durée (décrets de "
    "simplification de 2018 et 2019) : Σ attributions sans limitation / Σ attributions."
)


@dataclass(frozen=True)
class FicheCatalogue:
    code: str
    libelle: str
    unite: str
    sens: str
    definition: str
    source: str
    frequence: str
    mesure: str
    priorites: tuple[int, ...]


def _fiche_mesure(mesure: Mesure, definition: str, priorites: tuple[int, ...]) -> FicheCatalogue:
    return FicheCatalogue(
        mesure.code,
        mesure.libelle,
        mesure.unite,
        mesure.sens,
        definition,
        SOURCE_DEMANDES,
        Frequence.TRIMESTRIELLE,
        mesure.code,
        priorites,
    )


FICHES: tuple[FicheCatalogue, ...] = (
    _fiche_mesure(MESURES["delai-global"], DEFINITION_DELAI, (1, 5)),
    _fiche_mesure(MESURES["delai-enfants"], DEFINITION_DELAI, (5,)),
    _fiche_mesure(MESURES["delai-adultes"], DEFINITION_DELAI, (5,)),
    _fiche_mesure(MESURES["delai-aah"], DEFINITION_DELAI, (1, 5)),
    _fiche_mesure(MESURES["delai-pch"], DEFINITION_DELAI, (5,)),
    _fiche_mesure(MESURES["sans-limitation-aah"], DEFINITION_SANS_LIMITATION, (2, 5)),
    _fiche_mesure(MESURES["sans-limitation-cmi"], DEFINITION_SANS_LIMITATION, (2, 5)),
    _fiche_mesure(MESURES["sans-limitation-rqth"], DEFINITION_SANS_LIMITATION, (2, 5)),
    _fiche_mesure(
        MESURES["duree-scolarisation"],
        "Durée moyenne, en mois, des droits de scolarisation (PPS) attribués pour une durée "
        "limitée dans la période : Σ durées / nombre d'attributions. Des droits plus longs "
        "évitent des renouvellements en cours de scolarité.",
        (2, 5),
    ),
    FicheCatalogue(
        "IND-296",
        "Délai moyen de traitement des demandes par les MDPH (baromètre DITP)",
        "mois",
        Sens.BAISSE,
        "Valeur publiée par la DITP (baromètre des résultats de l'action publique) ; toutes "
        "demandes malgré le libellé « hors AAH ».",
        "DITP, baromètre des résultats de l'action publique (Licence Ouverte 2.0)",
        Frequence.TRIMESTRIELLE,
        "",
        (5,),
    ),
    FicheCatalogue(
        "IND-297",
        "Délai moyen de traitement des demandes d'AAH (baromètre DITP)",
        "mois",
        Sens.BAISSE,
        "Valeur publiée par la DITP pour les demandes d'AAH.",
        "DITP, baromètre des résultats de l'action publique (Licence Ouverte 2.0)",
        Frequence.TRIMESTRIELLE,
        "",
        (5,),
    ),
    FicheCatalogue(
        "satisfaction-globale",
        "Taux de satisfaction d'ensemble des usagers de la MDPH",
        "%",
        Sens.HAUSSE,
        satisfaction.DEFINITION_TAUX
        + " Question : satisfaction d'ensemble. Valeur nationale : réponses poolées des MDPH "
        "chargées dans Autonomie ; la valeur publiée par la CNSA est montrée à côté. Aucune "
        "valeur sous le seuil de publication (30 réponses par défaut).",
        "Enquête « Ma MDPH, mon avis » recueillie sur Autonomie (en ligne et papier)",
        Frequence.CONTINUE,
        MESURE_SATISFACTION,
        (3,),
    ),
)


@transaction.atomic
def synchroniser_priorites() -> dict[str, int]:
    """Écrit le catalogue (priorités, indicateurs, fiches, rattachements) ; idempotent.

    Un indicateur déjà importé (baromètre) garde son libellé s'il en a un ; sens et unité
    suivent le catalogue. Rend le nombre d'objets créés et mis à jour.
    """
    compte = {"creees": 0, "mises_a_jour": 0}

    def noter(creee: bool) -> None:
        compte["creees" if creee else "mises_a_jour"] += 1

    priorites = {}
    for numero, axe, titre, precisions in PRIORITES:
        priorites[numero], creee = Priorite.objects.update_or_create(
            numero=numero, defaults={"axe": axe, "titre": titre, "precisions": precisions}
        )
        noter(creee)
    for ordre, fiche in enumerate(FICHES, start=1):
        indicateur, creee = Indicateur.objects.update_or_create(
            code=fiche.code,
            defaults={"libelle": fiche.libelle, "unite": fiche.unite, "sens": fiche.sens},
        )
        noter(creee)
        _, creee = FicheIndicateur.objects.update_or_create(
            indicateur=indicateur,
            defaults={
                "definition": fiche.definition,
                "source": fiche.source,
                "frequence": fiche.frequence,
                "mesure": fiche.mesure,
                "ordre": ordre,
            },
        )
        noter(creee)
        for numero in fiche.priorites:
            priorites[numero].indicateurs.add(indicateur)
    return compte


@dataclass
class ValeursIndicateur:
    """Valeurs d'un indicateur pour une année : par département et nationale (poolée ou
    publiée), avec les cibles des territoires."""

    indicateur: Indicateur
    par_departement: dict[str, float | None]
    national: float | None
    cibles: dict[str, Cible]
    connectee: bool = True
    publiee: bool = False  # valeurs d'un baromètre publié, visibles de tout rôle de pilotage
    note_national: str = ""  # ce que pool la valeur nationale, et la valeur publiée à côté


def valeurs_annee(
    *, indicateurs: list[Indicateur], annee: int, lignes: dict | None = None
) -> list[ValeursIndicateur]:
    """Valeurs de l'année de chaque indicateur : calculées (ratio poolé des sommes de l'année)
    ou publiées (dernier trimestre publié de l'année)."""
    if lignes is None and any(_mesure(i) for i in indicateurs):
        lignes = lignes_par_departement(annee=annee)
    cibles: dict[int, dict[str, Cible]] = {}
    for cible in Cible.objects.filter(indicateur__in=indicateurs):
        cibles.setdefault(cible.indicateur_id, {})[cible.territoire] = cible
    resultat = []
    for indicateur in indicateurs:
        mesure = _mesure(indicateur)
        fiche = getattr(indicateur, "fiche", None)
        note = ""
        if mesure:
            par_departement = {c: mesure.calculer(ls) for c, ls in lignes.items()}
            national = mesure.calculer(pooler(lignes))
        elif fiche and fiche.mesure == MESURE_SATISFACTION:
            par_departement, national, note = _satisfaction(annee)
        else:
            par_departement, national = _publiees(indicateur, annee)
        resultat.append(
            ValeursIndicateur(
                indicateur,
                par_departement,
                national,
                cibles.get(indicateur.pk, {}),
                connectee=not (fiche and fiche.mesure == "non_connectee"),
                publiee=mesure is None,
                note_national=note,
            )
        )
    return resultat


def _satisfaction(annee: int) -> tuple[dict[str, float | None], float | None, str]:
    """Le taux de satisfaction de l'année par MDPH et national poolé, et la note qui dit
    ce que pool le national, avec la valeur publiée par la CNSA à côté."""
    national = satisfaction.taux_global("national", "", annee)
    publie = satisfaction.taux_publie("FR", annee=annee)
    note = (
        f"Valeur nationale : {nombre_fr(national.taux)} % (national, {national.mdph} MDPH "
        f"chargées, {national.repondants} réponses poolées)"
    )
    if publie:
        note += f" ; valeur publiée par la CNSA : {nombre_fr(publie.taux)} % ({publie.annee})"
    return satisfaction.taux_par_departement(annee), national.taux, note + "."


def _mesure(indicateur: Indicateur) -> Mesure | None:
    fiche = getattr(indicateur, "fiche", None)
    return MESURES.get(fiche.mesure) if fiche else None


def _publiees(indicateur: Indicateur, annee: int) -> tuple[dict[str, float], float | None]:
    """Dernière valeur publiée au plus tard cette année, par territoire (département, national) :
    les baromètres paraissent avec retard."""
    par_departement: dict[str, float] = {}
    national = None
    for v in ValeurBarometre.objects.filter(indicateur=indicateur, annee__lte=annee).order_by(
        "annee", "trimestre"
    ):
        if v.maille == Maille.DEPARTEMENT:
            par_departement[v.territoire] = round(v.valeur, 1)
        elif v.maille == Maille.NATIONAL:
            national = round(v.valeur, 1)
    return par_departement, national
