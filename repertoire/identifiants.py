"""Les identifiants qui permettent à un autre système de retrouver une fiche dans les registres
nationaux : FINESS géographique (ET) et juridique (EJ), SIRET, l'identifiant de chaque source et
l'adresse de la fiche chez la source (`lien_source`). Voir
docs/adr/0014-identifiants-et-noms-des-sources.md.

Tout se lit sur ce qui est déjà chargé (lieux, structure, provenances) : aucune requête ici.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from repertoire.models import Lieu, Provenance, Service, Structure, lien_fiche_finess

SOURCE_FINESS = "finess"


@dataclass(frozen=True)
class IdentifiantSource:
    source: str
    identifiant: str
    lien: str


@dataclass(frozen=True)
class Identifiants:
    finess_et: str = ""
    finess_ej: str = ""
    siret: str = ""
    sources: list[IdentifiantSource] = field(default_factory=list)
    lien_source: str = ""

    def sources_en_texte(self) -> str:
        """« finess:580000000 | data-inclusion:dora:abc » : une cellule de tableur."""
        return " | ".join(f"{s.source}:{s.identifiant}" for s in self.sources)


def identifiant_source(provenance: Provenance) -> IdentifiantSource:
    return IdentifiantSource(provenance.source, provenance.identifiant, provenance.lien_source)


def _lien_source(sources: list[IdentifiantSource]) -> str:
    """FINESS d'abord (le registre national), sinon la première source qui donne un lien."""
    liens = [s.lien for s in sources if s.source == SOURCE_FINESS and s.lien]
    liens += [s.lien for s in sources if s.lien]
    return liens[0] if liens else ""


def identifiants_service(
    service: Service, *, lieux: Iterable[Lieu], provenances: Iterable[Provenance]
) -> Identifiants:
    """Un service FINESS est un établissement : son ET est l'identifiant de sa provenance
    « finess », à défaut celui d'un de ses lieux ; EJ et SIRET sont ceux de sa structure."""
    return identifiants_de_service(
        sources=[identifiant_source(p) for p in provenances],
        finess_des_lieux=[lieu.finess_et for lieu in lieux],
        finess_ej=service.structure.finess_ej,
        siret=service.structure.siret,
    )


def identifiants_de_service(
    *, sources: list[IdentifiantSource], finess_des_lieux: Iterable[str], finess_ej: str, siret: str
) -> Identifiants:
    """La même règle sur des valeurs déjà lues (recherche de l'API, sans modèles)."""
    ets = [s.identifiant for s in sources if s.source == SOURCE_FINESS]
    ets += [numero for numero in finess_des_lieux if numero]
    finess_et = ets[0] if ets else ""
    if finess_et and not any(s.source == SOURCE_FINESS for s in sources):
        sources.insert(0, IdentifiantSource(SOURCE_FINESS, finess_et, lien_fiche_finess(finess_et)))
    return Identifiants(
        finess_et=finess_et,
        finess_ej=finess_ej,
        siret=siret,
        sources=sources,
        lien_source=_lien_source(sources),
    )


def identifiants_structure(
    structure: Structure, *, provenances: Iterable[Provenance]
) -> Identifiants:
    """Une structure FINESS est une entité juridique : son lien est la fiche de son EJ."""
    sources = [identifiant_source(p) for p in provenances]
    lien = lien_fiche_finess(structure.finess_ej) or _lien_source(sources)
    return Identifiants(
        finess_ej=structure.finess_ej, siret=structure.siret, sources=sources, lien_source=lien
    )
