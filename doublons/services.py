"""Ce que décide un modérateur sur un doublon possible : fusionner, ou déclarer distinct.

La fusion écrit par la porte des fiches (`repertoire.ecriture`) : la fiche absorbée est
archivée (jamais supprimée : son historique reste lisible) et pointe vers la fiche gardée
(`Service.fusionne_dans`, son adresse y redirige) ; la fiche gardée reçoit ses provenances
(un ré-import FINESS ou data·inclusion de l'une ou l'autre source la retrouve et la met à
jour au lieu de recréer le doublon), ses lieux, contacts, zones, besoins et publics, et ses
horaires si elle n'en a pas. Chacune change de version avec sa ligne d'historique
(source « moderation », la personne).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from doublons.models import Candidat
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Contact, Provenance, Service, ZoneIntervention


class DejaTranche(Exception):
    """Un autre modérateur a décidé entre-temps : rien n'est écrit."""

    def __init__(self, candidat: Candidat) -> None:
        self.candidat = candidat
        super().__init__(
            f"Ce doublon a déjà été traité ({candidat.get_statut_display()}) ; "
            "rien n'a été modifié."
        )


def fusionner(*, candidat: Candidat, gardee: Service, par) -> Service:
    """Fusionne la paire dans `gardee` (l'une des deux) ; rend la fiche absorbée."""
    if gardee.pk not in (candidat.service_a_id, candidat.service_b_id):
        raise ValueError("La fiche gardée doit être l'une des deux fiches du doublon.")
    with transaction.atomic():
        candidat = _a_examiner(candidat)
        absorbee = Service.objects.select_for_update().get(
            pk=candidat.service_b_id
            if gardee.pk == candidat.service_a_id
            else candidat.service_a_id
        )
        gardee = Service.objects.select_for_update().get(pk=gardee.pk)
        _deplacer(absorbee, gardee)
        auteur = Auteur("moderation", par)
        ecrire_fiches(
            changements=[
                Changement(
                    fiche=absorbee,
                    valeurs={"statut": Service.Statut.ARCHIVE, "fusionne_dans_id": gardee.pk},
                ),
                Changement(fiche=gardee, valeurs={}, sous_fiches_modifiees=True),
            ],
            auteur=auteur,
        )
        # Une fiche déjà absorbée par celle-ci redirige désormais, d'un saut, vers la gardée.
        Service.objects.filter(fusionne_dans=absorbee).update(fusionne_dans=gardee)
        _trancher(candidat, Candidat.Statut.FUSIONNES, par, gardee=gardee)
        _reporter_les_paires(absorbee, gardee)
    return absorbee


def declarer_distincts(*, candidat: Candidat, par) -> None:
    """« Ce ne sont pas des doublons » : retenu, la paire n'est plus jamais proposée."""
    with transaction.atomic():
        _trancher(_a_examiner(candidat), Candidat.Statut.DISTINCTS, par)


def _a_examiner(candidat: Candidat) -> Candidat:
    """Relu sous verrou : deux modérateurs qui tranchent la même paire, le second est refusé."""
    courant = Candidat.objects.select_for_update().get(pk=candidat.pk)
    if courant.statut != Candidat.Statut.A_EXAMINER:
        raise DejaTranche(courant)
    return courant


def _trancher(candidat: Candidat, statut: str, par, *, gardee: Service | None = None) -> None:
    candidat.statut, candidat.gardee = statut, gardee
    candidat.decide_par, candidat.decide_le = par, timezone.now()
    candidat.save(update_fields=["statut", "gardee", "decide_par", "decide_le"])


def _deplacer(absorbee: Service, gardee: Service) -> None:
    """Tout ce qui tient à la fiche absorbée passe à la gardée, sans rien perdre."""
    type_service = ContentType.objects.get_for_model(Service)
    Provenance.objects.filter(content_type=type_service, object_id=absorbee.pk).update(
        object_id=gardee.pk
    )
    gardee.lieux.add(*absorbee.lieux.all())
    absorbee.lieux.clear()
    gardee.besoins.add(*absorbee.besoins.all())
    gardee.publics.add(*absorbee.publics.all())
    Contact.objects.filter(service=absorbee).update(service=gardee)
    deja = set(gardee.zones.values_list("type", "code"))
    for zone in absorbee.zones.all():
        if (zone.type, zone.code) in deja:
            zone.delete()
        else:
            ZoneIntervention.objects.filter(pk=zone.pk).update(service=gardee)
    # Des horaires ne s'additionnent pas : la fiche gardée garde les siens, s'il en a.
    if not gardee.plages.exists():
        absorbee.plages.update(service=gardee)
    if not gardee.exceptions.exists():
        absorbee.exceptions.update(service=gardee)


def _reporter_les_paires(absorbee: Service, gardee: Service) -> None:
    """Les autres paires de la fiche absorbée deviennent celles de la gardée : à examiner
    encore, ou déjà déclarées distinctes (jamais reproposées)."""
    for candidat in Candidat.objects.de(absorbee).exclude(statut=Candidat.Statut.FUSIONNES):
        autre = (
            candidat.service_b_id if candidat.service_a_id == absorbee.pk else candidat.service_a_id
        )
        candidat.delete()
        if autre == gardee.pk:
            continue
        Candidat.objects.bulk_create(
            [
                Candidat(
                    service_a_id=min(autre, gardee.pk),
                    service_b_id=max(autre, gardee.pk),
                    motifs=candidat.motifs,
                    score=candidat.score,
                    distance_m=candidat.distance_m,
                    statut=candidat.statut,
                    decide_par=candidat.decide_par,
                    decide_le=candidat.decide_le,
                )
            ],
            ignore_conflicts=True,
        )
