"""Lectures des indicateurs : ratios de sommes agrégées, à toute maille.

Délai moyen d'une maille (définition CNSA) = Σ jours de traitement / Σ décisions mesurées de
ses MDPH : la moyenne nationale pondère chaque MDPH par son nombre de décisions.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Min, Q, Sum

from pilotage.indicateurs import (
    DELAI_CNSA,
    STATISTIQUES,
    DefinitionDelai,
    bornes_trimestre,
    en_mois,
)
from pilotage.models import AgregatTrimestriel, Demande, Maille
from territoires.models import Departement

COLONNE_DE_EVENEMENT = {
    "depose": "date_depot",
    "recevable": "date_recevable",
    "decision": "date_decision",
    "notification": "date_notification",
}


def departements_de(*, maille: str, code: str) -> list[str] | None:
    """Les MDPH d'un territoire ; None pour le national (toutes)."""
    if maille == Maille.NATIONAL:
        return None
    if maille == Maille.REGION:
        return list(Departement.objects.filter(region_id=code).values_list("code", flat=True))
    return [code]


def _bornes(annee: int, trimestre: int | None) -> tuple[dt.date, dt.date]:
    if trimestre is None:
        return dt.date(annee, 1, 1), dt.date(annee, 12, 31)
    return bornes_trimestre(annee, trimestre)


def _filtre_agregats(departements, annee, trimestre, famille, public) -> Q:
    filtre = Q(annee=annee)
    if trimestre is not None:
        filtre &= Q(trimestre=trimestre)
    if departements is not None:
        filtre &= Q(departement_id__in=departements)
    if famille:
        filtre &= Q(famille=famille)
    if public:
        filtre &= Q(public=public)
    return filtre


def delai_traitement(
    *,
    annee: int,
    trimestre: int | None = None,
    departements: list[str] | None = None,
    famille: str = "",
    public: str = "",
    definition: DefinitionDelai = DELAI_CNSA,
) -> float | None:
    """Délai de traitement en mois sur les demandes dont l'événement de fin tombe dans la période.

    Définition CNSA (par défaut) : moyenne poolée Σ jours / Σ décisions lue dans les agrégats.
    Autres définitions (autres bornes, médiane, P90) : calculées depuis les demandes.
    """
    if definition.est_cnsa:
        sommes = AgregatTrimestriel.objects.filter(
            _filtre_agregats(departements, annee, trimestre, famille, public)
        ).aggregate(jours=Sum("jours_traitement"), n=Sum("decisions_mesurees"))
        return en_mois(sommes["jours"] / sommes["n"]) if sommes["n"] else None
    jours = _jours_de_traitement(annee, trimestre, departements, famille, public, definition)
    return en_mois(STATISTIQUES[definition.statistique](jours)) if jours else None


def _jours_de_traitement(annee, trimestre, departements, famille, public, definition) -> list:
    debut_col = COLONNE_DE_EVENEMENT[definition.debut]
    fin_col = COLONNE_DE_EVENEMENT[definition.fin]
    debut, fin = _bornes(annee, trimestre)
    demandes = Demande.objects.filter(
        **{f"{fin_col}__gte": debut, f"{fin_col}__lte": fin, f"{debut_col}__isnull": False}
    )
    if departements is not None:
        demandes = demandes.filter(departement_id__in=departements)
    if famille:
        demandes = demandes.filter(famille=famille)
    if public:
        demandes = demandes.filter(public=public)
    return [(f - d).days for d, f in demandes.values_list(debut_col, fin_col).iterator()]


def premieres_annees() -> dict[str, int]:
    """La première année des données de chaque MDPH : son année de rodage (le stock des
    demandes déposées avant manque, et seules les plus rapides sont déjà décidées)."""
    return dict(
        AgregatTrimestriel.objects.values("departement_id")
        .annotate(premiere=Min("annee"))
        .values_list("departement_id", "premiere")
    )


def activite_annuelle(*, annees: list[int]) -> dict[str, dict[int, dict]]:
    """Par MDPH et par année : délai moyen (mois), décisions, stock au 31 décembre, et
    `rodage` pour la première année de ses données."""
    resultat: dict[str, dict[int, dict]] = defaultdict(dict)
    premieres = premieres_annees()
    lignes = (
        AgregatTrimestriel.objects.filter(annee__in=annees)
        .values("departement_id", "annee")
        .annotate(
            jours=Sum("jours_traitement"),
            mesurees=Sum("decisions_mesurees"),
            decisions=Sum("decisions"),
            stock=Sum("stock_fin", filter=Q(trimestre=4)),
        )
        .order_by()
    )
    for ligne in lignes:
        resultat[ligne["departement_id"]][ligne["annee"]] = {
            "delai_mois": en_mois(ligne["jours"] / ligne["mesurees"])
            if ligne["mesurees"]
            else None,
            "decisions": ligne["decisions"],
            "stock_fin": ligne["stock"] or 0,
            "rodage": ligne["annee"] == premieres.get(ligne["departement_id"]),
        }
    return resultat


def serie_trimestrielle_delais(
    *, departements: list[str] | None = None, famille: str = "", public: str = ""
) -> dict[str, list[tuple[tuple[int, int], float]]]:
    """Délai moyen (mois) par MDPH et par trimestre, depuis les agrégats."""
    filtre = Q()
    if departements is not None:
        filtre &= Q(departement_id__in=departements)
    if famille:
        filtre &= Q(famille=famille)
    if public:
        filtre &= Q(public=public)
    lignes = (
        AgregatTrimestriel.objects.filter(filtre)
        .values("departement_id", "annee", "trimestre")
        .annotate(jours=Sum("jours_traitement"), n=Sum("decisions_mesurees"))
        .order_by("departement_id", "annee", "trimestre")
    )
    series: dict[str, list] = defaultdict(list)
    for ligne in lignes:
        if ligne["n"]:
            periode = (ligne["annee"], ligne["trimestre"])
            series[ligne["departement_id"]].append((periode, en_mois(ligne["jours"] / ligne["n"])))
    return dict(series)
