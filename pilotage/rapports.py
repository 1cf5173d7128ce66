"""Rapport départemental unique et rapport de branche (cadre de coopération, 2022).

Le rapport départemental assemble, pour un département et une année : activité de la MDPH,
indicateurs des priorités stratégiques face au national et aux cibles, alertes, satisfaction.
Le rapport de branche agrège tous les départements : chaque valeur nationale est poolée sur
les sommes (Σ jours / Σ décisions…), jamais une moyenne des valeurs départementales.
"""

import logging
from dataclasses import dataclass, field
from statistics import median

from django.template.loader import render_to_string

from pilotage.graphiques import graphique_lignes
from pilotage.mesures import MESURES, lignes_par_departement, lignes_par_trimestre, pooler, somme
from pilotage.models import Priorite
from pilotage.priorites import valeurs_annee
from pilotage.tableaux import Colonne, Tableau
from pilotage.tableaux_de_bord import Bloc, _tableau_serie, verifier_alertes
from territoires.models import Departement

DELAI = MESURES["delai-global"]


@dataclass
class SectionPriorite:
    priorite: Priorite
    tableau: Tableau | None
    non_connectes: list[str] = field(default_factory=list)


def _activite(lignes: list[dict]) -> list:
    return [
        somme(lignes, "nouvelles_demandes"),
        somme(lignes, "decisions"),
        sum(ligne.get("stock_fin_annee") or 0 for ligne in lignes),
        DELAI.calculer(lignes),
    ]


LIBELLES_ACTIVITE = (
    ("Nouvelles demandes", "", 0),
    ("Décisions", "", 0),
    ("Demandes en attente au 31 décembre", "", 0),
    ("Délai moyen de traitement", "mois", 1),
)


def _tableau_activite(titre: str, colonnes: list[tuple[str, list]]) -> Tableau:
    """Une ligne par grandeur d'activité, une colonne par territoire × année."""
    return Tableau(
        slug="activite",
        titre=titre,
        colonnes=[Colonne("Grandeur", decimales=0)] + [Colonne(nom) for nom, _ in colonnes],
        lignes=[
            [f"{libelle} ({unite})" if unite else libelle]
            + [
                round(valeurs[i], decimales) if valeurs[i] is not None else None
                for _, valeurs in colonnes
            ]
            for i, (libelle, unite, decimales) in enumerate(LIBELLES_ACTIVITE)
        ],
    )


def _sections(annee: int, lignes: dict, code: str | None) -> list[SectionPriorite]:
    """Indicateurs de chaque priorité : valeur du département (ou dispersion des MDPH pour la
    branche), valeur nationale poolée, cible et taux d'avancement DITP."""
    priorites = Priorite.objects.prefetch_related("indicateurs__fiche").order_by("numero")
    sections = []
    for priorite in priorites:
        indicateurs = sorted(
            priorite.indicateurs.all(), key=lambda i: (getattr(i, "fiche", None) is None, i.code)
        )
        valeurs = valeurs_annee(indicateurs=indicateurs, annee=annee, lignes=lignes)
        connectees = [v for v in valeurs if v.connectee]
        non_connectes = [v.indicateur.libelle for v in valeurs if not v.connectee]
        tableau = None
        if connectees:
            tableau = (
                _tableau_departement(priorite, connectees, code)
                if code
                else _tableau_branche(priorite, connectees)
            )
        sections.append(SectionPriorite(priorite, tableau, non_connectes))
    return sections


def _tableau_departement(priorite: Priorite, valeurs: list, code: str) -> Tableau:
    lignes = []
    for v in valeurs:
        cible = v.cibles.get(code)
        lignes.append(
            [
                f"{v.indicateur.libelle} ({v.indicateur.unite})",
                v.par_departement.get(code),
                v.national,
                cible.valeur_cible if cible else None,
                cible.taux_avancement() if cible else None,
            ]
        )
    return Tableau(
        slug=f"priorite-{priorite.numero}",
        titre=f"Priorité {priorite.numero} : {priorite.titre}",
        colonnes=[
            Colonne("Indicateur", decimales=0),
            Colonne("Département"),
            Colonne("National"),
            Colonne("Cible"),
            Colonne("Taux d'avancement", "%"),
        ],
        lignes=lignes,
    )


def _tableau_branche(priorite: Priorite, valeurs: list) -> Tableau:
    lignes = []
    for v in valeurs:
        connues = sorted(x for x in v.par_departement.values() if x is not None)
        lignes.append(
            [
                f"{v.indicateur.libelle} ({v.indicateur.unite})",
                v.national,
                len(connues),
                connues[0] if connues else None,
                round(median(connues), 1) if connues else None,
                connues[-1] if connues else None,
            ]
        )
    return Tableau(
        slug=f"priorite-{priorite.numero}",
        titre=f"Priorité {priorite.numero} : {priorite.titre}",
        colonnes=[
            Colonne("Indicateur", decimales=0),
            Colonne("Branche (valeur poolée)"),
            Colonne("MDPH renseignées", decimales=0),
            Colonne("Minimum"),
            Colonne("Médiane des MDPH"),
            Colonne("Maximum"),
        ],
        lignes=lignes,
    )


def rapport_departemental(*, departement: Departement, annee: int) -> dict:
    """Contexte du rapport départemental unique d'un département pour une année."""
    lignes = lignes_par_departement(annee=annee)
    precedentes = lignes_par_departement(annee=annee - 1)
    code = departement.code
    activite = _tableau_activite(
        f"Activité de la MDPH, {departement.nom}, {annee - 1} et {annee}, face au national",
        [
            (f"{departement.nom} {annee - 1}", _activite(precedentes.get(code, []))),
            (f"{departement.nom} {annee}", _activite(lignes.get(code, []))),
            (f"National {annee}", _activite(pooler(lignes))),
        ],
    )
    periodes = [(annee, t) for t in range(1, 5)]
    serie = _tableau_serie(
        DELAI,
        periodes=periodes,
        local=lignes_par_trimestre(departements=[code], depuis=(annee, 1)),
        national=lignes_par_trimestre(departements=None, depuis=(annee, 1)),
        nom=departement.nom,
    )
    _, alertes = verifier_alertes(annee=annee)
    return {
        "departement": departement,
        "annee": annee,
        "activite": activite,
        "delais": Bloc(serie, graphique_lignes(serie, colonnes=[1, 2], hauteur=260)),
        "sections": _sections(annee, lignes, code),
        "alertes": [a for a in alertes if a.territoire == code],
        "donnees": code in lignes,
    }


def rapport_branche(*, annee: int, departements: frozenset[str] | None = None) -> dict:
    """Contexte du rapport de branche : sommes de toutes les MDPH, ratios poolés.

    Le tableau par MDPH et les alertes ne montrent que `departements` (ceux du déploiement ;
    None : tous) ; les valeurs de la branche restent poolées sur toutes les MDPH chargées."""
    montres = departements
    lignes = lignes_par_departement(annee=annee)
    precedentes = lignes_par_departement(annee=annee - 1)
    noms = dict(Departement.objects.values_list("code", "nom"))
    activite = _tableau_activite(
        f"Activité des MDPH de la branche, {annee - 1} et {annee}",
        [
            (f"Branche {annee - 1}", _activite(pooler(precedentes))),
            (f"Branche {annee}", _activite(pooler(lignes))),
        ],
    )
    departements = Tableau(
        slug="departements",
        titre=f"Activité de chaque MDPH en {annee}",
        colonnes=[
            Colonne("Département", decimales=0),
            Colonne("Code", decimales=0),
            Colonne("Nouvelles demandes", decimales=0),
            Colonne("Décisions", decimales=0),
            Colonne("En attente au 31 décembre", decimales=0),
            Colonne("Délai moyen", "mois"),
        ],
        lignes=[
            [noms.get(c, c), c, *_activite(lignes[c])]
            for c in sorted(lignes)
            if montres is None or c in montres
        ],
    )
    _, alertes = verifier_alertes(annee=annee, demandes=montres, publies=montres)
    return {
        "annee": annee,
        "activite": activite,
        "departements": departements,
        "sections": _sections(annee, lignes, None),
        "alertes": alertes,
        "donnees": bool(lignes),
        "departements_du_deploiement": montres,
    }


def _aucune_ressource(url: str, *args, **kwargs) -> dict:
    """Le gabarit est autonome : rien à aller chercher, ni sur le réseau ni sur le disque."""
    raise ValueError(f"ressource refusée dans un rapport PDF : {url}")


def en_pdf(*, gabarit: str, contexte: dict) -> bytes:
    """PDF du rapport par WeasyPrint (gabarit d'impression autonome, SVG en ligne)."""
    from weasyprint import HTML  # import tardif : Pango n'est chargé que pour les PDF

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # une ligne par étape
    html = render_to_string(gabarit, contexte)
    return HTML(string=html, url_fetcher=_aucune_ressource).write_pdf()
