import datetime as dt
from dataclasses import dataclass, field

from repertoire.models import Service
from territoires.models import Commune


@dataclass(frozen=True)
class Critere:
    """Ce que la personne cherche. Tous les champs sont facultatifs."""

    q: str = ""
    besoin: str = ""
    public: str = ""
    mode_accueil: str = ""  # "sur-place", "a-domicile", "a-distance"
    mode_acces: str = ""  # valeur de repertoire.models.ModeAcces
    commune: str = ""  # nom, code postal ou code INSEE, tel que saisi
    lat: float | None = None
    lon: float | None = None
    rayon_km: float | None = None
    ouvert_le: dt.datetime | None = None  # "ouvert maintenant" = l'heure courante
    tri: str = "pertinence"  # "pertinence", "distance", "nom"


@dataclass
class Resultat:
    service: Service
    score: float
    distance_km: float | None
    raisons: list[str] = field(default_factory=list)


@dataclass
class PageResultats:
    resultats: list[Resultat]
    total: int
    page: int
    par_page: int
    commune: Commune | None = None
    message: str = ""  # explication en français quand la saisie n'a pas pu être comprise
    total_exact: bool = True  # False : `total` est un plancher (« plus de 1 000 résultats »)
    rayon_km: float | None = None  # le rayon appliqué autour de la commune (None : sans lieu)
    # Peu de résultats autour d'un lieu : combien il y en aurait dans des rayons plus larges,
    # [(km, nombre)], du plus proche au plus loin.
    plus_loin: list[tuple[float, int]] = field(default_factory=list)
    # Les aides (APA, PCH, ASH…) qui aident à payer les services cherchés, près du lieu :
    # montrées à part, jamais parmi les résultats (repertoire/recherche/aides.py).
    aides: list[Resultat] = field(default_factory=list)
    # Ce que le moteur a compris (le choix de la liste, sinon ce que nomme le texte), en slugs
    # du thésaurus : ce que compte la veille des besoins, jamais le texte saisi.
    besoin_compris: str = ""
    public_compris: str = ""
    # Aucun résultat pour un besoin autour d'un lieu : les besoins voisins qui en ont.
    besoins_voisins: list["BesoinVoisin"] = field(default_factory=list)


@dataclass(frozen=True)
class BesoinVoisin:
    """Un besoin proche de celui cherché qui, lui, a des réponses au même endroit."""

    slug: str
    libelle: str
    total: int  # le nombre de résultats d'une recherche sur ce besoin, mêmes lieu et filtres
