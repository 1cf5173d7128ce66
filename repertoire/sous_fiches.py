"""Ce qu'une fiche porte en plus de ses champs : liens, horaires, permanences, contacts, lieux.

La porte des fiches (`repertoire.ecriture`) les écrit comme des champs : un `Changement` peut
demander `{"plages": [...], "besoins": [...]}`. Chaque ensemble se lit et s'écrit en listes
de valeurs JSON (heures « 09:00 », dates ISO, identifiants) : c'est la forme que garde une
proposition de modification (contribution), comparée avant → après et rétablie telle quelle.

Un ensemble s'écrit en entier (ce qui n'est plus dans la liste disparaît), sauf les lieux
d'une structure, qui sont des fiches (version, historique) : ceux de la liste sont modifiés
ou créés par la porte, les autres restent.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from repertoire import permanences
from repertoire.models import (
    Besoin,
    Contact,
    EtatSousFiches,
    HoraireExceptionnel,
    Jour,
    Lieu,
    Permanence,
    PlageHoraire,
    Public,
    Service,
    Structure,
)

Fiche = Structure | Service


@dataclass(frozen=True)
class Ensemble:
    """Des lignes rattachées à la fiche par `parent`, écrites en entier."""

    modele: type[models.Model]
    parent: str
    relation: str
    champs: tuple[str, ...]


CONTACT = ("libelle", "telephone", "courriel", "visibilite")
ENSEMBLES: dict[type[models.Model], dict[str, Ensemble]] = {
    Service: {
        "plages": Ensemble(
            PlageHoraire, "service", "plages", ("jour", "ouverture", "fermeture", "lieu")
        ),
        "exceptions": Ensemble(
            HoraireExceptionnel,
            "service",
            "exceptions",
            ("date_debut", "date_fin", "ferme", "ouverture", "fermeture", "motif"),
        ),
        "permanences": Ensemble(
            Permanence,
            "service",
            "permanences",
            ("lieu", "regle", "date_debut", "date_fin", "ouverture", "fermeture", "precisions"),
        ),
        "contacts": Ensemble(Contact, "service", "contacts", CONTACT),
    },
    Structure: {"contacts": Ensemble(Contact, "structure", "contacts", CONTACT)},
}
# Liens plusieurs-à-plusieurs d'un service : la liste triée des identifiants.
LIENS: dict[type[models.Model], tuple[str, ...]] = {
    Service: ("besoins", "publics", "lieux"),
    Structure: (),
}
CHAMPS_DU_LIEU = (
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "accessibilite",
    "entree_plain_pied",
    "stationnement_adapte",
    "sanitaires_adaptes",
    "boucle_magnetique",
)


def noms(fiche: Any) -> frozenset[str]:
    """Les sous-fiches qu'un changement de cette fiche peut demander."""
    modele = type(fiche)
    lieux = {"lieux_de_la_structure"} if modele is Structure else set()
    return frozenset({*ENSEMBLES.get(modele, {}), *LIENS.get(modele, ()), *lieux})


# --- Valeurs JSON ------------------------------------------------------------------------------


def en_json(valeur: Any) -> Any:
    if isinstance(valeur, dt.time):
        return f"{valeur:%H:%M}"
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    return valeur


def _ligne(objet: models.Model, champs: tuple[str, ...]) -> dict[str, Any]:
    meta = objet._meta
    return {c: en_json(getattr(objet, meta.get_field(c).attname)) for c in champs}


def _python(modele: type[models.Model], ligne: dict[str, Any]) -> dict[str, Any]:
    """Les valeurs JSON d'une ligne, rendues au modèle (attname : « lieu » devient lieu_id)."""
    valeurs = {}
    for nom, valeur in ligne.items():
        champ = modele._meta.get_field(nom)
        if champ.is_relation:
            valeurs[champ.attname] = valeur
        else:
            valeurs[champ.attname] = None if valeur is None else champ.to_python(valeur)
    return valeurs


# --- Lire -------------------------------------------------------------------------------------


def lire(fiche: Any, nom: str) -> list:
    """L'état enregistré d'une sous-fiche, en valeurs JSON, dans un ordre stable."""
    modele = type(fiche)
    if nom in LIENS.get(modele, ()):
        return sorted(objet.pk for objet in getattr(fiche, nom).all())
    if nom == "lieux_de_la_structure":
        return [_lieu(lieu) for lieu in sorted(fiche.lieux.all(), key=lambda lieu: lieu.pk)]
    ensemble = ENSEMBLES[modele][nom]
    lignes = [_ligne(o, ensemble.champs) for o in getattr(fiche, ensemble.relation).all()]
    return trier(lignes)


def trier(lignes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(lignes, key=lambda ligne: [str(v) for v in ligne.values()])


def _lieu(lieu: Lieu) -> dict[str, Any]:
    return {"id": lieu.pk, "version": lieu.version, **_ligne(lieu, CHAMPS_DU_LIEU)}


# --- Écrire (appelé par la porte, dans sa transaction) ----------------------------------------


def normaliser(fiche: Any, nom: str, voulu: list) -> list:
    """La forme que `lire` donne, pour des valeurs venues d'un formulaire (heures, dates,
    objets) ou d'une proposition gardée : comparables telles quelles."""
    modele = type(fiche)
    if nom in LIENS.get(modele, ()):
        return sorted(int(getattr(v, "pk", v)) for v in voulu)
    if nom == "lieux_de_la_structure":
        return [{c: en_json(getattr(v, "pk", v)) for c, v in ligne.items()} for ligne in voulu]
    ensemble = ENSEMBLES[modele][nom]
    return trier([_complete(ensemble, ligne) for ligne in voulu])


def _complete(ensemble: Ensemble, ligne: dict[str, Any]) -> dict[str, Any]:
    """Chaque champ de l'ensemble, en JSON ; un champ absent prend la valeur par défaut du
    modèle (un contact sans visibilité dite est public)."""
    meta = ensemble.modele._meta
    valeurs = {}
    for champ in ensemble.champs:
        valeur = ligne[champ] if champ in ligne else meta.get_field(champ).get_default()
        valeurs[champ] = en_json(getattr(valeur, "pk", valeur))
    return valeurs


def remplacer(fiche: Any, nom: str, voulu: list) -> bool:
    """Écrit un ensemble ou des liens ; vrai s'ils ont changé. La fiche est enregistrée."""
    voulu = normaliser(fiche, nom, voulu)
    if lire(fiche, nom) == voulu:
        return False
    if nom in LIENS[type(fiche)]:
        _lier(fiche, nom, voulu)
        return True
    ensemble = ENSEMBLES[type(fiche)][nom]
    ensemble.modele._default_manager.filter(**{ensemble.parent: fiche}).delete()
    ensemble.modele._default_manager.bulk_create(
        ensemble.modele(**{ensemble.parent: fiche}, **_python(ensemble.modele, ligne))
        for ligne in voulu
    )
    return True


def _lier(fiche: Any, nom: str, identifiants: list[int]) -> None:
    """Les liens historisés (besoins, publics) sont copiés par django-simple-history à
    l'enregistrement qui suit, dans la même ligne que les champs : pas de ligne par ajout."""
    fiche.skip_history_when_saving = True
    try:
        getattr(fiche, nom).set(identifiants)
    finally:
        del fiche.skip_history_when_saving


def meme_lieu(actuel: dict[str, Any] | None, voulu: dict[str, Any]) -> bool:
    """Le lieu demandé est-il déjà tel quel (sa version lue mise à part) ?"""
    return actuel is not None and all(actuel.get(c) == voulu.get(c) for c in CHAMPS_DU_LIEU)


def valeurs_du_lieu(ligne: dict[str, Any]) -> dict[str, Any]:
    """Les valeurs d'un lieu demandé (sans son identifiant ni sa version lue)."""
    return _python(Lieu, {c: v for c, v in ligne.items() if c in CHAMPS_DU_LIEU})


# --- Garder leur état, version par version ---------------------------------------------------


def etat(fiche: Any) -> dict[str, list]:
    """Horaires, fermetures, permanences et contacts tels qu'ils sont (valeurs JSON)."""
    return {nom: lire(fiche, nom) for nom in ENSEMBLES.get(type(fiche), {})}


def garder_etats(fiche: Any, *, avant: dict[str, list], version_avant: int) -> None:
    """Après une écriture qui les change : l'état d'avant (s'il n'est pas déjà gardé) et
    celui de la nouvelle version."""
    type_ = ContentType.objects.get_for_model(type(fiche))
    cle = {"content_type": type_, "object_id": fiche.pk}
    EtatSousFiches.objects.get_or_create(**cle, version=version_avant, defaults={"etat": avant})
    EtatSousFiches.objects.update_or_create(
        **cle, version=fiche.version, defaults={"etat": etat(fiche)}
    )


def etats_gardes(fiche: Any) -> dict[int, dict[str, list]]:
    """{version : état} de ce qui a été gardé pour cette fiche."""
    type_ = ContentType.objects.get_for_model(type(fiche))
    lignes = EtatSousFiches.objects.filter(content_type=type_, object_id=fiche.pk)
    return dict(lignes.values_list("version", "etat"))


# --- Dire -------------------------------------------------------------------------------------


def en_mots(nom: str, valeur: Any) -> list[str]:
    """Une ligne de texte par élément, pour relire un avant → après."""
    if not isinstance(valeur, list):
        return [_mot(valeur)]
    if nom in ("besoins", "publics", "lieux"):
        modele = {"besoins": Besoin, "publics": Public, "lieux": Lieu}[nom]
        noms_ = dict(modele.objects.filter(pk__in=valeur).values_list("pk", _nom(modele)))
        return [str(noms_.get(pk, f"n° {pk} (supprimé)")) for pk in valeur]
    lieux = _noms_des_lieux(valeur)
    return [_decrire(nom, ligne, lieux) for ligne in valeur]


def _noms_des_lieux(lignes: list[dict[str, Any]]) -> dict[int, str]:
    cles = {ligne.get("lieu") for ligne in lignes} - {None}
    return dict(Lieu.objects.filter(pk__in=cles).values_list("pk", "nom")) if cles else {}


def _decrire(nom: str, ligne: dict[str, Any], lieux: dict[int, str]) -> str:
    lieu = f" à « {lieux.get(ligne['lieu'], '?')} »" if ligne.get("lieu") else ""
    heures = f"{ligne.get('ouverture')}–{ligne.get('fermeture')}"
    if nom == "plages":
        return f"{Jour(ligne['jour']).label} {heures}{lieu}"
    if nom == "exceptions":
        quoi = "fermé" if ligne["ferme"] else f"ouvert {heures}"
        motif = f" ({ligne['motif']})" if ligne.get("motif") else ""
        return f"du {ligne['date_debut']} au {ligne['date_fin']} : {quoi}{motif}"
    if nom == "permanences":
        fin = f" jusqu'au {ligne['date_fin']}" if ligne.get("date_fin") else ""
        permanence = Permanence(**_python(Permanence, {c: ligne[c] for c in PERMANENCE_DITE}))
        return f"{permanences.en_mots(permanence)}{lieu}, à partir du {ligne['date_debut']}{fin}"
    if nom == "contacts":
        moyens = ", ".join(v for v in (ligne.get("telephone"), ligne.get("courriel")) if v)
        return f"{ligne['libelle']} : {moyens} ({ligne['visibilite']})"
    adresse = " ".join(str(ligne.get(c) or "") for c in ("adresse", "code_postal", "commune"))
    return f"{ligne.get('nom')} : {adresse.strip()}"


PERMANENCE_DITE = ("regle", "date_debut", "ouverture", "fermeture")


def _nom(modele: type[models.Model]) -> str:
    return "nom" if modele is Lieu else "libelle"


def _mot(valeur: Any) -> str:
    if valeur is True:
        return "oui"
    if valeur is False:
        return "non"
    return "" if valeur in ("", None) else str(valeur)
