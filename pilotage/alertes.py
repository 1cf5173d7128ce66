"""Alertes précoces : quel territoire se signale, et pourquoi (phrase française chiffrée).

Les seuils sont des paramètres des règles (dataclasses), pas des constantes du code.
"""

from dataclasses import dataclass
from statistics import median

from pilotage.indicateurs import scores_robustes

SOURCE_DEMANDES = "d'après les demandes transmises"


@dataclass(frozen=True)
class Alerte:
    territoire: str
    regle: str
    message: str
    source: str = ""

    @property
    def texte(self) -> str:
        """Le message, suivi de sa source quand il ne la dit pas déjà."""
        if not self.source or self.source in self.message:
            return self.message
        return f"{self.message} ({self.source})"


@dataclass(frozen=True)
class RegleMdphEnDifficulte:
    """MDPH en difficulté : délai moyen au-dessus d'un seuil plusieurs années de suite, ou
    stock de fin d'année supérieur à une part des décisions de l'année.

    Par défaut : plus de 6 mois au moins 2 années consécutives ; stock au 31 décembre
    supérieur à 50 % des décisions de l'année.
    """

    seuil_delai_mois: float = 6.0
    annees_consecutives: int = 2
    part_stock: float = 0.5


def mdph_en_difficulte(
    *, activite: dict[str, dict[int, dict]], annee: int, regle: RegleMdphEnDifficulte | None = None
) -> list[Alerte]:
    """Applique la règle à l'activité annuelle {département: {année: {delai_mois, decisions,
    stock_fin, rodage, source}}} (voir `selectors.activite_annuelle` ou
    `series_publiees.delais_annuels_publies`).

    Une année de rodage (la première des données d'une MDPH : son stock de départ manque, ses
    premières décisions sont les plus rapides) n'est pas jugée. Une année qui porte sa
    `source` (« Etalab », « DITP ») vient d'un baromètre publié : l'alerte le dit, année par
    année ; sinon elle vient des demandes transmises."""
    regle = regle or RegleMdphEnDifficulte()
    alertes = []
    for territoire in sorted(activite):
        par_annee = {
            a: valeurs for a, valeurs in activite[territoire].items() if not valeurs.get("rodage")
        }
        raisons = _raisons(par_annee, annee, regle)
        if raisons:
            source = source_des_annees(par_annee, _annees_jugees(annee, regle))
            message = (
                f"MDPH {territoire} en difficulté en {annee} {source} : "
                + " ; ".join(raisons)
                + "."
            )
            alertes.append(Alerte(territoire, "mdph_en_difficulte", message, source))
    return alertes


def _annees_jugees(annee: int, regle: RegleMdphEnDifficulte) -> range:
    return range(annee - regle.annees_consecutives + 1, annee + 1)


def source_des_annees(par_annee: dict[int, dict], annees) -> str:
    """« d'après le baromètre publié (Etalab 2021, DITP 2022) » ou « d'après les demandes
    transmises »."""
    publiees = [
        f"{par_annee[a]['source']} {a}" for a in annees if (par_annee.get(a) or {}).get("source")
    ]
    if not publiees:
        return SOURCE_DEMANDES
    return f"d'après le baromètre publié ({', '.join(publiees)})"


def _raisons(par_annee: dict[int, dict], annee: int, regle: RegleMdphEnDifficulte) -> list[str]:
    raisons = []
    annees = _annees_jugees(annee, regle)
    delais = [(par_annee.get(a) or {}).get("delai_mois") for a in annees]
    if all(d is not None and d > regle.seuil_delai_mois for d in delais):
        chiffres = ", ".join(f"{d:.1f} mois en {a}" for a, d in zip(annees, delais, strict=True))
        raisons.append(
            f"délai moyen supérieur à {regle.seuil_delai_mois:g} mois "
            f"{regle.annees_consecutives} années de suite ({chiffres})"
        )
    courante = par_annee.get(annee) or {}
    decisions, stock = courante.get("decisions"), courante.get("stock_fin")
    if decisions and stock is not None and stock > regle.part_stock * decisions:
        raisons.append(
            f"{stock} demandes en stock au 31 décembre, soit {100 * stock / decisions:.0f} % "
            f"des {decisions} décisions de l'année (seuil {100 * regle.part_stock:.0f} %)"
        )
    return raisons


def delais_annuels_barometre(series: dict[str, list]) -> dict[str, dict[int, dict]]:
    """Délai de l'année = valeur publiée du 4e trimestre (annuelle avant 2020 dans Etalab)."""
    return {
        territoire: {annee: {"delai_mois": v} for (annee, trimestre), v in serie if trimestre == 4}
        for territoire, serie in series.items()
    }


@dataclass(frozen=True)
class RegleValeurAberrante:
    """Valeur aberrante d'une série trimestrielle : |z robuste| > seuil (3,5 selon Iglewicz et
    Hoaglin), z = 0,6745 × (x − médiane) / MAD, sur au moins `minimum_points` valeurs, et à
    au moins `ecart_minimum` (mois) de la médiane."""

    seuil: float = 3.5
    minimum_points: int = 6
    # Un écart de quelques jours à la médiane n'est pas une alerte de pilotage, même quand la
    # série est si régulière que son z robuste s'envole (le creux de l'été d'une MDPH stable).
    ecart_minimum: float = 1.0


def valeurs_aberrantes(
    *, series: dict[str, list], regle: RegleValeurAberrante | None = None, unite: str = "mois"
) -> list[Alerte]:
    """Pour chaque territoire, les trimestres dont la valeur s'écarte de sa propre série."""
    regle = regle or RegleValeurAberrante()
    alertes = []
    for territoire in sorted(series):
        serie = series[territoire]
        if len(serie) < regle.minimum_points:
            continue
        valeurs = [v for _, v in serie]
        centre = median(valeurs)
        for ((annee, trimestre), valeur), score in zip(
            serie, scores_robustes(valeurs), strict=True
        ):
            if (
                score is not None
                and abs(score) > regle.seuil
                and abs(valeur - centre) >= regle.ecart_minimum
            ):
                sens = "au-dessus" if score > 0 else "en dessous"
                message = (
                    f"{territoire}, {annee}-T{trimestre} : {valeur:.1f} {unite}, nettement "
                    f"{sens} de sa série (médiane {centre:.1f} {unite}, "
                    f"z robuste {score:.1f}, seuil {regle.seuil:g})."
                )
                alertes.append(Alerte(territoire, "valeur_aberrante", message))
    return alertes
