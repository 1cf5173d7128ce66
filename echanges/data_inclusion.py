"""Échanges avec data·inclusion (schéma v1) : import d'un fichier producteur, export du répertoire.

Tout enregistrement est validé par le paquet officiel `data-inclusion-schema` : on importe ce que
le valideur de data·inclusion accepterait, et l'on exporte ce qu'il accepte.
"""

import datetime as dt
import difflib
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pydantic
from data_inclusion.schema import v1
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from pydantic_core import ErrorDetails
from tqdm import tqdm

from core.imports import (
    ErreurImport,
    ErreursImport,
    RapportImport,
    lignes_feuille,
    lire_utf8,
    verifier_classeur,
)
from echanges.exports import (
    TAILLE_LOT,
    contact_public,
    identifiants,
    lieu_principal,
    services_a_exporter,
)
from repertoire.ecriture import Auteur, Changement, ecrire_fiches, valeurs_du_modele
from repertoire.horaires import depuis_osm, vers_osm
from repertoire.identifiants import Identifiants, identifiants_structure
from repertoire.models import (
    Besoin,
    Contact,
    Frais,
    Lieu,
    PlageHoraire,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche.index import indexer_services
from repertoire.selectors import (
    besoins_pour_thematiques_di,
    publics_di_pour,
    publics_pour_publics_di,
    thematiques_di_pour,
)
from territoires.models import Commune, Departement

SOURCE_AUTONOMIE = "autonomie"
PREFIXE_PROVENANCE = "data-inclusion:"
FEUILLES = {"Structures": "structures", "Services": "services"}
# Champs « liste » du schéma v1 : le classeur les écrit « a, b, c ».
CHAMPS_LISTES = frozenset(
    {
        "thematiques",
        "publics",
        "modes_accueil",
        "zone_eligibilite",
        "modes_mobilisation",
        "mobilisable_par",
        "reseaux_porteurs",
    }
)
# Excel range les codes en nombres et mange les zéros de tête (01000 → 1000.0).
LARGEUR_CODES = {"code_postal": 5, "code_insee": 5, "siret": 14}
# Longueurs de nos colonnes que le schéma ne borne pas.
LONGUEURS_MAX = {
    "telephone": 30,
    "adresse": 255,
    "complement_adresse": 255,
    "site_web": 200,
    "lien_source": 200,
    "lien_mobilisation": 200,
    "accessibilite_lieu": 200,
    "contact_nom_prenom": 150,
}
TYPOLOGIES_PAR_RESEAU = {
    "ccas-cias": Structure.Typologie.CCAS,
    "communes": Structure.Typologie.COMMUNE,
    "departements": Structure.Typologie.DEPARTEMENT,
    "caf": Structure.Typologie.ORGANISME_SOCIAL,
    "cpam": Structure.Typologie.ORGANISME_SOCIAL,
    "msa": Structure.Typologie.ORGANISME_SOCIAL,
}
RESEAUX_PAR_TYPOLOGIE = {
    Structure.Typologie.CCAS: "ccas-cias",
    Structure.Typologie.COMMUNE: "communes",
    Structure.Typologie.DEPARTEMENT: "departements",
}
FRAIS_IMPORT = {v1.Frais.GRATUIT: Frais.GRATUIT, v1.Frais.PAYANT: Frais.PAYANT}
FRAIS_EXPORT = {
    Frais.GRATUIT: v1.Frais.GRATUIT.value,
    Frais.PAYANT: v1.Frais.PAYANT.value,
    Frais.RESTE_A_CHARGE: v1.Frais.PAYANT.value,
}


@dataclass
class Enregistrement:
    fichier: str
    ligne: int
    donnees: dict[str, Any]
    modele: pydantic.BaseModel | None = None


# --- Lecture ----------------------------------------------------------------------------------


def _lire_json(chemin: Path) -> dict[str, list[Enregistrement]]:
    """Accepte {"structures": [...], "services": [...]} ou une liste de structures ou de
    services (un service se reconnaît à son `structure_id`) ; la ligne est le rang dans la liste."""
    texte = lire_utf8(chemin)
    try:
        contenu = json.loads(texte)
    except json.JSONDecodeError as erreur:
        erreurs = [ErreurImport(chemin.name, None, "", f"JSON illisible : {erreur}")]
        raise ErreursImport(erreurs) from None
    lus: dict[str, list[Enregistrement]] = {"structures": [], "services": []}
    if isinstance(contenu, dict) and contenu and contenu.keys() <= lus.keys():
        for cle in lus:
            for numero, donnees in enumerate(contenu.get(cle) or [], start=1):
                lus[cle].append(Enregistrement(f"{chemin.name} ({cle})", numero, _objet(donnees)))
    elif isinstance(contenu, list):
        for numero, donnees in enumerate(contenu, start=1):
            cle = "services" if "structure_id" in _objet(donnees) else "structures"
            lus[cle].append(Enregistrement(chemin.name, numero, _objet(donnees)))
    else:
        raison = (
            'format inattendu : {"structures": [...], "services": [...]} ou une liste '
            "de structures ou de services attendu"
        )
        raise ErreursImport([ErreurImport(chemin.name, None, "", raison)])
    return lus


def _objet(donnees: Any) -> dict[str, Any]:
    """Un élément qui n'est pas un objet JSON sera refusé par le schéma (« champ requis »)."""
    return donnees if isinstance(donnees, dict) else {}


def _valeur_cellule(champ: str, valeur: Any) -> Any:
    """Normalise ce qu'Excel a fait des valeurs : 35000.0 → « 35000 », dates, listes « a, b »."""
    if isinstance(valeur, dt.datetime):
        valeur = valeur.date()
    if isinstance(valeur, dt.date):
        valeur = valeur.isoformat()
    elif isinstance(valeur, int | float) and not isinstance(valeur, bool) and valeur % 1 == 0:
        valeur = str(int(valeur)).zfill(LARGEUR_CODES.get(champ, 0))
    elif isinstance(valeur, str):
        valeur = valeur.strip() or None
    if valeur is not None and champ in CHAMPS_LISTES:
        return [morceau.strip() for morceau in str(valeur).split(",") if morceau.strip()]
    return valeur


def _lire_feuille(
    feuille: Any, fichier: str, erreurs: list[ErreurImport], avertissements: list[ErreurImport]
) -> list[Enregistrement]:
    """Ligne 1 : noms des champs ; `__ignore__` vrai marque les lignes d'aide et d'exemple."""
    lignes = lignes_feuille(feuille, fichier)
    entete = next(lignes, ())
    colonnes: dict[int, str] = {}
    inconnues = []
    for index, nom in enumerate(entete):
        lettre = openpyxl.utils.get_column_letter(index + 1)
        if nom is None:
            continue
        if not isinstance(nom, str):
            valeur = f"{nom:%d/%m/%Y}" if isinstance(nom, dt.date) else nom
            raison = f"l'en-tête de la colonne {lettre} n'est pas un nom de champ : « {valeur} »"
            erreurs.append(ErreurImport(fichier, 1, lettre, raison))
        elif nom.strip() in _champs_connus():
            colonnes[index] = nom.strip()
        elif nom.strip() != "__ignore__":
            inconnues.append(nom.strip())
    if inconnues:
        raison = f"colonnes inconnues ignorées : {', '.join(inconnues)}"
        avertissements.append(ErreurImport(fichier, 1, "", raison))
    ignorer = entete.index("__ignore__") if "__ignore__" in entete else None
    enregistrements = []
    for numero, ligne in enumerate(lignes, start=2):
        if ignorer is not None and ignorer < len(ligne) and ligne[ignorer]:
            continue
        donnees = _donnees_ligne(ligne, colonnes, fichier, numero, erreurs)
        if donnees:
            enregistrements.append(Enregistrement(fichier, numero, donnees))
    return enregistrements


def _donnees_ligne(
    ligne: tuple, colonnes: dict[int, str], fichier: str, numero: int, erreurs: list[ErreurImport]
) -> dict[str, Any]:
    """Une colonne en double ne gêne que si ses deux cellules disent des choses différentes."""
    donnees: dict[str, Any] = {}
    for index, champ in colonnes.items():
        valeur = _valeur_cellule(champ, ligne[index] if index < len(ligne) else None)
        if valeur is None:
            continue
        if champ in donnees and donnees[champ] != valeur:
            raison = f"colonne en double avec deux valeurs différentes : « {valeur} »"
            erreurs.append(ErreurImport(fichier, numero, champ, raison))
        donnees.setdefault(champ, valeur)
    return donnees


def _champs_connus() -> set[str]:
    return set(v1.Structure.model_fields) | set(v1.Service.model_fields)


def _lire_xlsx(
    chemin: Path, erreurs: list[ErreurImport], avertissements: list[ErreurImport]
) -> dict[str, list[Enregistrement]]:
    """Le classeur du valideur data·inclusion : feuilles « Structures » et « Services »."""
    verifier_classeur(chemin)
    try:
        classeur = openpyxl.load_workbook(chemin, read_only=True, data_only=True)
    except Exception as erreur:  # openpyxl lève des exceptions variées sur un fichier abîmé
        raison = f"classeur illisible : {erreur}"
        raise ErreursImport([ErreurImport(chemin.name, None, "", raison)]) from erreur
    lus: dict[str, list[Enregistrement]] = {"structures": [], "services": []}
    try:
        for nom_feuille, cle in FEUILLES.items():
            if nom_feuille not in classeur.sheetnames:
                raison = f"feuille « {nom_feuille} » absente"
                erreurs.append(ErreurImport(chemin.name, None, "", raison))
                continue
            fichier = f"{chemin.name}, feuille « {nom_feuille} »"
            lus[cle] = _lire_feuille(classeur[nom_feuille], fichier, erreurs, avertissements)
    except ErreursImport:
        raise
    except Exception as erreur:  # en lecture seule, openpyxl ne lit les feuilles qu'ici
        raison = f"classeur illisible (feuille abîmée ou tronquée) : {erreur}"
        raise ErreursImport([ErreurImport(chemin.name, None, "", raison)]) from erreur
    finally:
        classeur.close()
    return lus


# --- Validation -------------------------------------------------------------------------------


def _valeurs_possibles(erreur: ErrorDetails) -> list[str]:
    return re.findall(r"'([^']*)'", str(erreur.get("ctx", {}).get("expected", "")))


def _message_enum(erreur: ErrorDetails) -> str:
    valeur = erreur["input"]
    possibles = _valeurs_possibles(erreur)
    proches = difflib.get_close_matches(str(valeur), possibles, n=1)
    message = f"la valeur « {valeur} » n'existe pas dans le schéma data·inclusion"
    if proches:
        return f"{message} ; vouliez-vous dire « {proches[0]} » ?"
    if len(possibles) <= 6:
        return f"{message} (valeurs possibles : {', '.join(possibles)})"
    return message


MESSAGES = {
    "missing": "champ requis",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "date sans heure attendue (AAAA-MM-JJ)",
    "url_parsing": "adresse web (URL) invalide",
    "url_scheme": "adresse web (URL) invalide : http:// ou https:// attendu",
    "list_type": "liste de valeurs attendue",
    "set_type": "liste de valeurs attendue",
    "too_short": "au moins une valeur attendue",
    "string_pattern_mismatch": "format invalide",
}


def traduire(erreur: ErrorDetails) -> str:
    """Les messages de pydantic, en français ; ceux du schéma (ValueError) le sont déjà."""
    type_, ctx, valeur = erreur["type"], erreur.get("ctx", {}), erreur.get("input")
    if type_ == "enum":
        return _message_enum(erreur)
    if type_ == "string_too_long":
        message = f"la chaîne doit contenir au plus {ctx['max_length']} caractères"
    elif type_ == "string_too_short":
        message = f"la chaîne doit contenir au moins {ctx['min_length']} caractères"
    elif type_ == "greater_than_equal":
        message = f"la valeur doit être supérieure ou égale à {ctx['ge']}"
    elif type_ == "value_error" and "email" in erreur["msg"]:
        message = "courriel invalide"
    elif type_ in ("value_error", "avertissement"):
        message = erreur["msg"].removeprefix("Value error, ")
    else:
        message = MESSAGES.get(type_, f"refusé par le schéma data·inclusion ({erreur['msg']})")
    if type_ == "missing" or valeur is None or isinstance(valeur, dict):
        return message
    return f"{message} (valeur : « {valeur} »)"


def _valider(
    enregistrement: Enregistrement,
    modele: type[v1.Structure] | type[v1.Service],
    erreurs: list[ErreurImport],
    avertissements: list[ErreurImport],
) -> None:
    """Les « avertissements » du schéma (nom finissant par un point) n'empêchent pas l'import."""
    try:
        enregistrement.modele = modele.model_validate(
            enregistrement.donnees, context={"ignore_warnings": False}
        )
        return
    except pydantic.ValidationError as exc:
        details = exc.errors()
    bloquantes = [d for d in details if d["type"] != "avertissement"]
    for detail in details:
        champ = str(detail["loc"][0]) if detail["loc"] else ""
        erreur = ErreurImport(enregistrement.fichier, enregistrement.ligne, champ, traduire(detail))
        (erreurs if detail in bloquantes else avertissements).append(erreur)
    if not bloquantes:
        enregistrement.modele = modele.model_validate(enregistrement.donnees)


def _verifier_longueurs(enregistrement: Enregistrement, erreurs: list[ErreurImport]) -> None:
    for champ, maximum in LONGUEURS_MAX.items():
        valeur = getattr(enregistrement.modele, champ, None)
        if valeur is not None and len(str(valeur)) > maximum:
            raison = f"trop long pour le répertoire ({maximum} caractères au plus)"
            erreurs.append(
                ErreurImport(enregistrement.fichier, enregistrement.ligne, champ, raison)
            )


def _verifier_references(
    structures: list[Enregistrement], services: list[Enregistrement], erreurs: list[ErreurImport]
) -> None:
    """Identifiants uniques, structures connues, codes commune existants."""
    for liste in (structures, services):
        vus: dict[tuple[str, str], int] = {}
        for e in liste:
            cle = (e.donnees.get("source") or "", str(e.donnees.get("id") or ""))
            if cle[1] and cle in vus:
                raison = f"identifiant « {cle[1]} » déjà utilisé ligne {vus[cle]}"
                erreurs.append(ErreurImport(e.fichier, e.ligne, "id", raison))
            vus.setdefault(cle, e.ligne)
    connues = {(e.donnees.get("source") or "", str(e.donnees.get("id"))) for e in structures}
    sources = {e.donnees.get("source") or "" for e in services}
    deja_importees = _identifiants_importes(Structure, sources)
    for e in services:
        cle = (e.donnees.get("source") or "", str(e.donnees.get("structure_id")))
        if e.donnees.get("structure_id") and cle not in connues | deja_importees:
            raison = f"la structure « {cle[1]} » n'est ni dans le fichier ni déjà importée"
            erreurs.append(ErreurImport(e.fichier, e.ligne, "structure_id", raison))
    _verifier_communes([*structures, *services], erreurs)


def _verifier_communes(enregistrements: list[Enregistrement], erreurs: list[ErreurImport]) -> None:
    """Comme le valideur officiel, y compris sur un enregistrement refusé pour autre chose."""
    codes = [(e, e.donnees.get("code_insee")) for e in enregistrements]
    codes = [(e, code) for e, code in codes if isinstance(code, str) and len(code) == 5]
    existantes = set(
        Commune.objects.filter(pk__in={code for _, code in codes}).values_list("pk", flat=True)
    )
    for e, code in codes:
        if code not in existantes:
            raison = f"le code commune {code} n'existe pas"
            erreurs.append(ErreurImport(e.fichier, e.ligne, "code_insee", raison))


def _identifiants_importes(modele: type[Model], sources: set[str]) -> set[tuple[str, str]]:
    provenances = Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(modele),
        source__in=[PREFIXE_PROVENANCE + s for s in sources],
    ).values_list("source", "identifiant")
    return {(source.removeprefix(PREFIXE_PROVENANCE), ident) for source, ident in provenances}


# --- Écriture ---------------------------------------------------------------------------------


def _empreinte(modele: pydantic.BaseModel) -> str:
    """Les ensembles (thématiques…) sont triés : l'ordre d'un set varie d'un processus à l'autre."""
    donnees = {
        cle: sorted(valeur) if isinstance(valeur, list) else valeur
        for cle, valeur in modele.model_dump(mode="json").items()
    }
    return hashlib.sha256(json.dumps(donnees, sort_keys=True).encode()).hexdigest()


class Ecrivain:
    """Crée ou met à jour les fiches d'une source, retrouvées par leur Provenance."""

    def __init__(self, rapport: RapportImport) -> None:
        self.rapport = rapport
        self.types = {m: ContentType.objects.get_for_model(m) for m in (Structure, Lieu, Service)}
        self.structures: dict[tuple[str, str], Structure] = {}
        self.services_modifies: list[int] = []

    def provenance(self, modele: type[Model], source: str, identifiant: str) -> Provenance | None:
        return Provenance.objects.filter(
            content_type=self.types[modele],
            source=PREFIXE_PROVENANCE + source,
            identifiant=identifiant,
        ).first()

    def enregistrer(
        self,
        modele: type[Model],
        donnees: pydantic.BaseModel,
        remplir: Any,
        *,
        compter: bool,
        identifiant: str = "",
    ) -> tuple[Model, bool]:
        """`remplir(objet)` copie les champs ; renvoie (objet, modifié ?). Une fiche supprimée
        à la main depuis le dernier import est recréée."""
        identifiant = identifiant or donnees.id
        empreinte = _empreinte(donnees)
        provenance = self.provenance(modele, donnees.source, identifiant)
        objet = provenance.objet if provenance else None
        if objet is not None and provenance.empreinte == empreinte:
            if compter:
                self.rapport.inchangees += 1
            return objet, False
        if compter:
            if objet is None:
                self.rapport.creees += 1
            else:
                self.rapport.mises_a_jour += 1
        if objet is None:
            objet = modele()
        remplir(objet)
        # Par la porte des fiches : version, historique, et ce qu'une personne a corrigé reste.
        auteur = Auteur(PREFIXE_PROVENANCE + donnees.source)
        ecrit = ecrire_fiches(
            changements=[Changement(objet, valeurs_du_modele(objet))], auteur=auteur, indexer=False
        )
        for conflit in ecrit.conflits:
            self.rapport.avertissements.append(ErreurImport(donnees.source, None, "", str(conflit)))
        Provenance.objects.update_or_create(
            content_type=self.types[modele],
            source=PREFIXE_PROVENANCE + donnees.source,
            identifiant=identifiant,
            defaults={
                "object_id": objet.pk,
                "empreinte": empreinte,
                "date_maj_source": donnees.date_maj,
                # La fiche chez le producteur, redonnée par nos exports (ADR 0014).
                "lien": str(getattr(donnees, "lien_source", None) or "")[:500],
            },
        )
        return objet, True

    def structure(self, s: v1.Structure) -> None:
        def remplir(structure: Structure) -> None:
            structure.nom = s.nom
            structure.siret = s.siret or ""
            structure.description = s.description or ""
            structure.site_web = str(s.site_web or "")
            structure.telephone = s.telephone or ""
            structure.courriel = s.courriel or ""
            structure.date_verification = s.date_maj
            reseaux = sorted(s.reseaux_porteurs or ())
            typologies = [TYPOLOGIES_PAR_RESEAU[r] for r in reseaux if r in TYPOLOGIES_PAR_RESEAU]
            structure.typologie = typologies[0] if typologies else Structure.Typologie.AUTRE

        structure, modifiee = self.enregistrer(Structure, s, remplir, compter=True)
        self.structures[(s.source, s.id)] = structure
        if modifiee and _a_une_adresse(s):
            self.lieu(s, structure, nom=s.nom)

    def lieu(self, donnees: v1.Structure | v1.Service, structure: Structure, nom: str) -> Lieu:
        def remplir(lieu: Lieu) -> None:
            lieu.structure = structure
            lieu.nom = nom
            lieu.adresse = donnees.adresse or ""
            lieu.complement_adresse = donnees.complement_adresse or ""
            lieu.code_postal = donnees.code_postal or ""
            lieu.commune = _commune(donnees)
            lieu.latitude, lieu.longitude = donnees.latitude, donnees.longitude
            lieu.date_verification = donnees.date_maj
            if isinstance(donnees, v1.Structure):
                lieu.accessibilite_url = str(donnees.accessibilite_lieu or "")

        # Un lieu naît d'une structure ou d'un service : leurs identifiants peuvent coïncider.
        identifiant = f"{type(donnees).__name__.lower()}:{donnees.id}"
        return self.enregistrer(Lieu, donnees, remplir, compter=False, identifiant=identifiant)[0]

    def structure_de(self, service: v1.Service) -> Structure:
        cle = (service.source, service.structure_id)
        if cle not in self.structures:
            provenance = self.provenance(Structure, *cle)
            self.structures[cle] = provenance.objet
        return self.structures[cle]

    def service(self, enregistrement: Enregistrement, horaires_structure: dict) -> None:
        s: v1.Service = enregistrement.modele
        structure = self.structure_de(s)

        def remplir(service: Service) -> None:
            service.structure = structure
            service.nom = s.nom
            service.description = s.description
            service.statut = Service.Statut.PUBLIE
            modes = s.modes_accueil or set()
            service.accueil_sur_place = not modes or v1.ModeAccueil.EN_PRESENTIEL in modes
            service.accueil_a_distance = v1.ModeAccueil.A_DISTANCE in modes
            service.frais = FRAIS_IMPORT.get(s.frais, "")
            service.frais_precisions = s.frais_precisions or ""
            precisions = [s.conditions_acces, s.publics_precisions]
            service.conditions_acces = "\n\n".join(filter(None, precisions))
            service.site_web = str(s.lien_mobilisation or s.lien_source or "")
            service.date_verification = s.date_maj
            service.horaires_precisions = ""

        service, modifie = self.enregistrer(Service, s, remplir, compter=True)
        if modifie:
            self.details_service(enregistrement, service, horaires_structure)
            self.services_modifies.append(service.pk)

    def details_service(
        self, enregistrement: Enregistrement, service: Service, horaires_structure: dict
    ) -> None:
        """Les relations d'un service importé appartiennent à la source : on les remplace,
        sauf celles qu'une personne a corrigées (`champs_corriges`, tenu par la porte), gardées
        comme un champ corrigé ; et une fiche qui en a absorbé d'autres (doublons) garde les
        lieux qu'elles lui ont apportés : la source y ajoute le sien."""
        s: v1.Service = enregistrement.modele
        gardes = self.relations_gardees(enregistrement, service)
        if "besoins" not in gardes:
            thematiques = besoins_pour_thematiques_di(sorted(s.thematiques or ()))
            service.besoins.set(Besoin.objects.filter(slug__in=thematiques))
        if "publics" not in gardes:
            publics = publics_pour_publics_di(s.publics or ())
            service.publics.set(Public.objects.filter(slug__in=publics))
        service.zones.all().delete()
        ZoneIntervention.objects.bulk_create(
            ZoneIntervention(service=service, type=type_, code=code)
            for type_, code in dict.fromkeys(map(_zone, s.zone_eligibilite or ()))
            if type_
        )
        if "contacts" not in gardes:
            self.contacts(s, service)
        if "lieux" not in gardes:
            self.lieux(s, service, ajouter=service.absorbes.exists())
        if "plages" not in gardes:
            horaires = s.horaires_accueil or horaires_structure.get((s.source, s.structure_id))
            self.horaires(enregistrement, service, horaires)

    def relations_gardees(self, enregistrement: Enregistrement, service: Service) -> set[str]:
        gardes = set(service.champs_corriges) & {
            "besoins", "publics", "contacts", "lieux", "plages"
        }  # fmt: skip
        for nom in sorted(gardes):
            correction = service.champs_corriges[nom]
            self.rapport.avertissements.append(
                ErreurImport(
                    enregistrement.fichier,
                    enregistrement.ligne,
                    nom,
                    f"« {service} » : {nom} gardés, corrigés par {correction.get('par')} "
                    f"le {correction.get('le')}",
                )
            )
        return gardes

    def contacts(self, s: v1.Service, service: Service) -> None:
        # La source ne tient que les contacts publics ; ceux réservés aux professionnels restent.
        service.contacts.filter(visibilite=Contact.Visibilite.PUBLIC).delete()
        if s.telephone or s.courriel:
            Contact.objects.create(
                service=service,
                libelle=s.contact_nom_prenom or "Accueil",
                telephone=s.telephone or "",
                courriel=s.courriel or "",
            )

    def lieux(self, s: v1.Service, service: Service, *, ajouter: bool) -> None:
        if _a_une_adresse(s):
            lieux = [self.lieu(s, service.structure, nom=s.nom)]
        else:
            lieu = self.provenance(Lieu, s.source, f"structure:{s.structure_id}")
            accueil = lieu and lieu.objet and service.accueil_sur_place
            lieux = [lieu.objet] if accueil else []
        if ajouter:
            service.lieux.add(*lieux)
        else:
            service.lieux.set(lieux)

    def horaires(self, enregistrement: Enregistrement, service: Service, texte: str | None) -> None:
        """Des horaires illisibles restent lisibles par un humain dans `horaires_precisions`."""
        service.plages.all().delete()
        if not texte:
            return
        try:
            plages = depuis_osm(texte)
        except ValueError as erreur:
            service.horaires_precisions = texte[:255]
            service.save(update_fields=["horaires_precisions"])
            self.rapport.avertissements.append(
                ErreurImport(
                    enregistrement.fichier, enregistrement.ligne, "horaires_accueil", str(erreur)
                )
            )
            return
        PlageHoraire.objects.bulk_create(
            PlageHoraire(service=service, jour=jour, ouverture=debut, fermeture=fin)
            for jour, debut, fin in plages
        )


def _a_une_adresse(donnees: v1.Structure | v1.Service) -> bool:
    return any(
        (
            donnees.adresse,
            donnees.code_insee,
            donnees.code_postal,
            donnees.latitude,
            donnees.commune,
        )
    )


def _commune(donnees: v1.Structure | v1.Service) -> Commune | None:
    """Le code INSEE fait foi ; à défaut, code postal et nom de commune."""
    if donnees.code_insee:
        return Commune.objects.filter(pk=donnees.code_insee).first()
    if donnees.code_postal and donnees.commune:
        communes = Commune.objects.par_code_postal(donnees.code_postal)
        return communes.par_nom(donnees.commune).first()
    return None


def _zone(code: str) -> tuple[str, str]:
    """Code commune (5), département (2-3), EPCI (SIREN, 9), pays (99xxx) ou « france »."""
    if code == "france" or code == "99100":
        return ZoneIntervention.Type.FRANCE, ""
    if code.startswith("99") and len(code) == 5:
        return "", code  # autre pays : hors du champ du répertoire
    if len(code) == 9:
        return ZoneIntervention.Type.EPCI, code
    if len(code) == 5:
        return ZoneIntervention.Type.COMMUNE, code
    return ZoneIntervention.Type.DEPARTEMENT, code


# --- Import -----------------------------------------------------------------------------------


def _lire(
    chemin: Path, source: str | None, erreurs: list[ErreurImport], rapport: RapportImport
) -> dict[str, list[Enregistrement]]:
    """Le classeur n'a pas de colonne `source` : son nom de fichier en tient lieu."""
    if chemin.suffix.lower() == ".xlsx":
        lus = _lire_xlsx(chemin, erreurs, rapport.avertissements)
        source = source or slugify(chemin.stem)
    elif chemin.suffix.lower() == ".json":
        lus = _lire_json(chemin)
    else:
        raison = "format non pris en charge (.json ou .xlsx attendu)"
        raise ErreursImport([ErreurImport(chemin.name, None, "", raison)])
    if source:
        for enregistrement in (*lus["structures"], *lus["services"]):
            enregistrement.donnees.setdefault("source", source)
    return lus


def importer_data_inclusion(
    chemin: Path, *, dry_run: bool = False, progression: bool = False, source: str | None = None
) -> RapportImport:
    """Valide tout le fichier avec le schéma officiel, puis écrit tout ou rien.

    Ré-importer le même fichier ne change rien (empreinte) ; un enregistrement modifié met à
    jour sa fiche, retrouvée par sa Provenance « data-inclusion:<source> » et son identifiant.
    """
    rapport = RapportImport(a_blanc=dry_run)
    erreurs: list[ErreurImport] = []
    lus = _lire(Path(chemin), source, erreurs, rapport)
    structures, services = lus["structures"], lus["services"]
    rapport.lues = len(structures) + len(services)
    for enregistrement in structures:
        _valider(enregistrement, v1.Structure, erreurs, rapport.avertissements)
    for enregistrement in services:
        _valider(enregistrement, v1.Service, erreurs, rapport.avertissements)
    for enregistrement in (*structures, *services):
        if enregistrement.modele:
            _verifier_longueurs(enregistrement, erreurs)
    _verifier_references(structures, services, erreurs)
    if erreurs:
        fichiers = list(dict.fromkeys(e.fichier for e in erreurs))
        raise ErreursImport(
            sorted(erreurs, key=lambda e: (fichiers.index(e.fichier), e.ligne or 0, e.champ))
        )
    with transaction.atomic():
        _ecrire(structures, services, rapport, progression)
        transaction.set_rollback(dry_run)
    return rapport


def _ecrire(
    structures: list[Enregistrement],
    services: list[Enregistrement],
    rapport: RapportImport,
    progression: bool,
) -> None:
    ecrivain = Ecrivain(rapport)
    horaires_structure = {
        (e.modele.source, e.modele.id): e.modele.horaires_accueil for e in structures
    }
    for enregistrement in tqdm(structures, desc="structures", disable=not progression):
        ecrivain.structure(enregistrement.modele)
    for enregistrement in tqdm(services, desc="services", disable=not progression):
        ecrivain.service(enregistrement, horaires_structure)
    indexer_services(ecrivain.services_modifies)
    rapport.disparues = _disparues(structures, services)


def _disparues(structures: list[Enregistrement], services: list[Enregistrement]) -> list[str]:
    """Signalées, jamais supprimées : une fiche absente d'un envoi partiel n'est pas fermée."""
    disparues = []
    for modele, liste in ((Structure, structures), (Service, services)):
        presents = {(e.modele.source, e.modele.id) for e in liste}
        for source, identifiant in sorted(_identifiants_importes(modele, {s for s, _ in presents})):
            if (source, identifiant) not in presents:
                disparues.append(f"{PREFIXE_PROVENANCE}{source} : {identifiant}")
    return disparues


# --- Export -----------------------------------------------------------------------------------


def identifiant_export(objet: Model) -> str:
    return f"{SOURCE_AUTONOMIE}--{objet.pk}"


def _date_maj(fiche: Structure | Service) -> dt.date:
    """Le schéma refuse une date future : une vérification mal saisie est ramenée à aujourd'hui."""
    aujourdhui = timezone.localdate()
    date = fiche.date_verification or timezone.localdate(fiche.modifie_le)
    return min(date, aujourdhui)


CHAMPS_ADRESSE = (
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
)


def _adresse(lieu: Lieu | None) -> dict[str, Any]:
    """Le schéma n'a qu'une adresse par fiche : celle du premier lieu (aucune à domicile)."""
    if lieu is None:
        return dict.fromkeys(CHAMPS_ADRESSE)
    commune = lieu.commune
    return {
        "adresse": lieu.adresse or None,
        "complement_adresse": lieu.complement_adresse or None,
        "code_postal": lieu.code_postal if len(lieu.code_postal) == 5 else None,
        "commune": commune.nom if commune else None,
        "code_insee": commune.code_insee if commune else None,
        "latitude": lieu.latitude,
        "longitude": lieu.longitude,
    }


def _texte(valeur: str, minimum: int = 1, maximum: int = 10000) -> str | None:
    valeur = valeur.strip()[:maximum]
    return valeur if len(valeur) >= minimum else None


def _identifiants(ids: Identifiants) -> dict[str, Any]:
    """`lien_source` est un champ du schéma v1 ; les numéros FINESS et les sources n'y sont pas :
    champs en plus, que le schéma tolère (ADR 0014), pour rapprocher la fiche des registres."""
    return {
        "lien_source": ids.lien_source or None,
        "finess_et": ids.finess_et or None,
        "finess_ej": ids.finess_ej or None,
        "identifiants_sources": [
            {"source": s.source, "identifiant": s.identifiant, "lien": s.lien or None}
            for s in ids.sources
        ],
    }


def structure_vers_di(structure: Structure) -> dict[str, Any]:
    lieu = lieu_principal(structure.lieux.all())
    reseau = RESEAUX_PAR_TYPOLOGIE.get(structure.typologie)
    return {
        "source": SOURCE_AUTONOMIE,
        "id": identifiant_export(structure),
        "nom": structure.nom,
        "date_maj": _date_maj(structure).isoformat(),
        "description": _texte(structure.description, minimum=5),
        "siret": structure.siret if len(structure.siret) == 14 else None,
        "telephone": structure.telephone or None,
        "courriel": structure.courriel or None,
        "site_web": structure.site_web or None,
        "accessibilite_lieu": (lieu.accessibilite_url or None) if lieu else None,
        "reseaux_porteurs": [reseau] if reseau else None,
        **_adresse(lieu),
        **_identifiants(identifiants_structure(structure, provenances=structure.provenances.all())),
    }


def _publics(service: Service) -> list[str] | None:
    """`tous-publics` ne se combine pas : s'il côtoie des publics précis, ceux-ci l'emportent."""
    publics = set(publics_di_pour(p.slug for p in service.publics.all()))
    if len(publics) > 1:
        publics.discard(v1.Public.TOUS_PUBLICS.value)
    return sorted(publics) or None


def _publics_precisions(service: Service) -> str | None:
    if service.age_min is not None and service.age_max is not None:
        return f"De {service.age_min} à {service.age_max} ans."
    if service.age_min is not None:
        return f"À partir de {service.age_min} ans."
    if service.age_max is not None:
        return f"Jusqu'à {service.age_max} ans."
    return None


def _zones(service: Service, departements_par_region: dict[str, list[str]]) -> list[str] | None:
    codes: list[str] = []
    for zone in service.zones.all():
        if zone.type == ZoneIntervention.Type.FRANCE:
            codes.append("france")
        elif zone.type == ZoneIntervention.Type.REGION:
            codes.extend(departements_par_region.get(zone.code, []))
        elif zone.code:
            codes.append(zone.code)
    return list(dict.fromkeys(codes)) or None


def _modes_accueil(service: Service) -> list[str] | None:
    modes = []
    if service.accueil_sur_place:
        modes.append(v1.ModeAccueil.EN_PRESENTIEL.value)
    if service.accueil_a_distance:
        modes.append(v1.ModeAccueil.A_DISTANCE.value)
    return modes or None


def service_vers_di(
    service: Service, departements_par_region: dict[str, list[str]]
) -> dict[str, Any]:
    contact = contact_public(service)
    description = (
        _texte(service.description, minimum=5)
        or _texte(service.resume_falc, minimum=5)
        or f"{service.get_nature_display().capitalize()} : {service.nom}"
    )
    return {
        "source": SOURCE_AUTONOMIE,
        "id": identifiant_export(service),
        "structure_id": identifiant_export(service.structure),
        "nom": service.nom,
        "description": description,
        "date_maj": _date_maj(service).isoformat(),
        "thematiques": sorted(thematiques_di_pour(b.slug for b in service.besoins.all())) or None,
        "publics": _publics(service),
        "publics_precisions": _publics_precisions(service),
        "frais": FRAIS_EXPORT.get(service.frais),
        "frais_precisions": _texte(service.frais_precisions),
        "conditions_acces": _texte(service.conditions_acces),
        "modes_accueil": _modes_accueil(service),
        "zone_eligibilite": _zones(service, departements_par_region),
        "horaires_accueil": vers_osm(service) or None,
        "telephone": (contact.telephone or None) if contact else None,
        "courriel": (contact.courriel or None) if contact else None,
        "lien_mobilisation": service.site_web or None,
        **_adresse(lieu_principal(service.lieux.all())),
        **_identifiants(identifiants(service)),
    }


def exporter_structures_et_services(queryset: QuerySet[Service] | None = None) -> dict:
    """Les services publiés et leurs structures, au format data·inclusion v1.

    Requêtes en nombre constant par lot de 500 services (préchargements), quel que soit le volume.
    """
    departements_par_region: dict[str, list[str]] = defaultdict(list)
    for code, region in Departement.objects.order_by("code").values_list("code", "region_id"):
        departements_par_region[region].append(code)
    services, structures = [], {}
    for service in services_a_exporter(queryset).iterator(chunk_size=TAILLE_LOT):
        services.append(service_vers_di(service, departements_par_region))
        structures.setdefault(service.structure_id, service.structure)
    return {
        "structures": [structure_vers_di(s) for s in structures.values()],
        "services": services,
    }
