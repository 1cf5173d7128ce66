"""Mesure de la pertinence de la recherche sur un jeu de requêtes jugées d'après les données.

Le jugement ne lit jamais le moteur : une fiche est pertinente pour une requête d'après ce
que sa source dit d'elle (catégorie FINESS, besoins et zones d'une fiche écrite à la main)
et d'après la distance, à vol d'oiseau, entre ses lieux et la mairie de la commune désignée.
Les mesures (P@5, rappel dans le rayon, nDCG@10, taux de zéro résultat, résultats hors du
rayon) sont les mêmes pour `bench/pertinence.py` et `repertoire/tests/test_pertinence.py`.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from repertoire.referentiels import DROITS

RAYON_TERRE_KM = 6371.0088  # rayon moyen (IUGG)
K_PRECISION = 5
K_NDCG = 10
N_RAPPEL = 20  # une page de résultats de l'API


@dataclass(frozen=True)
class Fiche:
    """Un service tel que sa source le décrit : clé de provenance (« finess:580000743 »,
    « demo:cd-58-ash »), catégorie FINESS, besoins déclarés, lieux et zones déclarées."""

    cle: str
    categorie: str = ""
    besoins: frozenset[str] = frozenset()
    points: tuple[tuple[float, float], ...] = ()  # (latitude, longitude) WGS84
    zones: tuple[tuple[str, str], ...] = ()  # (type, code), seulement si la source en dit
    # Une aide (APA, ASH…) d'après les besoins que déclare sa source et le thésaurus
    # (`referentiels.est_une_aide`) : pas un service qui aide (issue 13, § 4).
    aide: bool = False


@dataclass(frozen=True)
class Lieu:
    """La commune que la personne désigne : sa mairie et ce qui permet de dire si une zone
    d'intervention la couvre."""

    insee: str
    latitude: float
    longitude: float
    departement: str
    epci: str = ""

    def couvert_par(self, zones: Sequence[tuple[str, str]]) -> bool:
        codes = {"commune": self.insee, "departement": self.departement, "epci": self.epci}
        return any(code and codes.get(type_) == code for type_, code in zones)


@dataclass(frozen=True)
class Regle:
    """Ce qui est pertinent : note 2 pour la réponse exacte, 1 pour une réponse voisine."""

    categories: Mapping[str, int] = field(default_factory=dict)
    besoins: Mapping[str, int] = field(default_factory=dict)
    fiches: Mapping[str, int] = field(default_factory=dict)

    def note(self, fiche: Fiche) -> int:
        """Une aide (APA à domicile, qui déclare le portage de repas qu'elle aide à payer)
        ne répond qu'à une règle qui nomme un droit ou la fiche elle-même : l'issue 13 (§ 4)
        la veut à part des services, jamais classée parmi eux."""
        if fiche.aide and not (self.fiches.get(fiche.cle) or DROITS.keys() & self.besoins.keys()):
            return 0
        notes = [
            self.categories.get(fiche.categorie, 0) if fiche.categorie else 0,
            self.fiches.get(fiche.cle, 0),
            *(self.besoins.get(slug, 0) for slug in fiche.besoins),
        ]
        return max(notes)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine, en kilomètres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * RAYON_TERRE_KM * math.asin(math.sqrt(h))


def distance_fiche(fiche: Fiche, lieu: Lieu) -> float | None:
    """Distance du lieu de la fiche le plus proche ; None pour une fiche sans lieu situé."""
    point = (lieu.latitude, lieu.longitude)
    return min((distance_km(point, p) for p in fiche.points), default=None)


def a_portee(fiche: Fiche, lieu: Lieu | None, rayon_km: float | None) -> bool:
    """Dans le rayon (haversine depuis la mairie), ou intervenant sur la commune d'après la
    zone que déclare sa source. Sans lieu ou sans limite de distance : toujours."""
    if lieu is None or rayon_km is None:
        return True
    if lieu.couvert_par(fiche.zones):
        return True
    distance = distance_fiche(fiche, lieu)
    return distance is not None and distance <= rayon_km


def jugements(
    regle: Regle, fiches: Sequence[Fiche], lieu: Lieu | None, rayon_km: float | None
) -> dict[str, int]:
    """Les fiches pertinentes et à portée, avec leur note (1 ou 2)."""
    notes = {f.cle: regle.note(f) for f in fiches if a_portee(f, lieu, rayon_km)}
    return {cle: note for cle, note in notes.items() if note > 0}


# --- Mesures sur une requête ------------------------------------------------------------------


def precision_a_k(resultats: Sequence[str], notes: Mapping[str, int], k: int) -> float | None:
    """Part des k premiers résultats qui sont pertinents, rapportée au plus que l'on puisse
    trouver (min(k, nombre de pertinents)) ; None s'il n'y a rien de pertinent."""
    if not notes:
        return None
    trouves = sum(1 for cle in resultats[:k] if notes.get(cle, 0) > 0)
    return trouves / min(k, len(notes))


def rappel_a_n(resultats: Sequence[str], notes: Mapping[str, int], n: int) -> float | None:
    """Part des pertinents à portée trouvés dans les n premiers résultats, rapportée à
    min(n, nombre de pertinents) ; None s'il n'y a rien de pertinent."""
    return precision_a_k(resultats, notes, n)


def _dcg(gains: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(rang + 2) for rang, g in enumerate(gains))


def ndcg_a_k(resultats: Sequence[str], notes: Mapping[str, int], k: int) -> float | None:
    """nDCG@k à gains gradués (2^note − 1) ; l'idéal range tous les pertinents à portée."""
    if not notes:
        return None
    ideal = _dcg(sorted(notes.values(), reverse=True)[:k])
    return _dcg([notes.get(cle, 0) for cle in resultats[:k]]) / ideal


# --- Mesures sur le jeu ------------------------------------------------------------------------


@dataclass
class Evaluation:
    """Une requête passée : ses résultats (clés dans l'ordre), ses jugements, et les
    résultats hors de portée parmi les dix premiers (au-delà du rayon, sans zone déclarée
    qui couvre la commune)."""

    ident: str
    resultats: list[str]
    notes: dict[str, int]
    hors_rayon: int = 0
    avec_rayon: bool = False

    @property
    def p5(self) -> float | None:
        return precision_a_k(self.resultats, self.notes, K_PRECISION)

    @property
    def rappel(self) -> float | None:
        return rappel_a_n(self.resultats, self.notes, N_RAPPEL)

    @property
    def rappel_exact(self) -> float | None:
        """Le rappel des seules réponses exactes (note 2) : sans les catégories voisines
        (l'EHPAD pour qui cherche une résidence autonomie), que la recherche propose à part
        plutôt que de les mêler aux réponses."""
        exactes = {cle: note for cle, note in self.notes.items() if note >= 2}
        return rappel_a_n(self.resultats, exactes, N_RAPPEL)

    @property
    def ndcg(self) -> float | None:
        return ndcg_a_k(self.resultats, self.notes, K_NDCG)


@dataclass
class Mesures:
    requetes: int
    avec_reponse: int
    p5: float
    rappel: float
    rappel_exact: float
    ndcg: float
    zero_resultat: float  # part des requêtes avec réponse qui ne rendent rien
    sans_reponse_mais_resultats: int  # requêtes sans réponse qui rendent pourtant des résultats
    hors_rayon: int  # parmi les dix premiers des requêtes avec rayon
    resultats_avec_rayon: int


def _moyenne(valeurs: Sequence[float | None]) -> float:
    retenues = [v for v in valeurs if v is not None]
    return sum(retenues) / len(retenues) if retenues else 0.0


def mesurer(evaluations: Sequence[Evaluation]) -> Mesures:
    avec_reponse = [e for e in evaluations if e.notes]
    sans_reponse = [e for e in evaluations if not e.notes]
    avec_rayon = [e for e in evaluations if e.avec_rayon]
    return Mesures(
        requetes=len(evaluations),
        avec_reponse=len(avec_reponse),
        p5=_moyenne([e.p5 for e in avec_reponse]),
        rappel=_moyenne([e.rappel for e in avec_reponse]),
        rappel_exact=_moyenne([e.rappel_exact for e in avec_reponse]),
        ndcg=_moyenne([e.ndcg for e in avec_reponse]),
        zero_resultat=_moyenne([float(not e.resultats) for e in avec_reponse]),
        sans_reponse_mais_resultats=sum(1 for e in sans_reponse if e.resultats),
        hors_rayon=sum(e.hors_rayon for e in avec_rayon),
        resultats_avec_rayon=sum(len(e.resultats[:K_NDCG]) for e in avec_rayon),
    )
