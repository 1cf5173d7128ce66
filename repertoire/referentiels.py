"""Référentiels du répertoire : thésaurus des besoins, publics, catégories FINESS.

Écrits pour le champ de l'autonomie. Chaque besoin porte ses mots du quotidien (synonymes)
et sa correspondance vers les thématiques data·inclusion v1 pour l'export.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntreeBesoin:
    slug: str
    libelle: str
    synonymes: tuple[str, ...] = ()
    thematiques_di: tuple[str, ...] = ()
    enfants: tuple["EntreeBesoin", ...] = ()
    description: str = ""


@dataclass(frozen=True)
class EntreePublic:
    slug: str
    libelle: str
    publics_di: tuple[str, ...] = ()
    enfants: tuple["EntreePublic", ...] = ()


@dataclass(frozen=True)
class CategorieFiness:
    """Ce qu'une catégorie d'établissement FINESS offre, et à qui."""

    code: str
    libelle: str
    besoins: tuple[str, ...]
    publics: tuple[str, ...]
    nature: str = "etablissement"
    accueil_sur_place: bool = True
    accueil_a_domicile: bool = False
    modes_acces: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    frais: str = ""
    extra: dict = field(default_factory=dict)


THESAURUS: tuple[EntreeBesoin, ...] = ()
PUBLICS: tuple[EntreePublic, ...] = ()
CATEGORIES_FINESS: dict[str, CategorieFiness] = {}
