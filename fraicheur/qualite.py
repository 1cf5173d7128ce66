"""La qualité d'une fiche et d'un département, montrée aux animateurs et exportée en CSV."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from repertoire.models import Contact, Service

# Ce qui compte, sur 100 (issue 11, § 4).
POIDS_COMPLETUDE, POIDS_FRAICHEUR, POIDS_FALC, POIDS_JOIGNABLE = 40, 30, 15, 15


@dataclass(frozen=True)
class Qualite:
    completude: float  # 0 à 1
    fraiche: bool
    falc: bool
    joignable: bool

    @property
    def score(self) -> int:
        return round(
            POIDS_COMPLETUDE * self.completude
            + POIDS_FRAICHEUR * self.fraiche
            + POIDS_FALC * self.falc
            + POIDS_JOIGNABLE * self.joignable
        )


def services_a_noter(departement: str) -> QuerySet[Service]:
    """Les services publiés accueillant dans le département, avec ce que la note lit (une
    requête par relation, quel que soit leur nombre)."""
    return (
        Service.objects.publies()
        .filter(lieux__commune__departement=departement)
        .distinct()
        .select_related("structure")
        .prefetch_related(
            "lieux",
            "zones",
            "besoins",
            "publics",
            "plages",
            Prefetch("contacts", Contact.objects.filter(visibilite=Contact.Visibilite.PUBLIC)),
        )
        .order_by("nom", "pk")
    )


def qualite_du_service(service: Service, *, le: dt.date) -> Qualite:
    """Note d'une fiche sur 100 : complétude 40, fraîcheur 30, résumé FALC 15, joignable 15.

    - complétude : la part des sept rubriques qu'une personne cherche qui sont remplies :
      description ; où (un lieu ou une zone d'intervention) ; besoins ; pour qui (publics ou
      âges) ; quand (plages horaires ou précisions) ; comment y accéder (modes d'accès ou
      conditions) ; combien (frais) ;
    - fraîcheur : vérifiée par une personne ou la structure depuis moins que sa fréquence
      (`FicheMixin.est_perimee`) ; la date d'une source importée ne compte pas ;
    - FALC : un résumé facile à lire est écrit ;
    - joignable : au moins un téléphone ou une adresse électronique publics (contact du
      service ou coordonnées de sa structure).
    Les relations doivent être préchargées (`services_a_noter`).
    """
    rubriques = [
        bool(service.description.strip()),
        bool(service.lieux.all() or service.zones.all()),
        bool(service.besoins.all()),
        bool(service.publics.all() or service.age_min is not None or service.age_max is not None),
        bool(service.plages.all() or service.horaires_precisions.strip()),
        bool(service.modes_acces or service.conditions_acces.strip()),
        bool(service.frais),
    ]
    return Qualite(
        completude=sum(rubriques) / len(rubriques),
        fraiche=not service.est_perimee(le),
        falc=bool(service.resume_falc.strip()),
        joignable=_joignable(service),
    )


def _joignable(service: Service) -> bool:
    structure = service.structure
    if structure.telephone or structure.courriel:
        return True
    return any(c.telephone or c.courriel for c in service.contacts.all())


@dataclass(frozen=True)
class QualiteTerritoire:
    """La qualité des fiches d'un territoire : la moyenne des notes et les parts de chaque
    critère (sur les fiches, jamais une moyenne de moyennes)."""

    fiches: int
    score_moyen: float | None
    part_completes: float | None
    part_fraiches: float | None
    part_falc: float | None
    part_joignables: float | None


def qualite_du_territoire(qualites: Iterable[Qualite]) -> QualiteTerritoire:
    """Un département : sa note moyenne sur 100 et, en pour cent, ses fiches complètes (les
    sept rubriques), vérifiées à temps, avec un résumé FALC, joignables."""
    liste = list(qualites)
    if not liste:
        return QualiteTerritoire(0, None, None, None, None, None)

    def part(valeurs: Iterable[bool]) -> float:
        return round(100 * sum(valeurs) / len(liste), 1)

    return QualiteTerritoire(
        fiches=len(liste),
        score_moyen=round(sum(q.score for q in liste) / len(liste), 1),
        part_completes=part(q.completude == 1 for q in liste),
        part_fraiches=part(q.fraiche for q in liste),
        part_falc=part(q.falc for q in liste),
        part_joignables=part(q.joignable for q in liste),
    )
