"""Le baromètre public des MDPH (issue 12, § 3) : pour chaque MDPH, sans connexion, les
indicateurs que publie le baromètre de la CNSA (délais, droits sans limitation de durée,
satisfaction) face à la valeur nationale, une phrase en français simple par indicateur, les
séries trimestrielles (graphique et tableau) et tout l'historique à télécharger.

Ce qui reste réservé aux rôles de pilotage (docs/adr, « baromètre public ») : l'activité
(dépôts, stock, histogrammes), le classement, les alertes, les rapports, les détails des
résultats de satisfaction et les avis libres.

Deux valeurs nationales, jamais confondues : la valeur **poolée** sur les MDPH chargées dans
Autonomie (« national (N MDPH chargées) »), et la valeur **publiée** (Etalab, DITP, CNSA).
"""

from dataclasses import dataclass, field

from django.db.models import Count

from pilotage.graphiques import graphique_lignes
from pilotage.mesures import MESURES, Mesure, lignes_par_trimestre
from pilotage.models import AgregatTrimestriel, Maille, ValeurBarometre
from pilotage.tableaux import Colonne, Tableau, nombre_fr
from pilotage.tableaux_de_bord import Bloc, libelle_trimestre, trimestres_jusqua
from satisfaction import resultats as satisfaction
from territoires.models import Departement

Trimestre = tuple[int, int]
TRIMESTRES_PUBLICS = 12
TOUS_LES_TRIMESTRES = 4 * 60  # l'historique entier : les trimestres vides en tête sont ôtés
# Les indicateurs calculés du baromètre public, et la série publiée qui leur fait face au
# national (la plus récente d'abord : DITP depuis 2022, Etalab de 2017 à 2021).
INDICATEURS = ("delai-global", "delai-aah", "sans-limitation-aah", "sans-limitation-cmi")
PUBLIES_NATIONAUX = {
    "delai-global": ("IND-296",),
    "delai-aah": ("IND-297", "etalab-dmt-aah"),
}
SOURCES_PUBLIEES = {
    "IND-296": "DITP, baromètre des résultats de l'action publique",
    "IND-297": "DITP, baromètre des résultats de l'action publique",
    "etalab-dmt-aah": "Etalab, baromètre des résultats de l'action publique (2017-2022)",
}

# Article devant le nom du département : « de la Nièvre », « du Cher », « de l'Eure »,
# « des Vosges ». Tout nom qui n'est ni masculin, ni pluriel, ni sans article est féminin.
MASCULINS = frozenset(
    {"Calvados", "Cantal", "Cher", "Doubs", "Finistère", "Gard", "Gers", "Jura",
     "Loir-et-Cher", "Loiret", "Lot", "Lot-et-Garonne", "Maine-et-Loire", "Morbihan", "Nord",
     "Pas-de-Calais", "Puy-de-Dôme", "Rhône", "Haut-Rhin", "Bas-Rhin", "Tarn",
     "Tarn-et-Garonne", "Var", "Vaucluse", "Val-de-Marne", "Val-d'Oise",
     "Territoire de Belfort"}
)  # fmt: skip
SANS_ARTICLE = frozenset({"Paris", "Mayotte", "La Réunion"})
VOYELLES = "AEIOUYÉÈÂÎH"


def de(nom: str) -> str:
    """« de la Nièvre », « du Cher », « de l'Eure », « des Vosges », « de Paris »."""
    if nom in SANS_ARTICLE:
        return f"de {nom}"
    if nom[:1] in VOYELLES + "ÎÏ":
        return f"de l'{nom}"
    premier = nom.split("-")[0]
    if nom in MASCULINS:
        return f"du {nom}"
    if premier.endswith("s") or nom in ("Bouches-du-Rhône", "Alpes-Maritimes"):
        return f"des {nom}"
    return f"de la {nom}"


@dataclass
class IndicateurPublic:
    """Un indicateur de la MDPH face au national : sa phrase, et ses valeurs."""

    code: str
    libelle: str
    unite: str
    periode: str
    phrase: str
    mdph: float | None
    national_poole: float | None
    mdph_chargees: int
    national_publie: float | None = None
    periode_publiee: str = ""
    source_publiee: str = ""
    definition: str = ""


@dataclass
class BarometrePublic:
    departement: Departement
    indicateurs: list[IndicateurPublic] = field(default_factory=list)
    blocs: list[Bloc] = field(default_factory=list)

    @property
    def tableaux(self) -> dict[str, Tableau]:
        return {b.tableau.slug: b.tableau for b in self.blocs}


def _dernier_trimestre(code: str) -> Trimestre | None:
    dernier = (
        AgregatTrimestriel.objects.filter(departement_id=code)
        .order_by("-annee", "-trimestre")
        .values_list("annee", "trimestre")
        .first()
    )
    return tuple(dernier) if dernier else None


def mdph_chargees(depuis: Trimestre) -> dict[Trimestre, int]:
    """Combien de MDPH ont des agrégats, par trimestre (ce que pool la valeur « national »)."""
    lignes = (
        AgregatTrimestriel.objects.filter(annee__gte=depuis[0])
        .values_list("annee", "trimestre")
        .annotate(n=Count("departement", distinct=True))
        .order_by()
    )
    return {(a, t): n for a, t, n in lignes if (a, t) >= depuis}


def national_publie(mesure: str, jusqua: Trimestre) -> tuple[float, Trimestre, str] | None:
    """La dernière valeur nationale publiée au plus tard ce trimestre (DITP, puis Etalab)."""
    for code in PUBLIES_NATIONAUX.get(mesure, ()):
        valeurs = ValeurBarometre.objects.filter(
            indicateur__code=code, maille=Maille.NATIONAL
        ).order_by("-annee", "-trimestre")
        for v in valeurs.values_list("annee", "trimestre", "valeur"):
            if (v[0], v[1]) <= jusqua:
                return round(v[2], 1), (v[0], v[1]), SOURCES_PUBLIEES[code]
    return None


def _nombre(valeur: float | None, unite: str) -> str:
    texte = nombre_fr(valeur, 1)
    return f"{texte} %" if unite == "%" else f"{texte} {unite}"


def _phrase(mesure: Mesure, nom: str, local, france: str) -> str:
    mdph = f"À la MDPH {de(nom)}"
    if local is None:
        return f"{mdph}, aucune valeur n'est disponible pour ce trimestre ; {france}."
    if mesure.code.startswith("delai-"):
        quoi = "une demande" if mesure.code == "delai-global" else "une demande d'AAH"
        return f"{mdph}, {quoi} est traitée en {_nombre(local, 'mois')} en moyenne ; {france}."
    droit = mesure.court
    return (
        f"{mdph}, {_nombre(local, '%')} des {droit} sont attribuées sans limitation de durée ; "
        f"{france}."
    )


def _france(mesure: Mesure, poole, chargees: int, publie) -> str:
    """La valeur de la France : la publiée si elle existe, sinon la poolée, nommée comme
    telle (« pour les N MDPH chargées »)."""
    unite = "mois" if mesure.unite == "mois" else "%"
    if publie is not None:
        quand = libelle_trimestre(publie[1])
        return f"{_nombre(publie[0], unite)} en France ({quand}, valeur publiée)"
    if poole is None:
        return "aucune valeur nationale disponible"
    return f"{_nombre(poole, unite)} pour l'ensemble des {chargees} MDPH chargées"


def barometre_public(
    departement: Departement, *, trimestres: int = TRIMESTRES_PUBLICS
) -> BarometrePublic:
    """La page publique d'une MDPH ; `trimestres` : combien de trimestres calculés montrer
    (l'historique les prend tous)."""
    page = BarometrePublic(departement)
    fin = _dernier_trimestre(departement.code)
    if fin is not None:
        _indicateurs_calcules(page, fin, trimestres)
    _satisfaction(page)
    for tableau in _series_publiees(departement):
        page.blocs.append(Bloc(tableau, graphique_lignes(tableau, colonnes=[1, 2])))
    return page


def _indicateurs_calcules(page: BarometrePublic, fin: Trimestre, trimestres: int) -> None:
    code, nom = page.departement.code, page.departement.nom
    periodes = trimestres_jusqua(fin, trimestres)
    local = lignes_par_trimestre(departements=[code], depuis=periodes[0])
    periodes = [p for p in periodes if p >= min(local)]
    national = lignes_par_trimestre(departements=None, depuis=periodes[0])
    chargees = mdph_chargees(periodes[0])
    for mesure in (MESURES[c] for c in INDICATEURS):
        v_local = mesure.calculer(local.get(fin, []))
        v_national = mesure.calculer(national.get(fin, []))
        publie = national_publie(mesure.code, fin)
        page.indicateurs.append(
            IndicateurPublic(
                mesure.code,
                mesure.libelle,
                mesure.unite,
                libelle_trimestre(fin),
                _phrase(
                    mesure, nom, v_local, _france(mesure, v_national, chargees.get(fin, 0), publie)
                ),
                v_local,
                v_national,
                chargees.get(fin, 0),
                publie[0] if publie else None,
                libelle_trimestre(publie[1]) if publie else "",
                publie[2] if publie else "",
            )
        )
        tableau = _tableau_serie(mesure, nom, periodes, local, national, chargees, fin)
        page.blocs.append(Bloc(tableau, graphique_lignes(tableau, colonnes=[1, 2, 3])))


def _tableau_serie(mesure, nom, periodes, local, national, chargees, fin) -> Tableau:
    publies = {}
    for code in PUBLIES_NATIONAUX.get(mesure.code, ())[:1]:
        valeurs = ValeurBarometre.objects.filter(indicateur__code=code, maille=Maille.NATIONAL)
        publies = {(v.annee, v.trimestre): round(v.valeur, 1) for v in valeurs}
    return Tableau(
        slug=mesure.code,
        titre=f"{mesure.libelle} ({mesure.unite}), {nom} et national, par trimestre",
        colonnes=[
            Colonne("Trimestre", decimales=0),
            Colonne(nom, mesure.unite),
            Colonne(f"National ({chargees.get(fin, 0)} MDPH chargées)", mesure.unite),
            Colonne("National publié", mesure.unite),
        ],
        lignes=[
            [
                libelle_trimestre(p),
                mesure.calculer(local.get(p, [])),
                mesure.calculer(national.get(p, [])),
                publies.get(p),
            ]
            for p in periodes
        ],
        note="National (MDPH chargées) : valeur poolée sur les MDPH dont les demandes sont "
        "chargées dans Autonomie (Σ numérateurs / Σ dénominateurs, jamais la moyenne des "
        "MDPH) ; national publié : la valeur du baromètre de l'État, quand elle existe.",
    )


def _satisfaction(page: BarometrePublic) -> None:
    """Le taux de satisfaction de l'année la plus récente qui a des réponses."""
    code, nom = page.departement.code, page.departement.nom
    annees = satisfaction.annees_avec_reponses(code)
    publie = satisfaction.taux_publie("FR")
    if not annees:
        return
    lignes = []
    for annee in annees:
        local = satisfaction.taux_global("mdph", code, annee)
        national = satisfaction.taux_global("national", "", annee)
        publie_annee = satisfaction.taux_publie("FR", annee=annee)
        lignes.append(
            [str(annee), local.taux, national.taux, publie_annee.taux if publie_annee else None]
        )
    dernier = satisfaction.taux_global("mdph", code, annees[-1])
    national = satisfaction.taux_global("national", "", annees[-1])
    mdph = f"À la MDPH {de(nom)}"
    if dernier.taux is None:
        phrase = (
            f"{mdph}, {satisfaction.non_publie()} en {annees[-1]} "
            f"({dernier.repondants} réponse{'s' if dernier.repondants > 1 else ''})."
        )
    else:
        france = (
            f"{_nombre(publie.taux, '%')} en France ({publie.annee}, valeur publiée par la CNSA)"
            if publie
            else f"{_nombre(national.taux, '%')} pour les {national.mdph} MDPH chargées"
        )
        phrase = (
            f"{mdph}, {_nombre(dernier.taux, '%')} des personnes qui ont répondu en "
            f"{annees[-1]} sont satisfaites de la MDPH ; {france}."
        )
    page.indicateurs.append(
        IndicateurPublic(
            "satisfaction-globale",
            "Taux de satisfaction d'ensemble (« Ma MDPH, mon avis »)",
            "%",
            str(annees[-1]),
            phrase,
            dernier.taux,
            national.taux,
            national.mdph,
            publie.taux if publie else None,
            str(publie.annee) if publie else "",
            publie.source if publie else "",
            satisfaction.DEFINITION_TAUX,
        )
    )
    tableau = Tableau(
        slug="satisfaction-globale",
        titre=f"Taux de satisfaction d'ensemble (%), {nom} et national, par année",
        colonnes=[
            Colonne("Année", decimales=0),
            Colonne(nom, "%"),
            Colonne(f"National ({national.mdph} MDPH chargées)", "%"),
            Colonne("National publié (CNSA)", "%"),
        ],
        lignes=lignes,
        note=f"{satisfaction.DEFINITION_TAUX} Case vide : {satisfaction.non_publie()}.",
    )
    page.blocs.append(Bloc(tableau, graphique_lignes(tableau, colonnes=[1, 2, 3])))


def _series_publiees(departement: Departement) -> list[Tableau]:
    """Les séries publiées (DITP, Etalab) de la MDPH face au national publié."""
    valeurs = ValeurBarometre.objects.filter(
        maille__in=[Maille.DEPARTEMENT, Maille.NATIONAL],
        territoire__in=[departement.code, "FR"],
    ).select_related("indicateur")
    series: dict = {}
    for v in valeurs.order_by("indicateur__code", "annee", "trimestre"):
        if v.maille == Maille.DEPARTEMENT and v.territoire != departement.code:
            continue
        series.setdefault(v.indicateur, {}).setdefault((v.annee, v.trimestre), {})[v.maille] = (
            round(v.valeur, 1)
        )
    tableaux = []
    for indicateur, serie in series.items():
        if not any(Maille.DEPARTEMENT in s for s in serie.values()):
            continue
        tableaux.append(
            Tableau(
                slug=f"publie-{indicateur.code.lower()}",
                titre=f"{indicateur.libelle} ({indicateur.unite}), valeurs publiées : "
                f"{departement.nom} et national",
                colonnes=[
                    Colonne("Trimestre", decimales=0),
                    Colonne(departement.nom, indicateur.unite),
                    Colonne("National publié", indicateur.unite),
                ],
                lignes=[
                    [libelle_trimestre(p), s.get(Maille.DEPARTEMENT), s.get(Maille.NATIONAL)]
                    for p, s in sorted(serie.items())
                ],
                note=SOURCES_PUBLIEES.get(indicateur.code, "Valeurs publiées"),
            )
        )
    return tableaux


def historique(departement: Departement) -> list[dict]:
    """Tout l'historique de la MDPH, une ligne par indicateur × territoire × période : ce
    qu'écrivent le CSV et l'API (valeurs calculées, poolées et publiées, chacune nommée)."""
    lignes: list[dict] = []
    page = barometre_public(departement, trimestres=TOUS_LES_TRIMESTRES)
    for bloc in page.blocs:
        t = bloc.tableau
        for ligne in t.lignes:
            for colonne, valeur in zip(t.colonnes[1:], ligne[1:], strict=True):
                if valeur is None:
                    continue
                lignes.append(
                    {
                        "indicateur": t.slug,
                        "libelle": t.titre,
                        "periode": ligne[0],
                        "valeur_de": _valeur_de(colonne.libelle),
                        "colonne": colonne.libelle,
                        "unite": colonne.unite,
                        "valeur": valeur,
                    }
                )
    return lignes


def _valeur_de(libelle: str) -> str:
    """mdph, national_poole (les MDPH chargées) ou national_publie : un code stable."""
    if libelle.startswith("National publié"):
        return "national_publie"
    if libelle.startswith("National ("):
        return "national_poole"
    return "mdph"
