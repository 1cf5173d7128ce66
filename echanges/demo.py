"""Démonstration pour la Nièvre : référentiels, établissements FINESS et fiches écrites à la main.

Idempotent, donc lançable à chaque démarrage : chaque fiche est retrouvée par sa provenance
(source « demo ») et n'est réécrite que si sa description dans le fichier a changé ; une
correction faite dans l'admin sur une fiche inchangée dans le fichier est donc conservée.
"""

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from core.env import env_str
from core.imports import ErreurImport, ErreursImport, RapportImport
from echanges.finess import importer_finess
from repertoire.ecriture import Auteur, Changement, ecrire_fiches, valeurs_du_modele
from repertoire.horaires import depuis_osm
from repertoire.models import (
    Besoin,
    Contact,
    Frais,
    HoraireExceptionnel,
    Lieu,
    ModeAcces,
    PlageHoraire,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche.index import indexer_services
from repertoire.schemas import MODES_ACCUEIL
from repertoire.services import synchroniser_referentiels
from territoires.models import EPCI, Commune
from territoires.services import charger_communes

SOURCE = "demo"
DONNEES = Path(__file__).resolve().parent / "donnees"
FICHES = DONNEES / "fiches_nievre.json"
FINESS = DONNEES / "finess_58_2021-01.csv"

CHAMPS_STRUCTURE = ("nom", "typologie", "description", "site_web", "telephone", "courriel")
CHAMPS_LIEU = (
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "latitude",
    "longitude",
    "accessibilite",
    "entree_plain_pied",
    "stationnement_adapte",
    "sanitaires_adaptes",
    "boucle_magnetique",
)
CHAMPS_SERVICE = (
    "nom",
    "nature",
    "description",
    "resume_falc",
    "age_min",
    "age_max",
    "modes_acces",
    "conditions_acces",
    "documents_necessaires",
    "frais",
    "frais_precisions",
    "site_web",
    "ouvert_jours_feries",
    "horaires_precisions",
)


def charger_demo(*, progression: bool = False) -> dict[str, Any]:
    """Tout ce qu'il faut pour essayer le site sur la Nièvre, dans l'ordre des dépendances."""
    return {
        "communes": charger_communes(progression=progression),
        "referentiels": synchroniser_referentiels(),
        "finess": importer_finess(FINESS, departements=["58"], progression=progression),
        "fiches": charger_fiches(FICHES),
        "index": {"services indexés": indexer_services()},
    }


def charger_fiches(chemin: Path) -> RapportImport:
    """Charge les fiches écrites à la main ; vérifie tout avant d'écrire, rien n'est écrit sur
    erreur (slug, commune ou code inconnu)."""
    structures = json.loads(chemin.read_text(encoding="utf-8"))["structures"]
    erreurs = verifier_fiches(structures, fichier=chemin.name)
    if erreurs:
        raise ErreursImport(erreurs)
    rapport = RapportImport()
    with transaction.atomic():
        for structure in structures:
            _charger_structure(structure, rapport)
    return rapport


# --- Vérification -------------------------------------------------------------------------


def verifier_fiches(structures: list[dict], *, fichier: str) -> list[ErreurImport]:
    connus = {
        "besoins": set(Besoin.objects.values_list("slug", flat=True)),
        "publics": set(Public.objects.values_list("slug", flat=True)),
        ZoneIntervention.Type.COMMUNE: set(Commune.objects.values_list("code_insee", flat=True)),
        ZoneIntervention.Type.EPCI: set(EPCI.objects.values_list("code", flat=True)),
    }
    erreurs = []
    for structure in structures:
        if structure["typologie"] not in Structure.Typologie.values:
            erreurs.append(_erreur(fichier, structure, "typologie", structure["typologie"]))
        for lieu in structure.get("lieux", []):
            if lieu["commune"] not in connus[ZoneIntervention.Type.COMMUNE]:
                erreurs.append(_erreur(fichier, lieu, "commune", lieu["commune"]))
        for service in structure.get("services", []):
            erreurs.extend(_verifier_service(service, connus, fichier))
    return erreurs


def _verifier_service(service: dict, connus: dict[str, set], fichier: str) -> list[ErreurImport]:
    valeurs = [
        *(("besoins", slug, connus["besoins"]) for slug in service.get("besoins", [])),
        *(("publics", slug, connus["publics"]) for slug in service.get("publics", [])),
        *(("modes_acces", code, ModeAcces.values) for code in service.get("modes_acces", [])),
        *(("modes_accueil", code, MODES_ACCUEIL) for code in service.get("modes_accueil", [])),
        ("nature", service.get("nature", Service.Nature.SERVICE), Service.Nature.values),
        ("frais", service.get("frais", ""), Frais.values),
    ]
    for zone in service.get("zones", []):
        valeurs.append(("zones", zone["type"], ZoneIntervention.Type.values))
        if zone["type"] in connus:  # commune ou EPCI : le code doit exister
            valeurs.append(("zones", zone["code"], connus[zone["type"]]))
    erreurs = [_erreur(fichier, service, champ, v) for champ, v, admis in valeurs if v not in admis]
    try:
        depuis_osm(service.get("horaires", ""))
    except ValueError as erreur:
        erreurs.append(ErreurImport(fichier, None, "horaires", f"{service['id']} : {erreur}"))
    return erreurs


def _erreur(fichier: str, fiche: dict, champ: str, valeur: str) -> ErreurImport:
    raison = f"fiche « {fiche['id']} » : valeur inconnue « {valeur} »"
    return ErreurImport(fichier, None, champ, raison)


# --- Écriture -----------------------------------------------------------------------------


def _charger_structure(donnees: dict, rapport: RapportImport) -> None:
    propres = {cle: v for cle, v in donnees.items() if cle not in ("lieux", "services")}
    structure, ecrite = _ecrire(Structure, propres, CHAMPS_STRUCTURE, rapport)
    if ecrite:
        _remplacer_contacts(structure.contacts.filter(service=None), propres, structure=structure)
    lieux = {
        lieu["id"]: _ecrire(
            Lieu, lieu, CHAMPS_LIEU, rapport, structure=structure, commune_id=lieu["commune"]
        )[0]
        for lieu in donnees.get("lieux", [])
    }
    for service in donnees.get("services", []):
        _charger_service(service, structure, lieux, rapport)


def _charger_service(
    donnees: dict, structure: Structure, lieux: dict[str, Lieu], rapport: RapportImport
) -> None:
    accueil = {
        champ: code in donnees.get("modes_accueil", [])
        for code, (champ, _) in MODES_ACCUEIL.items()
    }
    service, ecrit = _ecrire(
        Service, donnees, CHAMPS_SERVICE, rapport, structure=structure, **accueil
    )
    if not ecrit:
        return
    service.besoins.set(Besoin.objects.filter(slug__in=donnees.get("besoins", [])))
    service.publics.set(Public.objects.filter(slug__in=donnees.get("publics", [])))
    service.lieux.set([lieux[identifiant] for identifiant in donnees.get("lieux", [])])
    _remplacer_horaires(service, donnees)
    service.zones.all().delete()
    ZoneIntervention.objects.bulk_create(
        ZoneIntervention(service=service, type=z["type"], code=z["code"])
        for z in donnees.get("zones", [])
    )
    _remplacer_contacts(service.contacts.all(), donnees, service=service)


def _ecrire(
    modele: type[models.Model],
    donnees: dict,
    champs: tuple[str, ...],
    rapport: RapportImport,
    **fixes: Any,
) -> tuple[Any, bool]:
    """Retrouve la fiche par sa provenance et ne l'écrit que si elle est nouvelle ou si sa
    description dans le fichier a changé (empreinte). Renvoie (fiche, écrite ?).

    Un champ absent du fichier reprend sa valeur par défaut.
    """
    rapport.lues += 1
    empreinte = hashlib.sha256(json.dumps(donnees, sort_keys=True).encode()).hexdigest()
    provenance = Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(modele),
        source=SOURCE,
        identifiant=donnees["id"],
    ).first()
    fiche = provenance.objet if provenance else None
    if fiche is not None and provenance.empreinte == empreinte:
        rapport.inchangees += 1
        return fiche, False
    if fiche is None:
        fiche = modele()
        rapport.creees += 1
    else:
        rapport.mises_a_jour += 1
    for champ in champs:
        setattr(fiche, champ, donnees.get(champ, fiche._meta.get_field(champ).get_default()))
    for champ, valeur in {**fixes, "date_verification": timezone.localdate()}.items():
        setattr(fiche, champ, valeur)
    # Par la porte des fiches (version, historique, corrections gardées) ; la démonstration
    # réindexe tout à la fin.
    changement = Changement(fiche, valeurs_du_modele(fiche))
    ecrire_fiches(changements=[changement], auteur=Auteur(SOURCE), indexer=False)
    Provenance.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(modele),
        source=SOURCE,
        identifiant=donnees["id"],
        defaults={"object_id": fiche.pk, "empreinte": empreinte},
    )
    return fiche, True


def _remplacer_contacts(anciens: models.QuerySet, donnees: dict, **rattachement: Any) -> None:
    anciens.delete()
    Contact.objects.bulk_create(Contact(**rattachement, **c) for c in donnees.get("contacts", []))


def _remplacer_horaires(service: Service, donnees: dict) -> None:
    service.plages.all().delete()
    PlageHoraire.objects.bulk_create(
        PlageHoraire(service=service, jour=jour, ouverture=debut, fermeture=fin)
        for jour, debut, fin in depuis_osm(donnees.get("horaires", ""))
    )
    service.exceptions.all().delete()
    HoraireExceptionnel.objects.bulk_create(
        HoraireExceptionnel(service=service, **exception)
        for exception in donnees.get("exceptions", [])
    )


# --- Compte d'administration local --------------------------------------------------------


def creer_admin_local() -> tuple[bool, str | None]:
    """Crée le compte « admin » d'un poste de développement, jamais quand DEBUG est faux.

    Le mot de passe vient de DEMO_ADMIN_PASSWORD, sinon il est tiré au hasard et renvoyé pour
    être affiché une seule fois (jamais journalisé). Un compte existant n'est pas touché.
    Renvoie (créé ?, mot de passe généré ou None).
    """
    utilisateurs = get_user_model()._default_manager
    if not settings.DEBUG or utilisateurs.filter(username="admin").exists():
        return False, None
    impose = env_str("DEMO_ADMIN_PASSWORD")
    mot_de_passe = impose or secrets.token_urlsafe(12)
    utilisateurs.create_superuser("admin", "admin@localhost", mot_de_passe)
    return True, None if impose else mot_de_passe
