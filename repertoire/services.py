"""Flux métier du répertoire."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction

from core.memoire import vider_memoires
from repertoire.models import Besoin, Public
from repertoire.referentiels import PUBLICS, THESAURUS, EntreeBesoin

Ligne = tuple[str | None, dict[str, Any]]


@transaction.atomic
def synchroniser_referentiels() -> dict[str, int]:
    """Aligne les tables Besoin et Public sur repertoire/referentiels.py, qui fait foi.

    Idempotent et rapide (quelques requêtes, rien d'écrit si rien n'a changé) : il tourne à
    chaque session de test et à chaque démonstration. Une entrée retirée du code est
    supprimée, avec ses liens aux services.
    """
    besoins = _synchroniser(Besoin, _lignes(THESAURUS, _champs_besoin))
    publics = _synchroniser(Public, _lignes(PUBLICS, lambda _: {}))
    vider_memoires()
    return {f"besoins_{cle}": n for cle, n in besoins.items()} | {
        f"publics_{cle}": n for cle, n in publics.items()
    }


def _champs_besoin(entree: EntreeBesoin) -> dict[str, Any]:
    return {"synonymes": list(entree.synonymes), "description": entree.description}


def _lignes(racines: tuple, champs: Callable[[Any], dict[str, Any]]) -> list[Ligne]:
    """(slug du parent, valeurs) dans l'ordre de lecture, qui devient l'ordre d'affichage."""
    a_plat = [
        (entree, parent)
        for racine in racines
        for entree, parent in ((racine, None), *((e, racine.slug) for e in racine.enfants))
    ]
    return [
        (parent, {"slug": e.slug, "libelle": e.libelle, "ordre": ordre} | champs(e))
        for ordre, (e, parent) in enumerate(a_plat, start=1)
    ]


def _synchroniser(modele: type[models.Model], lignes: list[Ligne]) -> dict[str, int]:
    comptes = {"crees": 0, "modifies": 0}
    # Les parents d'abord : les enfants ont besoin de leur identifiant. Les suppressions en
    # dernier : un enfant passé sous un autre parent ne part pas avec l'ancien.
    parents = [(parent, valeurs) for parent, valeurs in lignes if parent is None]
    enfants = [(parent, valeurs) for parent, valeurs in lignes if parent is not None]
    for niveau in (parents, enfants):
        crees, modifies = _ecrire(modele, niveau, modele.objects.in_bulk(field_name="slug"))
        comptes["crees"] += crees
        comptes["modifies"] += modifies
    supprimes = modele.objects.exclude(slug__in=[valeurs["slug"] for _, valeurs in lignes])
    comptes["supprimes"] = supprimes.delete()[1].get(modele._meta.label, 0)
    return comptes


def _ecrire(
    modele: type[models.Model], niveau: Iterable[Ligne], existants: dict[str, Any]
) -> tuple[int, int]:
    """Crée les absents, met à jour ceux qui diffèrent ; rend (créés, modifiés)."""
    a_creer, a_modifier, champs = [], [], set()
    for parent, valeurs in niveau:
        valeurs = valeurs | {"parent_id": existants[parent].pk if parent else None}
        objet = existants.get(valeurs["slug"])
        if objet is None:
            a_creer.append(modele(**valeurs))
            continue
        changes = {c: v for c, v in valeurs.items() if getattr(objet, c) != v}
        for champ, valeur in changes.items():
            setattr(objet, champ, valeur)
        if changes:
            a_modifier.append(objet)
            champs.update(changes)
    modele.objects.bulk_create(a_creer)
    if a_modifier:
        modele.objects.bulk_update(a_modifier, sorted(champs))
    return len(a_creer), len(a_modifier)
