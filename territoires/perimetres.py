"""Périmètres territoriaux et leur inclusion : qui couvre quoi dans le découpage administratif.

Un périmètre est le territoire d'une institution ou d'un rôle : le pays entier, des régions,
des départements, des EPCI ou une liste de communes. `contient(perimetre, cible)` dit si la
cible (une commune, un EPCI, un département, une région ou un autre périmètre) y est tout
entière : une commune est dans son EPCI, son département et sa région ; le niveau national
contient tout.
"""

from dataclasses import dataclass

from django.db import models

from territoires.models import EPCI, Commune, Departement, Region


class Niveau(models.TextChoices):
    NATIONAL = "national", "national"
    REGION = "region", "région"
    DEPARTEMENT = "departement", "département"
    EPCI = "epci", "EPCI"
    COMMUNES = "communes", "communes"


@dataclass(frozen=True)
class Perimetre:
    """Un niveau et les codes couverts à ce niveau (vide pour le niveau national)."""

    niveau: Niveau
    codes: frozenset[str] = frozenset()

    @classmethod
    def national(cls) -> "Perimetre":
        return cls(Niveau.NATIONAL)

    def __str__(self) -> str:
        if self.niveau == Niveau.NATIONAL:
            return "national"
        return f"{Niveau(self.niveau).label} {', '.join(sorted(self.codes))}"


# Une commune vaut par son code ou, pour un arrondissement municipal, par celui de sa commune.
CodesCommune = frozenset[str]


@dataclass(frozen=True)
class Emplacement:
    """Les codes que couvre une cible à chaque niveau ; None : la cible déborde ce niveau
    (une région n'est pas dans une liste de communes), ou n'y a pas été calculée."""

    regions: frozenset[str] | None
    departements: frozenset[str] | None
    epcis: frozenset[str] | None
    communes: frozenset[CodesCommune] | None

    def reunion(self, autre: "Emplacement") -> "Emplacement":
        def union(a: frozenset | None, b: frozenset | None) -> frozenset | None:
            return None if a is None or b is None else a | b

        return Emplacement(
            union(self.regions, autre.regions),
            union(self.departements, autre.departements),
            union(self.epcis, autre.epcis),
            union(self.communes, autre.communes),
        )


Cible = Region | Departement | EPCI | Commune | Perimetre
_PARTOUT = Emplacement(None, None, None, None)


def _emplacement_communes(communes: "models.QuerySet[Commune]") -> Emplacement:
    lignes = list(
        communes.values_list(
            "code_insee", "commune_parent_id", "epci_id", "departement_id", "departement__region"
        )
    )
    if not lignes:
        return _PARTOUT
    epcis = {ligne[2] for ligne in lignes}
    return Emplacement(
        regions=frozenset(ligne[4] for ligne in lignes),
        departements=frozenset(ligne[3] for ligne in lignes),
        # Une commune hors de tout EPCI (îles mono-communales) n'est dans aucun EPCI.
        epcis=None if None in epcis else frozenset(epcis),
        communes=frozenset(frozenset(filter(None, ligne[:2])) for ligne in lignes),
    )


def emplacement(cible: Cible) -> Emplacement:
    """Où se trouve la cible, niveau par niveau (une ou deux requêtes)."""
    if isinstance(cible, Perimetre):
        return _emplacement_perimetre(cible)
    if isinstance(cible, Commune):
        return _emplacement_communes(Commune.objects.filter(pk=cible.pk))
    if isinstance(cible, EPCI):
        return _emplacement_communes(Commune.objects.filter(epci=cible))
    if isinstance(cible, Departement):
        return Emplacement(frozenset({cible.region_id}), frozenset({cible.pk}), None, None)
    if isinstance(cible, Region):
        departements = Departement.objects.filter(region=cible).values_list("code", flat=True)
        return Emplacement(frozenset({cible.pk}), frozenset(departements), None, None)
    raise TypeError(f"Pas un territoire : {cible!r}")


def _emplacement_perimetre(perimetre: Perimetre) -> Emplacement:
    if perimetre.niveau == Niveau.NATIONAL or not perimetre.codes:
        return _PARTOUT
    if perimetre.niveau == Niveau.COMMUNES:
        return _emplacement_communes(Commune.objects.filter(pk__in=perimetre.codes))
    if perimetre.niveau == Niveau.EPCI:
        return _emplacement_communes(Commune.objects.filter(epci__in=perimetre.codes))
    modele = Region if perimetre.niveau == Niveau.REGION else Departement
    resultat: Emplacement | None = None
    for territoire in modele.objects.filter(pk__in=perimetre.codes):
        partiel = emplacement(territoire)
        resultat = partiel if resultat is None else resultat.reunion(partiel)
    return resultat or _PARTOUT


def contient(perimetre: Perimetre, cible: Cible) -> bool:
    """La cible est-elle tout entière dans le périmètre ?

    Un EPCI à cheval sur deux départements n'est dans aucun des deux ; une commune est dans
    une liste de communes si son code, ou celui de la commune dont elle est un arrondissement
    municipal (Paris, Lyon, Marseille), y figure. Seul le niveau national contient le pays.
    """
    return perimetre.niveau == Niveau.NATIONAL or couvre(perimetre, emplacement(cible))


def couvre(perimetre: Perimetre, ou: Emplacement) -> bool:
    """`contient` pour un emplacement déjà calculé (une cible vérifiée pour plusieurs rôles)."""
    if perimetre.niveau == Niveau.NATIONAL:
        return True
    if perimetre.niveau == Niveau.COMMUNES:
        return bool(ou.communes) and all(c & perimetre.codes for c in ou.communes)
    couverts = {
        Niveau.REGION: ou.regions,
        Niveau.DEPARTEMENT: ou.departements,
        Niveau.EPCI: ou.epcis,
    }[Niveau(perimetre.niveau)]
    return bool(couverts) and couverts <= perimetre.codes
