"""Aides des tests des doublons : des services et des structures avec un lieu dans une commune
donnée."""

from repertoire.models import Lieu, Service, Structure
from repertoire.tests.factories import LieuFactory, ServiceFactory, StructureFactory

NEVERS = "58194"


def service(
    nom: str,
    *,
    commune: str | None = NEVERS,
    latitude: float | None = 46.99,
    longitude: float | None = 3.16,
    siret: str = "",
    lieu: Lieu | None = None,
    structure: Structure | None = None,
) -> Service:
    structure = structure or StructureFactory(siret=siret)
    lieu = lieu or LieuFactory(
        structure=structure, commune_id=commune, latitude=latitude, longitude=longitude
    )
    fiche = ServiceFactory(nom=nom, structure=structure)
    fiche.lieux.add(lieu)
    return fiche


def structure(
    nom: str,
    *,
    commune: str | None = NEVERS,
    latitude: float | None = None,
    longitude: float | None = None,
    siret: str = "",
    finess_ej: str = "",
) -> Structure:
    """Une structure et son lieu d'accueil (sans commune ni coordonnées : aucun lieu)."""
    fiche = StructureFactory(nom=nom, siret=siret, finess_ej=finess_ej)
    if commune or latitude is not None:
        LieuFactory(structure=fiche, commune_id=commune, latitude=latitude, longitude=longitude)
    return fiche
