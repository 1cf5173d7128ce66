"""Les besoins et publics de la base, gardés en mémoire du processus (core/memoire.py).

Chaque recherche en lit : ce que la saisie désigne (un besoin et ses enfants), puis ce
qu'affiche chaque résultat. Les relire par l'ORM coûtait deux requêtes et une centaine
d'objets par page, plus que la recherche elle-même.
"""

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from django.db import connections

from core.memoire import memoire
from repertoire.models import Besoin, Public, Service

M = TypeVar("M", Besoin, Public)


class Referentiel(Generic[M]):
    def __init__(self, par_pk: dict[int, M]) -> None:
        self.par_pk = par_pk
        self.par_slug = {e.slug: e for e in par_pk.values()}
        self.enfants: dict[int, list[M]] = {}
        for entree in par_pk.values():
            if entree.parent_id is not None:
                self.enfants.setdefault(entree.parent_id, []).append(entree)

    def avec_enfants(self, slugs: Iterable[str]) -> tuple[list[M], list[M]]:
        """Les entrées nommées, puis elles et tous leurs enfants ; un slug inconnu est ignoré."""
        nommees = [self.par_slug[slug] for slug in dict.fromkeys(slugs) if slug in self.par_slug]
        famille = {e.pk: e for e in nommees}
        for entree in nommees:
            famille.update((enfant.pk, enfant) for enfant in self.enfants.get(entree.pk, ()))
        return nommees, list(famille.values())


@memoire()
def besoins() -> Referentiel[Besoin]:
    return Referentiel({b.pk: b for b in Besoin.objects.all()})


@memoire()
def publics() -> Referentiel[Public]:
    return Referentiel({p.pk: p for p in Public.objects.all()})


def attacher(services: Sequence[Service], using: str) -> None:
    """`besoins_charges` et `publics_charges` de chaque service (dans l'ordre du thésaurus),
    en une requête sur les deux tables de liaison. Un besoin créé depuis la mise en mémoire
    fait relire le thésaurus une fois."""
    if not services:
        return
    liens = _liens([service.pk for service in services], using)
    refs = (besoins(), publics())
    if any(pk not in refs[genre].par_pk for _, pk, genre in liens):
        besoins.vider()
        publics.vider()
        refs = (besoins(), publics())
    par_service: dict[int, tuple[list, list]] = {service.pk: ([], []) for service in services}
    for service_id, pk, genre in liens:
        if pk in refs[genre].par_pk:
            par_service[service_id][genre].append(refs[genre].par_pk[pk])
    for service in services:
        besoins_, publics_ = par_service[service.pk]
        service.besoins_charges = sorted(besoins_, key=_ordre)
        service.publics_charges = sorted(publics_, key=_ordre)


def _ordre(entree: Besoin | Public) -> tuple[int, str]:
    return entree.ordre, entree.libelle


def _liens(ids: list[int], using: str) -> list[tuple[int, int, int]]:
    """(service, besoin ou public, 0 pour un besoin ou 1 pour un public)."""
    connexion = connections[using]
    marques = ", ".join(["%s"] * len(ids))
    selects = []
    for genre, champ in enumerate(("besoins", "publics")):
        relation = Service._meta.get_field(champ)
        table = connexion.ops.quote_name(relation.m2m_db_table())
        service, autre = relation.m2m_column_name(), relation.m2m_reverse_name()
        selects.append(
            f"SELECT {service}, {autre}, {genre} FROM {table} WHERE {service} IN ({marques})"
        )
    with connexion.cursor() as curseur:
        curseur.execute(" UNION ALL ".join(selects), ids + ids)
        return curseur.fetchall()
