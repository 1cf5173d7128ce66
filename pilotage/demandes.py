"""Import CSV des transitions des demandes MDPH (format décrit dans pilotage/FORMAT.md).

Tout le fichier est validé avant d'écrire ; la moindre erreur lève ErreursImport (fichier,
ligne, champ, raison en français) et rien n'est écrit. Réimporter le même fichier ne change
rien : un événement est identifié par (demande, type, date).
"""

import contextlib
import csv
import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.imports import (
    ErreurImport,
    ErreursImport,
    RapportImport,
    entre_deux_lots,
    lignes_utf8,
    par_lots,
)
from pilotage.codes import normaliser_departement
from pilotage.models import (
    FAMILLE_DE_PRESTATION,
    Demande,
    Evenement,
    Nature,
    Prestation,
    Procedure,
    Public,
    TypeDecision,
    TypeEvenement,
)
from pilotage.pseudonymisation import pseudonymiser
from territoires.models import Departement

COLONNES = (
    "departement",
    "numero_demande",
    "identifiant_personne",
    "numero_dossier",
    "prestation",
    "public",
    "nature",
    "procedure",
    "evenement",
    "date",
    "type_decision",
    "sans_limitation",
    "duree_mois",
)
# Demandes écrites par transaction : quelques dixièmes de seconde, pour que le site (connexions,
# compteur de l'API) écrive entre deux lots, même sur SQLite qui n'a qu'un écrivain.
DEMANDES_PAR_TRANSACTION = 2000
ATTRIBUTS = ("personne", "dossier", "prestation", "public", "nature", "procedure")

# Prestations réservées à un public (code de l'action sociale et des familles).
PUBLIC_IMPOSE: dict[str, str] = {
    Prestation.AAH: Public.ADULTE,
    Prestation.RQTH: Public.ADULTE,
    Prestation.ORIENTATION_ESMS_ADULTES: Public.ADULTE,
    Prestation.ORIENTATION_PROFESSIONNELLE: Public.ADULTE,
    Prestation.AEEH: Public.ENFANT,
    Prestation.ORIENTATION_ESMS_ENFANTS: Public.ENFANT,
    Prestation.SCOLARISATION: Public.ENFANT,
}

# Rang de chaque transition dans le cycle de vie (arrêté du 13 septembre 2010) ; une
# transition ne peut précéder une transition de rang inférieur. L'annulation est libre.
RANG: dict[str, int] = {
    TypeEvenement.DEPOSE: 0,
    TypeEvenement.RECEVABLE_A_COMPLETER: 1,
    TypeEvenement.RECEVABLE: 2,
    TypeEvenement.EVALUATION: 3,
    TypeEvenement.DECISION: 4,
    TypeEvenement.NOTIFICATION: 5,
}
OUI, NON = {"oui", "o", "1", "true", "vrai"}, {"non", "n", "0", "false", "faux"}


@dataclass(frozen=True)
class Transition:
    type: str
    date: dt.date
    type_decision: str = ""
    sans_limitation: bool | None = None
    duree_mois: int | None = None
    ligne: int | None = None  # None : déjà en base


@dataclass
class LigneDemande:
    ligne: int
    departement: str
    numero: str
    attributs: dict[str, str]
    transition: Transition


def dates_de_demande(transitions: Iterable[Transition]) -> dict:
    """Dates dénormalisées d'une demande d'après son journal.

    Recevabilité, évaluation, annulation : la première ; décision : la dernière (un sursis à
    statuer peut précéder la décision) ; sortie du stock : la décision ou l'annulation la plus
    précoce ; délai (définition CNSA) : jours de la recevabilité à la décision.
    """
    premieres: dict[str, dt.date] = {}
    decision: Transition | None = None
    notification = None
    for t in transitions:
        if t.type == TypeEvenement.DECISION:
            if decision is None or t.date >= decision.date:
                decision = t
        elif t.type == TypeEvenement.NOTIFICATION:
            notification = max(notification or t.date, t.date)
        elif t.type not in premieres or t.date < premieres[t.type]:
            premieres[t.type] = t.date
    recevable = premieres.get(TypeEvenement.RECEVABLE)
    annulation = premieres.get(TypeEvenement.ANNULE)
    date_decision = decision.date if decision else None
    sorties = [d for d in (date_decision, annulation) if d]
    return {
        "date_depot": premieres.get(TypeEvenement.DEPOSE),
        "date_recevable_a_completer": premieres.get(TypeEvenement.RECEVABLE_A_COMPLETER),
        "date_recevable": recevable,
        "date_evaluation": premieres.get(TypeEvenement.EVALUATION),
        "date_decision": date_decision,
        "type_decision": decision.type_decision if decision else "",
        "sans_limitation": decision.sans_limitation if decision else None,
        "duree_mois": decision.duree_mois if decision else None,
        "date_notification": notification,
        "date_annulation": annulation,
        "date_sortie": min(sorties) if sorties else None,
        "delai_jours": (date_decision - recevable).days if date_decision and recevable else None,
    }


CHAMPS_DATES = tuple(dates_de_demande([]).keys())


def _lire_date(brut: str) -> dt.date:
    brut = brut.strip()
    for format_ in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(brut, format_).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible « {brut} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


class _Lecteur:
    """Lit et valide une ligne ; accumule les erreurs au lieu de s'arrêter à la première."""

    def __init__(self, fichier: str, departements: set[str], aujourdhui: dt.date):
        self.fichier, self.departements, self.aujourdhui = fichier, departements, aujourdhui
        self.erreurs: list[ErreurImport] = []

    def erreur(self, ligne: int | None, champ: str, raison: str) -> None:
        self.erreurs.append(ErreurImport(self.fichier, ligne, champ, raison))

    def choix(self, n: int, champ: str, brut: str, choices: type) -> str:
        valeur = brut.strip().lower()
        if valeur not in choices.values:
            attendu = ", ".join(choices.values)
            self.erreur(n, champ, f"valeur inconnue « {brut} » (attendu : {attendu})")
        return valeur

    def identifiant(self, n: int, champ: str, brut: str) -> str:
        if not brut.strip():
            self.erreur(n, champ, "valeur obligatoire manquante")
        return brut.strip()

    def lire(self, n: int, ligne: dict[str, str]) -> LigneDemande | None:
        avant = len(self.erreurs)
        departement = ligne["departement"].strip()
        try:
            departement = normaliser_departement(departement)
        except ValueError as e:
            self.erreur(n, "departement", str(e))
        else:
            if departement not in self.departements:
                self.erreur(
                    n, "departement", f"département « {departement} » absent du référentiel"
                )
        numero = self.identifiant(n, "numero_demande", ligne["numero_demande"])
        personne = self.identifiant(n, "identifiant_personne", ligne["identifiant_personne"])
        dossier = self.identifiant(n, "numero_dossier", ligne["numero_dossier"])
        prestation = self.choix(n, "prestation", ligne["prestation"], Prestation)
        public = self.choix(n, "public", ligne["public"], Public)
        if public in Public.values and PUBLIC_IMPOSE.get(prestation, public) != public:
            self.erreur(n, "public", f"la prestation « {prestation} » ne concerne pas ce public")
        attributs = {
            "personne": personne,
            "dossier": dossier,
            "prestation": prestation,
            "public": public,
            "nature": self.choix(n, "nature", ligne["nature"], Nature),
            "procedure": self.choix(n, "procedure", ligne["procedure"], Procedure),
        }
        transition = self.transition(n, ligne)
        if len(self.erreurs) > avant or transition is None:
            return None
        return LigneDemande(n, departement, numero, attributs, transition)

    def transition(self, n: int, ligne: dict[str, str]) -> Transition | None:
        type_ = self.choix(n, "evenement", ligne["evenement"], TypeEvenement)
        try:
            date = _lire_date(ligne["date"])
        except ValueError as e:
            self.erreur(n, "date", str(e))
            return None
        if date > self.aujourdhui:
            self.erreur(n, "date", f"date future « {date:%d/%m/%Y} »")
        type_decision = ligne["type_decision"].strip().lower()
        sans_limitation_brut = ligne["sans_limitation"].strip().lower()
        duree_brut = ligne["duree_mois"].strip()
        if type_ != TypeEvenement.DECISION:
            for champ in ("type_decision", "sans_limitation", "duree_mois"):
                if ligne[champ].strip():
                    self.erreur(n, champ, "réservé aux lignes de décision")
            return Transition(type_, date, ligne=n)
        if type_decision not in TypeDecision.values:
            attendu = ", ".join(TypeDecision.values)
            self.erreur(n, "type_decision", f"valeur « {type_decision} » invalide ({attendu})")
            return None
        if type_decision != TypeDecision.ATTRIBUTION:
            if sans_limitation_brut or duree_brut:
                self.erreur(n, "sans_limitation", "un rejet ou un sursis n'ouvre pas de droit")
            return Transition(type_, date, type_decision, ligne=n)
        return self.attribution(n, date, sans_limitation_brut, duree_brut)

    def attribution(self, n: int, date: dt.date, sans_lim: str, duree: str) -> Transition | None:
        if sans_lim not in OUI | NON:
            self.erreur(n, "sans_limitation", "oui ou non attendu pour une attribution")
            return None
        if sans_lim in OUI:
            if duree:
                self.erreur(n, "duree_mois", "un droit sans limitation de durée n'a pas de durée")
            return Transition("decision", date, "attribution", True, None, ligne=n)
        if not duree.isdigit() or not 1 <= int(duree) <= 240:
            self.erreur(n, "duree_mois", f"durée en mois invalide « {duree} » (1 à 240)")
            return None
        return Transition("decision", date, "attribution", False, int(duree), ligne=n)


def _controler_ordre(lecteur: _Lecteur, transitions: list[Transition]) -> None:
    """Une demande a un dépôt ; chaque transition suit celles de rang inférieur (arrêté 2010)."""
    depots = [t for t in transitions if t.type == TypeEvenement.DEPOSE]
    premiere = min((t.ligne for t in transitions if t.ligne), default=None)
    if not depots:
        lecteur.erreur(premiere, "evenement", "demande sans événement « depose »")
        return
    if len({t.date for t in depots}) > 1:
        lecteur.erreur(premiere, "evenement", "plusieurs dates de dépôt pour la même demande")
    types = {t.type for t in transitions}
    for t in transitions:
        if t.ligne is None:
            continue
        rang = RANG.get(t.type, -1)
        for autre in transitions:
            if RANG.get(autre.type, 99) < rang and autre.date > t.date:
                raison = f"« {t.type} » le {t.date:%d/%m/%Y} précède « {autre.type} »"
                lecteur.erreur(t.ligne, "date", f"{raison} du {autre.date:%d/%m/%Y}")
                break
        if t.type == TypeEvenement.DECISION and TypeEvenement.RECEVABLE not in types:
            lecteur.erreur(t.ligne, "evenement", "décision sans recevabilité")
        if t.type == TypeEvenement.NOTIFICATION and TypeEvenement.DECISION not in types:
            lecteur.erreur(t.ligne, "evenement", "notification sans décision")


def _lire_fichier(chemin: Path, lecteur: _Lecteur) -> list[LigneDemande]:
    """CSV UTF-8 (BOM toléré) ; le séparateur, `;` ou `,`, se lit sur l'en-tête."""
    with contextlib.closing(lignes_utf8(chemin)) as flux:
        entete = next(flux, "")
        separateur = ";" if entete.count(";") >= entete.count(",") else ","
        lignes = csv.DictReader(itertools.chain([entete], flux), delimiter=separateur)
        manquantes = [c for c in COLONNES if c not in (lignes.fieldnames or [])]
        if manquantes:
            for colonne in manquantes:
                lecteur.erreur(1, colonne, "colonne absente de l'en-tête")
            return []
        lues = []
        for n, ligne in enumerate(lignes, start=2):
            if None in ligne or any(v is None for v in ligne.values()):
                lecteur.erreur(n, "", "nombre de colonnes différent de l'en-tête")
                continue
            if lue := lecteur.lire(n, ligne):
                lues.append(lue)
        return lues


def _pseudonymiser(lue: LigneDemande) -> tuple[tuple[str, str], dict[str, str]]:
    d = lue.departement
    attributs = dict(lue.attributs)
    attributs["personne"] = pseudonymiser(
        departement=d, nature="personne", valeur=attributs["personne"]
    )
    attributs["dossier"] = pseudonymiser(
        departement=d, nature="dossier", valeur=attributs["dossier"]
    )
    reference = pseudonymiser(departement=d, nature="demande", valeur=lue.numero)
    return (d, reference), attributs


def _transitions_en_base(cles: list[tuple[str, str]]) -> tuple[dict, dict]:
    """Demandes existantes et leurs transitions, par (département, référence)."""
    demandes: dict[tuple[str, str], Demande] = {}
    par_departement: dict[str, list[str]] = {}
    for departement, reference in cles:
        par_departement.setdefault(departement, []).append(reference)
    for departement, references in par_departement.items():
        for i in range(0, len(references), 500):
            lot = Demande.objects.filter(
                departement_id=departement, reference__in=references[i : i + 500]
            )
            demandes.update({(d.departement_id, d.reference): d for d in lot})
    transitions: dict[int, list[Transition]] = {d.pk: [] for d in demandes.values()}
    ids = list(transitions)
    for i in range(0, len(ids), 500):
        for e in Evenement.objects.filter(demande_id__in=ids[i : i + 500]):
            transitions[e.demande_id].append(
                Transition(e.type, e.date, e.type_decision, e.sans_limitation, e.duree_mois)
            )
    return demandes, transitions


def importer_demandes(
    *,
    chemin: Path,
    a_blanc: bool = False,
    aujourdhui: dt.date | None = None,
    progression: Callable[[str], None] | None = None,
) -> RapportImport:
    """Importe les transitions d'un fichier ; tout ou rien, idempotent.

    Rapport : `lues` lignes, `creees` événements nouveaux, `inchangees` événements déjà connus,
    `mises_a_jour` demandes dont un attribut (prestation, public…) a changé.
    """
    lecteur = _Lecteur(
        chemin.name,
        set(Departement.objects.values_list("code", flat=True)),
        aujourdhui or timezone.localdate(),
    )
    lues = _lire_fichier(chemin, lecteur)
    demandes_fichier: dict[tuple[str, str], dict] = {}
    for lue in lues:
        cle, attributs = _pseudonymiser(lue)
        entree = demandes_fichier.setdefault(cle, {"attributs": attributs, "transitions": []})
        for champ in ATTRIBUTS:
            if entree["attributs"][champ] != attributs[champ]:
                lecteur.erreur(lue.ligne, _champ_source(champ), "diffère d'une ligne précédente")
        entree["transitions"].append(lue.transition)
    if progression:
        progression(f"{len(lues)} lignes lues, {len(demandes_fichier)} demandes.")
    existantes, en_base = _transitions_en_base(list(demandes_fichier))
    for cle, entree in demandes_fichier.items():
        anciennes = en_base.get(existantes[cle].pk, []) if cle in existantes else []
        _controler_ordre(lecteur, _fusionner(anciennes, entree["transitions"]))
    if lecteur.erreurs:
        raise ErreursImport(lecteur.erreurs)
    rapport = RapportImport(lues=len(lues), a_blanc=a_blanc)
    if a_blanc:
        with transaction.atomic():
            _ecrire(demandes_fichier, existantes, en_base, rapport)
            transaction.set_rollback(True)
        return rapport
    # Fichier entier validé : l'écriture se fait par lots de demandes, chacune avec tous ses
    # événements ; une interruption laisse des demandes complètes, et une relance complète.
    for numero, cles in enumerate(par_lots(demandes_fichier, DEMANDES_PAR_TRANSACTION)):
        if numero:
            entre_deux_lots()
        with transaction.atomic():
            lot = {cle: demandes_fichier[cle] for cle in cles}
            _ecrire(lot, existantes, en_base, rapport)
    return rapport


def _champ_source(attribut: str) -> str:
    return {"personne": "identifiant_personne", "dossier": "numero_dossier"}.get(attribut, attribut)


def _fusionner(anciennes: list[Transition], nouvelles: list[Transition]) -> list[Transition]:
    connues = {(t.type, t.date) for t in anciennes}
    return anciennes + [t for t in nouvelles if (t.type, t.date) not in connues]


def _ecrire(demandes_fichier: dict, existantes: dict, en_base: dict, rapport) -> None:
    a_creer, a_modifier, nouvelles = [], [], set()
    for (departement, reference), entree in demandes_fichier.items():
        attributs = entree["attributs"]
        attributs["famille"] = FAMILLE_DE_PRESTATION[attributs["prestation"]]
        demande = existantes.get((departement, reference))
        if demande is None:
            demande = Demande(departement_id=departement, reference=reference, **attributs)
            a_creer.append(demande)
            nouvelles.add((departement, reference))
            existantes[(departement, reference)] = demande
        elif any(getattr(demande, k) != v for k, v in attributs.items()):
            for champ, valeur in attributs.items():
                setattr(demande, champ, valeur)
            a_modifier.append(demande)
        fusion = _fusionner(en_base.get(demande.pk, []), entree["transitions"])
        for champ, valeur in dates_de_demande(fusion).items():
            setattr(demande, champ, valeur)
    Demande.objects.bulk_create(a_creer, batch_size=2000)
    rapport.mises_a_jour += len(a_modifier)
    evenements = []
    for cle, entree in demandes_fichier.items():
        demande = existantes[cle]
        connues = {(t.type, t.date) for t in en_base.get(demande.pk, [])} if demande.pk else set()
        for t in entree["transitions"]:
            if (t.type, t.date) in connues:
                rapport.inchangees += 1
                continue
            connues.add((t.type, t.date))
            evenements.append(
                Evenement(
                    demande=demande,
                    type=t.type,
                    date=t.date,
                    type_decision=t.type_decision,
                    sans_limitation=t.sans_limitation,
                    duree_mois=t.duree_mois,
                )
            )
    Evenement.objects.bulk_create(evenements, batch_size=2000)
    rapport.creees += len(evenements)
    a_recalculer = [existantes[c] for c in demandes_fichier if c not in nouvelles]
    champs = [
        *CHAMPS_DATES,
        "personne",
        "dossier",
        "prestation",
        "famille",
        "public",
        "nature",
        "procedure",
    ]
    Demande.objects.bulk_update(a_recalculer, champs, batch_size=2000)
