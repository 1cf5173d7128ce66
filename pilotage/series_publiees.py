"""Le délai publié d'une MDPH, lu comme UNE série de 2017 à aujourd'hui.

Le baromètre des MDPH a changé d'éditeur : Etalab (indicateur « délai moyen de traitement des
demandes d'AAH », 2017-T4 … 2022-T3) puis la DITP (IND-297, même indicateur, même source
CNSA, 2022-T4 …). Pour juger une MDPH sur plusieurs années (`alertes.mdph_en_difficulte`),
les deux sont fusionnées par département, chaque année disant d'où vient sa valeur.

Valeur d'une année : celle du 4e trimestre (le baromètre Etalab était annuel jusqu'en 2019,
au 31 décembre). Quand les deux publient le 4e trimestre d'une même année, la DITP l'emporte :
c'est la publication en cours, qui reprend et corrige la précédente (sur les 99 départements
où le 2e trimestre 2022 figure dans les deux, 98 valeurs sont identiques à 0,05 près et la
seule différente, la Haute-Corse, est la valeur révisée). IND-296 (délai global, toutes
demandes) n'est pas fusionné : ce n'est pas le même indicateur (voir
docs/adr/0023-mdph-en-difficulte-et-accompagnement.md).
"""

from dataclasses import dataclass

from pilotage.models import Maille, ValeurBarometre

ETALAB = "etalab-dmt-aah"
DITP = "IND-297"
SOURCES = {ETALAB: "Etalab", DITP: "DITP"}
PRIORITE = (DITP, ETALAB)  # la première qui publie l'année l'emporte

Serie = list[tuple[tuple[int, int], float]]  # [((année, trimestre), valeur)]


@dataclass(frozen=True)
class AnneePubliee:
    annee: int
    delai_mois: float
    source: str  # « Etalab », « DITP »
    indicateur: str


def fusionner_series(series: dict[str, dict[str, Serie]]) -> dict[str, dict[int, AnneePubliee]]:
    """{indicateur: {département: série trimestrielle}} → {département: {année: valeur}}.

    Une année prend la valeur de son 4e trimestre dans la première source de `PRIORITE` qui
    le publie ; une année sans 4e trimestre publié n'a pas de valeur."""
    fusion: dict[str, dict[int, AnneePubliee]] = {}
    for indicateur in reversed(PRIORITE):  # la plus prioritaire écrit en dernier
        for territoire, serie in series.get(indicateur, {}).items():
            annees = fusion.setdefault(territoire, {})
            for (annee, trimestre), valeur in serie:
                if trimestre == 4:
                    annees[annee] = AnneePubliee(annee, valeur, SOURCES[indicateur], indicateur)
    return {t: dict(sorted(a.items())) for t, a in sorted(fusion.items()) if a}


def series_publiees(*, departements: frozenset[str] | None = None) -> dict[str, dict[str, Serie]]:
    """Les séries trimestrielles Etalab et DITP du délai AAH, par département."""
    valeurs = ValeurBarometre.objects.filter(
        indicateur__code__in=PRIORITE, maille=Maille.DEPARTEMENT
    )
    if departements is not None:
        valeurs = valeurs.filter(territoire__in=departements)
    series: dict[str, dict[str, Serie]] = {}
    for code, territoire, annee, trimestre, valeur in valeurs.order_by(
        "territoire", "annee", "trimestre"
    ).values_list("indicateur__code", "territoire", "annee", "trimestre", "valeur"):
        series.setdefault(code, {}).setdefault(territoire, []).append(((annee, trimestre), valeur))
    return series


def delais_annuels_publies(
    *, departements: frozenset[str] | None = None
) -> dict[str, dict[int, dict]]:
    """L'activité annuelle publiée, au format de `alertes.mdph_en_difficulte` : le délai et
    sa source ; ni décisions ni stock, que les baromètres ne publient pas."""
    return {
        territoire: {a: {"delai_mois": v.delai_mois, "source": v.source} for a, v in annees.items()}
        for territoire, annees in fusionner_series(
            series_publiees(departements=departements)
        ).items()
    }


def derniere_annee_publiee(fusion: dict[str, dict[int, dict]]) -> int | None:
    return max((a for annees in fusion.values() for a in annees), default=None)
