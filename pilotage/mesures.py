"""Indicateurs calculés depuis les agrégats trimestriels.

Toute valeur d'un territoire est un ratio de sommes Σ numérateur / Σ dénominateur sur ses
MDPH : la valeur nationale est poolée (Σ jours / Σ décisions pour un délai, définition CNSA),
jamais la moyenne des valeurs départementales.

Les lectures rendent des « lignes » (dictionnaires de sommes par famille × public) ; une
`Mesure` sait filtrer ces lignes et en faire le ratio. Une seule requête sert ainsi toutes les
mesures d'une page.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from pilotage.agregation import SOMMES
from pilotage.indicateurs import JOURS_PAR_MOIS
from pilotage.models import AgregatTrimestriel, Famille, Public, Sens

Trimestre = tuple[int, int]
SOMMES_AGREGATS = (*SOMMES, "stock_fin")


@dataclass(frozen=True)
class Mesure:
    """Un indicateur calculé : Σ numérateur / Σ dénominateur × facteur sur les lignes retenues."""

    code: str
    libelle: str
    court: str
    unite: str
    sens: str
    numerateur: str
    denominateur: str
    facteur: float
    familles: tuple[str, ...] = ()
    public: str = ""
    decimales: int = 1

    def retient(self, ligne: dict) -> bool:
        if self.familles and ligne["famille"] not in self.familles:
            return False
        return not self.public or ligne["public"] == self.public

    def calculer(self, lignes: Iterable[dict]) -> float | None:
        """Ratio poolé ; None quand le dénominateur est nul (aucune décision mesurée)."""
        numerateur = denominateur = 0
        for ligne in lignes:
            if self.retient(ligne):
                numerateur += ligne.get(self.numerateur) or 0
                denominateur += ligne.get(self.denominateur) or 0
        if not denominateur:
            return None
        return round(numerateur / denominateur * self.facteur, self.decimales)


def _delai(code: str, libelle: str, court: str, **filtres) -> Mesure:
    """Délai moyen de traitement (définition CNSA) : de la recevabilité à la décision CDAPH,
    Σ jours / Σ décisions mesurées, en mois de 30,4375 jours."""
    return Mesure(
        code,
        libelle,
        court,
        "mois",
        Sens.BAISSE,
        "jours_traitement",
        "decisions_mesurees",
        1 / JOURS_PAR_MOIS,
        **filtres,
    )


def _sans_limitation(code: str, libelle: str, court: str, familles: tuple[str, ...]) -> Mesure:
    """Part des droits attribués sans limitation de durée (décrets de simplification de 2018
    et 2019 : AAH, CMI, RQTH) : Σ attributions sans limitation / Σ attributions × 100."""
    return Mesure(
        code,
        libelle,
        court,
        "%",
        Sens.HAUSSE,
        "decisions_sans_limitation",
        "attributions",
        100.0,
        familles=familles,
    )


DELAIS = (
    _delai("delai-global", "Délai moyen de traitement, toutes demandes", "Global"),
    _delai(
        "delai-enfants",
        "Délai moyen de traitement, demandes enfants",
        "Enfants",
        public=Public.ENFANT,
    ),
    _delai(
        "delai-adultes",
        "Délai moyen de traitement, demandes adultes",
        "Adultes",
        public=Public.ADULTE,
    ),
    _delai(
        "delai-aah", "Délai moyen de traitement des demandes d'AAH", "AAH", familles=(Famille.AAH,)
    ),
    _delai(
        "delai-pch", "Délai moyen de traitement des demandes de PCH", "PCH", familles=(Famille.PCH,)
    ),
)
SANS_LIMITATION = (
    _sans_limitation(
        "sans-limitation-aah",
        "Part des AAH attribuées sans limitation de durée",
        "AAH",
        (Famille.AAH,),
    ),
    _sans_limitation(
        "sans-limitation-cmi",
        "Part des CMI attribuées sans limitation de durée",
        "CMI",
        (Famille.CMI,),
    ),
    _sans_limitation(
        "sans-limitation-rqth",
        "Part des RQTH attribuées sans limitation de durée",
        "RQTH",
        (Famille.RQTH,),
    ),
)
DUREE_SCOLARISATION = Mesure(
    "duree-scolarisation",
    "Durée moyenne des droits de scolarisation attribués (durée limitée)",
    "Scolarisation",
    "mois",
    Sens.HAUSSE,
    "mois_droits_scolarisation",
    "droits_scolarisation",
    1.0,
    familles=(Famille.ORIENTATION,),
)
MESURES: dict[str, Mesure] = {m.code: m for m in (*DELAIS, *SANS_LIMITATION, DUREE_SCOLARISATION)}


def _filtre(departements: list[str] | None, **autres) -> Q:
    filtre = Q(**autres)
    if departements is not None:
        filtre &= Q(departement_id__in=departements)
    return filtre


def _sommes(*, sauf: tuple[str, ...] = ()) -> dict:
    return {champ: Sum(champ) for champ in SOMMES_AGREGATS if champ not in sauf}


def lignes_par_trimestre(
    *, departements: list[str] | None, depuis: Trimestre = (0, 0)
) -> dict[Trimestre, list[dict]]:
    """Sommes par trimestre × famille × public d'un territoire (None : national), depuis un
    trimestre ; une requête."""
    annee, trimestre = depuis
    periode = Q(annee__gt=annee) | Q(annee=annee, trimestre__gte=trimestre)
    agregats = (
        AgregatTrimestriel.objects.filter(_filtre(departements) & periode)
        .values("annee", "trimestre", "famille", "public")
        .annotate(**_sommes())
        .order_by()
    )
    resultat: dict[Trimestre, list[dict]] = defaultdict(list)
    for ligne in agregats:
        resultat[(ligne["annee"], ligne["trimestre"])].append(ligne)
    return dict(sorted(resultat.items()))


def lignes_par_departement(*, annee: int) -> dict[str, list[dict]]:
    """Sommes de l'année par MDPH × famille × public ; le stock est celui du 31 décembre."""
    agregats = (
        AgregatTrimestriel.objects.filter(annee=annee)
        .values("departement_id", "famille", "public")
        .annotate(
            **_sommes(sauf=("stock_fin",)),
            stock_fin_annee=Sum("stock_fin", filter=Q(trimestre=4)),
        )
        .order_by()
    )
    resultat: dict[str, list[dict]] = defaultdict(list)
    for ligne in agregats:
        resultat[ligne["departement_id"]].append(ligne)
    return dict(resultat)


def pooler(par_departement: dict[str, list[dict]]) -> list[dict]:
    """Les lignes de tous les départements : leurs ratios sont des moyennes poolées."""
    return [ligne for lignes in par_departement.values() for ligne in lignes]


def somme(lignes: Iterable[dict], champ: str) -> int:
    return sum(ligne.get(champ) or 0 for ligne in lignes)
