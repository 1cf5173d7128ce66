"""Ce que décide un modérateur sur un doublon possible : fusionner, ou déclarer distinct.

La fusion de deux services écrit par la porte des fiches (`repertoire.ecriture`) : la fiche
absorbée est archivée (jamais supprimée : son historique reste lisible) et pointe vers la
fiche gardée (`Service.fusionne_dans`, son adresse y redirige) ; la fiche gardée reçoit ses
provenances (un ré-import FINESS ou data·inclusion de l'une ou l'autre source la retrouve et
la met à jour au lieu de recréer le doublon), ses lieux, contacts, zones, besoins et publics,
et ses horaires si elle n'en a pas. Chacune change de version avec sa ligne d'historique
(source « moderation », la personne).

La fusion de deux structures (`fusionner_structures`) fait de même : services, lieux, antennes
(par la porte, chacun avec sa ligne d'historique), contacts et provenances passent à la
gardée ; elle reçoit les identifiants qui lui manquent (SIRET, FINESS juridique) ; l'absorbée
pointe vers elle (`Structure.fusionnee_dans`), son adresse y redirige, et l'import FINESS suit
ce lien pour retrouver la gardée par le numéro EJ de l'absorbée.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from doublons.models import Candidat, CandidatStructure, Paire
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Contact, Provenance, Service, Structure, ZoneIntervention

# Ce qu'une structure gardée reçoit de l'absorbée quand elle ne l'a pas : ses identifiants
# (un ré-import les retrouve) et son institution gestionnaire. Pas ses coordonnées : la porte
# les noterait corrigées par le modérateur, et la source ne les tiendrait plus à jour.
CHAMPS_REPRIS = ("siret", "finess_ej", "institution_id")


class DejaTranche(Exception):
    """Un autre modérateur a décidé entre-temps : rien n'est écrit."""

    def __init__(self, candidat: Paire) -> None:
        self.candidat = candidat
        super().__init__(
            f"Ce doublon a déjà été traité ({candidat.get_statut_display()}) ; "
            "rien n'a été modifié."
        )


def fusionner(*, candidat: Candidat, gardee: Service, par) -> Service:
    """Fusionne la paire dans `gardee` (l'une des deux) ; rend la fiche absorbée."""
    _verifier_gardee(candidat, gardee)
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
        _reporter_les_paires(Candidat, absorbee, gardee)
    return absorbee


def fusionner_structures(*, candidat: CandidatStructure, gardee: Structure, par) -> Structure:
    """Fusionne la paire de structures dans `gardee` (l'une des deux) ; rend l'absorbée.

    Tout est écrit par la porte en un lot (source « moderation », la personne) : chaque
    service, lieu et antenne de l'absorbée change de structure, avec sa ligne d'historique ;
    l'absorbée pointe vers la gardée ; la gardée reçoit ce qui lui manque (`CHAMPS_REPRIS`)
    et change de version. Le FINESS juridique étant unique, il passe de l'une à l'autre ;
    quand la gardée a déjà le sien, l'absorbée garde le sien, que l'import FINESS suit."""
    _verifier_gardee(candidat, gardee)
    with transaction.atomic():
        candidat = _a_examiner(candidat)
        absorbee, gardee = (
            Structure.objects.select_for_update().get(pk=pk)
            for pk in _absorbee_puis(candidat, gardee)
        )
        repris = {
            champ: getattr(absorbee, champ)
            for champ in CHAMPS_REPRIS
            if getattr(absorbee, champ) and not getattr(gardee, champ)
        }
        if gardee.parent_id == absorbee.pk:  # une antenne gardée prend la place de sa tête
            repris["parent_id"] = absorbee.parent_id
        ecrire_fiches(
            changements=[
                *(
                    Changement(fiche, {"structure_id": gardee.pk})
                    for fiche in [*absorbee.services.all(), *absorbee.lieux.all()]
                ),
                *(
                    Changement(antenne, {"parent_id": gardee.pk})
                    for antenne in absorbee.antennes.exclude(pk=gardee.pk)
                ),
                Changement(
                    absorbee,
                    {"fusionnee_dans_id": gardee.pk}
                    | ({"finess_ej": ""} if "finess_ej" in repris else {}),
                ),
                Changement(gardee, repris, sous_fiches_modifiees=True),
            ],
            auteur=Auteur("moderation", par),
        )
        _deplacer_vers_structure(absorbee, gardee)
        _trancher(candidat, Paire.Statut.FUSIONNES, par, gardee=gardee)
        _reporter_les_paires(CandidatStructure, absorbee, gardee)
    return absorbee


def declarer_distincts(*, candidat: Paire, par) -> None:
    """« Ce ne sont pas des doublons » : retenu, la paire n'est plus jamais proposée."""
    with transaction.atomic():
        _trancher(_a_examiner(candidat), Candidat.Statut.DISTINCTS, par)


def _verifier_gardee(candidat: Paire, gardee: Service | Structure) -> None:
    if gardee.pk not in candidat.cles:
        raise ValueError("La fiche gardée doit être l'une des deux fiches du doublon.")


def _absorbee_puis(candidat: Paire, gardee: Service | Structure) -> tuple[int, int]:
    a, b = candidat.cles
    return (b if gardee.pk == a else a), gardee.pk


def _a_examiner(candidat: Paire) -> Paire:
    """Relu sous verrou : deux modérateurs qui tranchent la même paire, le second est refusé."""
    courant = type(candidat).objects.select_for_update().get(pk=candidat.pk)
    if courant.statut != Paire.Statut.A_EXAMINER:
        raise DejaTranche(courant)
    return courant


def _trancher(
    candidat: Paire, statut: str, par, *, gardee: Service | Structure | None = None
) -> None:
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


def _deplacer_vers_structure(absorbee: Structure, gardee: Structure) -> None:
    """Ce qui n'est pas une fiche : contacts et provenances (un ré-import data·inclusion
    retrouve la gardée par la provenance de l'absorbée) ; une structure déjà absorbée par
    celle-ci redirige désormais, d'un saut, vers la gardée."""
    Contact.objects.filter(structure=absorbee).update(structure=gardee)
    Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(Structure), object_id=absorbee.pk
    ).update(object_id=gardee.pk)
    Structure.objects.filter(fusionnee_dans=absorbee).update(fusionnee_dans=gardee)


def _reporter_les_paires(
    modele: type[Paire], absorbee: Service | Structure, gardee: Service | Structure
) -> None:
    """Les autres paires de la fiche absorbée deviennent celles de la gardée : à examiner
    encore, ou déjà déclarées distinctes (jamais reproposées)."""
    champ_a, champ_b = (f"{nom}_id" for nom in modele.FICHES)
    for candidat in modele.objects.de(absorbee).exclude(statut=Paire.Statut.FUSIONNES):
        a, b = candidat.cles
        autre = b if a == absorbee.pk else a
        candidat.delete()
        if autre == gardee.pk:
            continue
        modele.objects.bulk_create(
            [
                modele(
                    **{champ_a: min(autre, gardee.pk), champ_b: max(autre, gardee.pk)},
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
