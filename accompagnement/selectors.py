"""Lectures des demandes d'une MDPH pour son accompagnement : stock par étape et prestation,
débit mesuré, évaluation avant/après (toutes calculées depuis les demandes transmises)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Max, Q, Sum, Value, When

from accompagnement.simulation import Debit
from pilotage.indicateurs import en_mois
from pilotage.models import Demande, Prestation
from pilotage.series_publiees import AnneePubliee, fusionner_series, series_publiees
from satisfaction.resultats import TauxAnnee, annees_avec_reponses, taux_global

ETAPES = (
    ("a_completer", "dossier à compléter"),
    ("depose", "déposée, recevabilité à établir"),
    ("recevable", "recevable, évaluation à faire"),
    ("evaluee", "évaluée, décision CDAPH à prendre"),
)


def _etape(jour: dt.date) -> Case:
    """L'étape atteinte au jour dit, d'après les dates de la demande (la plus avancée)."""
    return Case(
        When(date_evaluation__lte=jour, then=Value("evaluee")),
        When(date_recevable__lte=jour, then=Value("recevable")),
        When(date_recevable_a_completer__lte=jour, then=Value("a_completer")),
        default=Value("depose"),
        output_field=CharField(),
    )


def stock_par_etape(*, departement: str, jour: dt.date) -> dict[tuple[str, str], int]:
    """{(étape, prestation): demandes ouvertes ce jour} (déposées, ni décidées ni annulées)."""
    lignes = (
        Demande.objects.du_departement(departement)
        .en_stock_le(jour)
        .annotate(etape=_etape(jour))
        .values("etape", "prestation")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(ligne["etape"], ligne["prestation"]): ligne["n"] for ligne in lignes}


def tableau_stock(stock: dict[tuple[str, str], int]) -> tuple[list[str], list[list]]:
    """En-têtes et lignes (une par prestation, une colonne par étape, puis le total)."""
    entetes = ["Prestation", *(libelle for _, libelle in ETAPES), "Total"]
    lignes = []
    for code, libelle in Prestation.choices:
        valeurs = [stock.get((etape, code), 0) for etape, _ in ETAPES]
        if any(valeurs):
            lignes.append([libelle, *valeurs, sum(valeurs)])
    totaux = [sum(ligne[i] for ligne in lignes) for i in range(1, len(entetes))]
    lignes.append(["Toutes prestations", *totaux])
    return entetes, lignes


def debit_mesure(*, departement: str, jour: dt.date, etp: float | None) -> Debit:
    """Stock ce jour, entrées (dépôts) et sorties (décisions et annulations) mensuelles
    moyennes des 12 mois qui finissent ce jour."""
    debut = jour - dt.timedelta(days=365)
    demandes = Demande.objects.du_departement(departement)
    comptes = demandes.aggregate(
        entrees=Count("id", filter=Q(date_depot__gt=debut, date_depot__lte=jour)),
        sorties=Count("id", filter=Q(date_sortie__gt=debut, date_sortie__lte=jour)),
    )
    return Debit(
        stock=demandes.en_stock_le(jour).count(),
        entrees_mois=comptes["entrees"] / 12,
        sorties_mois=comptes["sorties"] / 12,
        etp=etp,
    )


@dataclass(frozen=True)
class Periode:
    libelle: str
    debut: dt.date
    fin: dt.date
    delai_mois: float | None
    decisions: int
    stock_fin: int


def _periode(departement: str, libelle: str, debut: dt.date, fin: dt.date) -> Periode:
    """Délai moyen CNSA (recevabilité → décision, Σ jours / Σ décisions) des décisions de la
    période et stock à sa fin."""
    demandes = Demande.objects.du_departement(departement)
    sommes = demandes.decidees_entre(debut, fin).aggregate(
        jours=Sum("delai_jours"), mesurees=Count("delai_jours"), decisions=Count("id")
    )
    delai = en_mois(sommes["jours"] / sommes["mesurees"]) if sommes["mesurees"] else None
    return Periode(
        libelle, debut, fin, delai, sommes["decisions"], demandes.en_stock_le(fin).count()
    )


def evaluation(*, departement: str, debut: dt.date, jour: dt.date) -> tuple[Periode, Periode]:
    """Avant : les 12 mois qui précèdent le début de l'accompagnement ; après : du début au
    jour dit (au plus 12 mois)."""
    avant = _periode(
        departement, "12 mois avant", debut - dt.timedelta(days=365), debut - dt.timedelta(days=1)
    )
    fin = min(jour, debut + dt.timedelta(days=364))
    apres = _periode(departement, "depuis le début", debut, fin)
    return avant, apres


def derniere_activite(departement: str) -> dt.date | None:
    """Le dernier jour connu des demandes de la MDPH (son dernier événement)."""
    dates = Demande.objects.du_departement(departement).aggregate(
        d=Max("date_depot"), s=Max("date_sortie")
    )
    connues = [d for d in dates.values() if d]
    return max(connues) if connues else None


def evaluation_publiee(
    *, departement: str, debut: dt.date
) -> tuple[AnneePubliee | None, AnneePubliee | None]:
    """Le délai AAH publié (série Etalab puis DITP) de l'année qui précède le début de
    l'accompagnement, et celui de la dernière année publiée depuis (None s'il manque)."""
    annees = fusionner_series(series_publiees(departements=frozenset({departement}))).get(
        departement, {}
    )
    avant = annees.get(debut.year - 1)
    depuis = [v for a, v in annees.items() if a >= debut.year]
    return avant, (depuis[-1] if depuis else None)


def evaluation_satisfaction(
    *, departement: str, debut: dt.date
) -> tuple[TauxAnnee | None, TauxAnnee | None]:
    """Le taux de satisfaction d'ensemble des usagers de la MDPH (réponses poolées de
    l'enquête « Ma MDPH, mon avis ») l'année qui précède l'accompagnement, et celui de la
    dernière année qui a des réponses depuis ; None sans réponse cette année-là. Sous le
    seuil de publication, le taux est None et le nombre de réponses le dit."""
    annees = annees_avec_reponses(departement)
    avant = debut.year - 1
    depuis = [a for a in annees if a >= debut.year]
    return (
        taux_global("mdph", departement, avant) if avant in annees else None,
        taux_global("mdph", departement, depuis[-1]) if depuis else None,
    )
