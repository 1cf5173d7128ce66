"""Import du fichier national FINESS (stock « etalab-cs1100507 » publié par la DREES).

Le fichier est lu tel que publié : première ligne de métadonnées `finess;etalab;<n>;<date>`,
puis les lignes `structureet` (32 champs), puis les lignes `geolocalisation` (coordonnées en
mètres, Lambert-93 en métropole et en Corse, projections locales outre-mer). Tout le fichier est
validé avant la moindre écriture ; la moindre erreur lève ErreursImport et rien n'est écrit.

Correspondance : une Structure par entité juridique (EJ), un Lieu et un Service par
établissement (ET), une Provenance « finess » sur chacun. L'empreinte d'un ET couvre ses deux
lignes sources, la définition de sa catégorie dans CATEGORIES_FINESS et la présence de sa
commune en base : un nouvel import ne réécrit que ce qui a changé. Les champs tenus par FINESS
(nom, adresse, coordonnées, drapeaux et besoins de la catégorie, téléphone d'accueil) sont
réécrits à chaque changement ; le statut de publication et ce qu'un agent a ajouté (autres
lieux, zones, contacts) ne sont pas touchés ; une structure saisie à la main avec son numéro
d'EJ est reprise sans être renommée ; une structure fusionnée dans une autre (doublons) mène à
la gardée, que le nom de son EJ ne renomme pas. Une structure prend la raison sociale de son EJ
(stock des entités juridiques, `echanges/finess_ej.py`) ou un nom neutre, jamais le nom d'un de
ses ET ; les noms sont décodés de l'échappement CSV (ADR 0014). Les ET disparus du fichier sont
signalés, jamais supprimés : c'est à un agent de décider de les archiver.

Historique et index : les écritures passent par des INSERT en masse (et bulk_update pour les
modifications), que django-simple-history ne voit pas ; bulk_create coûtait quatre fois plus de
CPU que les INSERT bruts (27 981 ET, SQLite). Chaque lot copie donc en SQL une ligne
d'historique par fiche créée ou réellement changée (`repertoire.ecriture.historiser_en_masse`,
source « finess », liens besoins et publics compris) ; une fiche dont FINESS redit les mêmes
valeurs ne change ni de version ni d'historique. Les services créés avec leur lieu sont indexés
de ce que l'import vient d'écrire (`indexer_fiches`), sans relecture ; les autres sont relus
(docs/adr/0007-une-porte-pour-les-fiches.md).
"""

import codecs
import datetime as dt
import hashlib
import math
import re
import sys
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from tqdm import tqdm

from core.ecriture_en_masse import cache_sqlite_agrandi, inserer, reserver_cles
from core.imports import (
    BOMS_UTF16,
    Cadence,
    ErreurImport,
    ErreursImport,
    RapportImport,
    par_lots,
)
from core.texte import sans_accents
from echanges.models import ImportFiness
from repertoire.ecriture import (
    Auteur,
    Changement,
    Conflit,
    changees_en_masse,
    ecrire_fiches,
    historiser_en_masse,
)
from repertoire.models import (
    Besoin,
    Contact,
    Lieu,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche.index import FicheAIndexer, Thesaurus, indexer_fiches, indexer_services
from repertoire.referentiels import CATEGORIES_FINESS, PUBLICS_DU_NOM_FINESS, CategorieFiness
from territoires.models import Commune

SOURCE = "finess"
LIBELLE_CONTACT = "Accueil"
TAILLE_LOT = 1000
SEUIL_BAISSE = 0.9  # moins de 90 % des ET du précédent import : refusé (ADR 0005)
TAILLE_LOT_ECRITURE = 500  # ET par transaction d'écriture (mesure : ADR 0005)
TAILLE_BLOC = 1 << 20  # lecture par blocs d'1 Mio
TAILLE_FIN = 4096  # octets gardés de la fin du fichier : la dernière ligne y tient
# Une ligne du stock fait moins de 1 Ko ; au-delà de 64 Kio, ce n'est pas un stock FINESS, et
# la lire entière coûterait autant de mémoire que le fichier.
LIGNE_MAX = 1 << 16
ERREURS_MAX = 1000  # au-delà, la lecture s'arrête : ce n'est pas un stock FINESS
LOT_PROJECTION = 10_000  # géolocalisations projetées d'un appel pyproj

CHAMPS_ET = (
    "structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib",
    "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement",
    "libdepartement", "ligneacheminement", "telephone", "telecopie", "categetab",
    "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft",
    "codesph", "libsph", "dateouv", "dateautor", "datemaj", "numuai",
)  # fmt: skip
CHAMPS_GEO = ("geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")

# Outre-mer, FINESS code le département 9A…9F ; le code INSEE commence par 97.
DEPARTEMENTS_OUTRE_MER = {
    "9A": "971",
    "9B": "972",
    "9C": "973",
    "9D": "974",
    "9E": "975",
    "9F": "976",
}
EPSG_METROPOLE = 2154
EPSG_OUTRE_MER = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "975": 4467, "976": 4471}

_NUMERO_FINESS = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")
_DEPARTEMENT = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|9[A-F])$")
_COMMUNE = re.compile(r"^\d{3}$")
_CATEGORIE = re.compile(r"^\d{3}$")
_EPSG = re.compile(r"EPSG\s*:?\s*(\d{4,5})", re.IGNORECASE)
_CODE_POSTAL = re.compile(r"^(\d{5})\b")
_METADONNEES = re.compile(r"^finess;etalab;\d+;(\d{4}-\d{2}-\d{2});?$")
# Ce qui entre dans l'empreinte d'un ET en plus de ses lignes : la version des règles de
# correspondance (guillemets décodés, nom du gestionnaire) et le nom de son EJ. Changer ces
# règles fait relire une fois chaque ET, et corrige ainsi les noms déjà importés.
REGLES_NOMS = b"noms-2"
# Préfixe de l'empreinte de la Provenance d'une structure nommée par le stock des EJ : un import
# sans ce fichier garde le nom qu'il a donné.
ORIGINE_EJ = "ej:"


# --- Lecture et validation --------------------------------------------------------------------


@dataclass(slots=True)
class Etablissement:
    """Une ligne `structureet` réduite aux champs utiles, et sa géolocalisation.

    `geolocalise` dit si le fichier porte une ligne `geolocalisation` pour cet ET : sans elle,
    la source ne dit rien de ses coordonnées et l'import garde celles qu'il connaît déjà.
    """

    ligne: int
    nofinesset: str
    nofinessej: str
    nom: str
    adresse: str
    complement_adresse: str
    code_insee: str
    departement: str
    code_postal: str
    telephone: str
    categorie: str
    datemaj: dt.date | None
    empreinte_source: bytes
    latitude: float | None = None
    longitude: float | None = None
    geolocalise: bool = False
    empreinte: str = ""


@dataclass
class FichierFiness:
    """Les ET retenus par l'import et ce que le fichier dit de sa propre complétude."""

    etablissements: list[Etablissement]
    date: dt.date | None = None
    lignes_structureet: int = 0
    lignes_geolocalisation: int = 0
    presents: Collection[str] = ()  # tout ET du fichier, filtres ou non

    @property
    def geolocalises(self) -> int:
        return sum(1 for et in self.etablissements if et.geolocalise)


@dataclass(slots=True)
class _Geolocalisation:
    ligne: int
    x: float | None  # None : la source dit que l'ET n'a pas de coordonnées
    y: float | None
    epsg: int | None
    brut: str


class _Erreurs:
    """Les erreurs d'un fichier, bornées : un fichier qui n'est pas un stock FINESS en
    produirait une par ligne, des millions d'objets en mémoire avant d'être refusé."""

    def __init__(self, fichier: str) -> None:
        self.fichier = fichier
        self.liste: list[ErreurImport] = []

    def __call__(self, ligne: int | None, champ: str, raison: str) -> None:
        self.liste.append(ErreurImport(self.fichier, ligne, champ, raison))
        if len(self.liste) >= ERREURS_MAX:
            raison = (
                f"{ERREURS_MAX} erreurs : lecture arrêtée ligne {ligne}, ce fichier n'est pas "
                "un stock FINESS exploitable"
            )
            raise ErreursImport([*self.triees(), ErreurImport(self.fichier, None, "", raison)])

    def triees(self) -> list[ErreurImport]:
        return sorted(self.liste, key=lambda e: e.ligne or 0)


@dataclass
class _Apercu:
    encodage: str
    lignes: int  # lignes terminées par une fin de ligne
    fin: bytes  # les derniers octets du fichier


def _tout_retenir(et: Etablissement) -> bool:
    return True


def lire_fichier(
    chemin: Path,
    *,
    retenir: Callable[[Etablissement], bool] = _tout_retenir,
    progression: bool = False,
) -> FichierFiness:
    """Valide tout le fichier, lu en flux ; lève ErreursImport avec chaque erreur trouvée.

    Deux passages en mémoire constante : le premier reconnaît l'encodage et la fin du fichier
    (un fichier tronqué est refusé avant d'être analysé), le second valide ligne à ligne. Seuls
    les ET que `retenir` accepte restent en mémoire ; les autres sont validés puis réduits à
    leur numéro et leur département, de quoi rattacher et projeter leur géolocalisation.
    """
    fichier = chemin.name
    apercu = _examiner(chemin)
    erreurs = _Erreurs(fichier)
    with chemin.open("rb") as flux:
        date = _lire_metadonnees(flux.readline(), apercu.encodage, fichier)
        _verifier_derniere_ligne(apercu, fichier)
        lecture = _Lecture(retenir, erreurs)
        corps = "utf-8" if apercu.encodage == "utf-8-sig" else apercu.encodage
        with tqdm(
            total=chemin.stat().st_size,
            disable=not progression,
            desc="Lecture FINESS",
            unit="o",
            unit_scale=True,
        ) as barre:
            for numero, brut in enumerate(flux, start=2):
                barre.update(len(brut))
                lecture.lire(numero, brut.decode(corps))
        lecture.terminer()
    if erreurs.liste:
        raise ErreursImport(erreurs.triees())
    return lecture.resultat(date)


def _examiner(chemin: Path) -> _Apercu:
    """Premier passage, par blocs : encodage, nombre de lignes, derniers octets.

    Le stock FINESS est historiquement en ISO-8859-1 ; certaines éditions sont en UTF-8. Un
    texte ISO-8859-1 accentué n'est presque jamais de l'UTF-8 valide : UTF-8 si tout le fichier
    en est, sinon ISO-8859-1 (qui décode n'importe quel octet).
    """
    decodeur = codecs.getincrementaldecoder("utf-8")()
    utf8, lignes, fin, ligne_en_cours = True, 0, b"", 0
    with chemin.open("rb") as flux:
        while bloc := flux.read(TAILLE_BLOC):
            if not lignes and not fin:
                _refuser_utf16(bloc, chemin.name)
            ligne_en_cours = _longueur_sans_fin_de_ligne(bloc, ligne_en_cours)
            if ligne_en_cours > LIGNE_MAX:
                raison = f"une ligne dépasse {LIGNE_MAX // 1024} Kio : ce n'est pas un stock FINESS"
                raise ErreursImport([ErreurImport(chemin.name, None, "", raison)])
            lignes += bloc.count(b"\n")
            fin = (fin + bloc[-TAILLE_FIN:])[-TAILLE_FIN:]
            if utf8:
                try:
                    decodeur.decode(bloc)
                except UnicodeDecodeError:
                    utf8 = False
    try:
        decodeur.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    return _Apercu("utf-8-sig" if utf8 else "iso-8859-1", lignes, fin)


def _longueur_sans_fin_de_ligne(bloc: bytes, avant: int) -> int:
    """Octets lus depuis la dernière fin de ligne, ou la plus longue ligne de ce bloc."""
    morceaux = bloc.split(b"\n")
    if len(morceaux) == 1:
        return avant + len(bloc)
    plus_longue = max(avant + len(morceaux[0]), *(len(m) for m in morceaux[1:-1]), 0)
    return plus_longue if plus_longue > LIGNE_MAX else len(morceaux[-1])


def _refuser_utf16(debut: bytes, fichier: str) -> None:
    """ISO-8859-1 décode tout, même de l'UTF-16 : sans ce contrôle, l'erreur serait illisible."""
    if debut.startswith(BOMS_UTF16) or b"\x00" in debut:
        raison = (
            "fichier en UTF-16 (ou pas un fichier texte) ; le stock FINESS est attendu tel que "
            "publié par la DREES, en UTF-8 ou ISO-8859-1"
        )
        raise ErreursImport([ErreurImport(fichier, None, "", raison)])


def _lire_metadonnees(premiere: bytes, encodage: str, fichier: str) -> dt.date:
    trouve = _METADONNEES.match(premiere.decode(encodage).strip())
    if trouve:
        with suppress(ValueError):
            return dt.date.fromisoformat(trouve.group(1))
    raison = (
        "première ligne attendue « finess;etalab;<numéro>;<AAAA-MM-JJ> » : ce fichier n'est pas "
        "un stock FINESS au format de la DREES"
    )
    raise ErreursImport([ErreurImport(fichier, 1, "", raison)])


def _verifier_derniere_ligne(apercu: _Apercu, fichier: str) -> None:
    """Le stock n'a pas d'enregistrement de fin : il s'arrête sur sa dernière ligne
    `geolocalisation`. Un fichier coupé au milieu d'une ligne se reconnaît à l'absence de fin de
    ligne finale ; on l'accepte pourtant si cette dernière ligne est une géolocalisation
    complète (six champs, date de mise à jour entière), pour ne pas refuser une édition publiée
    sans fin de ligne finale (docs/adr/0005-import-finess-en-production.md)."""
    if apercu.fin.endswith(b"\n"):
        return
    # Les derniers octets peuvent commencer au milieu d'un caractère UTF-8 : on le remplace.
    texte = apercu.fin.rsplit(b"\n", 1)[-1].decode(apercu.encodage, "replace").rstrip("\r")
    champs = _sans_point_virgule_final(texte.split(";"), len(CHAMPS_GEO))
    if len(champs) == len(CHAMPS_GEO) and champs[0] == "geolocalisation":
        with suppress(ValueError):
            if _date(champs[-1].strip()) is not None:
                return
    raison = (
        f"dernière ligne incomplète « {texte[-60:]} » : le fichier a été tronqué (téléchargement "
        "interrompu ?) ; il finit normalement par une ligne « geolocalisation » complète"
    )
    raise ErreursImport([ErreurImport(fichier, apercu.lignes + 1, "", raison)])


class _Lecture:
    """L'état de la lecture en flux : ET retenus, numéros vus, géolocalisations à projeter."""

    def __init__(self, retenir: Callable[[Etablissement], bool], erreurs: _Erreurs) -> None:
        self.retenir, self.erreurs = retenir, erreurs
        self.retenus: dict[str, Etablissement] = {}
        self.vus: dict[str, tuple[int, str]] = {}  # tout ET du fichier → (ligne, département)
        self.geolocalises: dict[str, int] = {}  # ET → ligne de sa géolocalisation
        self.projection = _Projection(erreurs)
        self.lignes_structureet = self.lignes_geolocalisation = 0
        self.debut_geolocalisation: int | None = None

    def lire(self, numero: int, texte: str) -> None:
        texte = texte.rstrip("\r\n")
        if not texte.strip():
            return

        def erreur(champ: str, raison: str) -> None:
            self.erreurs(numero, champ, raison)

        champs = texte.split(";")
        if champs[0] == "structureet":
            self._structureet(champs, numero, texte, erreur)
        elif champs[0] == "geolocalisation":
            self._geolocalisation(champs, numero, erreur)
        else:
            erreur("", f"type d'enregistrement inconnu « {champs[0][:30]} »")

    def _structureet(self, champs: list[str], numero: int, texte: str, erreur) -> None:
        self.lignes_structureet += 1
        if self.debut_geolocalisation is not None:
            # Deux extractions recollées, ou un fichier réordonné : ce n'est plus le stock publié.
            debut = self.debut_geolocalisation
            erreur("", f"ligne « structureet » après le bloc « geolocalisation » (ligne {debut})")
            return
        et = _lire_etablissement(champs, numero, texte, erreur)
        if et is None:
            return
        if et.nofinesset in self.vus:
            autre = self.vus[et.nofinesset][0]
            erreur("nofinesset", f"établissement {et.nofinesset} déjà décrit ligne {autre}")
            return
        self.vus[et.nofinesset] = (numero, sys.intern(et.departement))
        if self.retenir(et):
            self.retenus[et.nofinesset] = et

    def _geolocalisation(self, champs: list[str], numero: int, erreur) -> None:
        self.lignes_geolocalisation += 1
        if self.debut_geolocalisation is None:
            self.debut_geolocalisation = numero
        geo = _lire_geolocalisation(champs, numero, erreur)
        if geo is None:
            return
        nofinesset = champs[1].strip()
        if nofinesset in self.geolocalises:
            autre = self.geolocalises[nofinesset]
            erreur("nofinesset", f"établissement {nofinesset} déjà géolocalisé ligne {autre}")
            return
        self.geolocalises[nofinesset] = numero
        if nofinesset not in self.vus:
            erreur(
                "nofinesset", f"géolocalisation d'un établissement absent du fichier : {nofinesset}"
            )
            return
        et = self.retenus.get(nofinesset)
        if et is not None:
            et.geolocalise = True
            et.empreinte_source += geo.brut.encode()
        if geo.x is not None:
            self.projection.ajouter(geo, et, self.vus[nofinesset][1])

    def terminer(self) -> None:
        self.projection.vider()
        if self.lignes_structureet and not self.lignes_geolocalisation:
            raison = (
                "aucune ligne « geolocalisation » : le fichier est incomplet (tronqué avant "
                "le bloc des coordonnées ?) ; l'importer retirerait de la carte tous ses "
                "établissements"
            )
            self.erreurs(None, "", raison)

    def resultat(self, date: dt.date | None) -> FichierFiness:
        return FichierFiness(
            list(self.retenus.values()),
            date,
            self.lignes_structureet,
            self.lignes_geolocalisation,
            self.vus.keys(),
        )


_CHAMPS_UTILES = (
    "nofinesset", "nofinessej", "rs", "rslongue", "compldistrib", "numvoie", "typvoie", "voie",
    "compvoie", "lieuditbp", "commune", "departement", "ligneacheminement", "telephone",
    "categetab", "dateouv", "dateautor", "datemaj",
)  # fmt: skip
_extraire = itemgetter(*(CHAMPS_ET.index(nom) for nom in _CHAMPS_UTILES))


def _sans_point_virgule_final(champs: list[str], attendus: int) -> list[str]:
    if len(champs) == attendus + 1 and champs[-1] == "":
        return champs[:-1]
    return champs


def _lire_etablissement(champs: list[str], numero: int, texte: str, erreur) -> Etablissement | None:
    champs = _sans_point_virgule_final(champs, len(CHAMPS_ET))
    if len(champs) != len(CHAMPS_ET):
        erreur("", f"{len(champs)} champs au lieu de {len(CHAMPS_ET)} pour « structureet »")
        return None
    c = dict(zip(_CHAMPS_UTILES, (v.strip() for v in _extraire(champs)), strict=True))
    valide = True
    for nom in ("nofinesset", "nofinessej"):
        if not numero_finess_valide(c[nom]):
            erreur(nom, f"numéro FINESS invalide « {c[nom]} » (9 caractères et clé de contrôle)")
            valide = False
    controles = (
        ("departement", _DEPARTEMENT, "code département inconnu"),
        ("commune", _COMMUNE, "code commune attendu sur 3 chiffres"),
        ("categetab", _CATEGORIE, "catégorie d'établissement attendue sur 3 chiffres"),
    )
    for nom, motif, raison in controles:
        if not motif.match(c[nom]):
            erreur(nom, f"{raison} : « {c[nom]} »")
            valide = False
    if not (c["rs"] or c["rslongue"]):
        erreur("rs", "raison sociale vide")
        valide = False
    dates = {}
    for nom in ("dateouv", "dateautor", "datemaj"):
        try:
            dates[nom] = _date(c[nom])
        except ValueError:
            erreur(nom, f"date invalide « {c[nom]} » (attendu AAAA-MM-JJ)")
            valide = False
    if not valide:
        return None
    departement = c["departement"]
    prefixe_insee = "97" if departement in DEPARTEMENTS_OUTRE_MER else departement
    acheminement = _CODE_POSTAL.match(c["ligneacheminement"])
    voie = " ".join(v for v in (c["numvoie"], c["compvoie"], c["typvoie"], c["voie"]) if v)
    return Etablissement(
        ligne=numero,
        nofinesset=c["nofinesset"],
        nofinessej=c["nofinessej"],
        nom=decoder_guillemets(c["rslongue"] or c["rs"])[:150],
        adresse=voie[:255],
        complement_adresse=", ".join(v for v in (c["compldistrib"], c["lieuditbp"]) if v)[:255],
        code_insee=prefixe_insee + c["commune"],
        departement=DEPARTEMENTS_OUTRE_MER.get(departement, departement),
        code_postal=acheminement.group(1) if acheminement else "",
        telephone=formater_telephone(c["telephone"]),
        categorie=c["categetab"],
        datemaj=dates["datemaj"],
        empreinte_source=hashlib.blake2b(texte.encode(), digest_size=16).digest(),
    )


def _lire_geolocalisation(champs: list[str], numero: int, erreur) -> _Geolocalisation | None:
    champs = _sans_point_virgule_final(champs, len(CHAMPS_GEO))
    if len(champs) != len(CHAMPS_GEO):
        erreur("", f"{len(champs)} champs au lieu de {len(CHAMPS_GEO)} pour « geolocalisation »")
        return None
    _, nofinesset, x, y, source, datemaj = (v.strip() for v in champs)
    valide = True
    if not numero_finess_valide(nofinesset):
        erreur("nofinesset", f"numéro FINESS invalide « {nofinesset} »")
        valide = False
    try:
        _date(datemaj)
    except ValueError:
        erreur("datemaj", f"date invalide « {datemaj} » (attendu AAAA-MM-JJ)")
        valide = False
    coordonnees: list[float | None] = [None, None]
    if x or y:
        coordonnees = _coordonnees(x, y, erreur)
        valide = valide and None not in coordonnees
    epsg = _EPSG.search(source)
    if not valide:
        return None
    brut = ";".join(champs[1:])
    return _Geolocalisation(numero, *coordonnees, int(epsg.group(1)) if epsg else None, brut)


def _coordonnees(x: str, y: str, erreur) -> list[float | None]:
    """Deux nombres en mètres ; None à la place de chaque valeur invalide (erreur signalée)."""
    coordonnees: list[float | None] = []
    for nom, valeur in (("coordxet", x), ("coordyet", y)):
        try:
            nombre = float(valeur)
        except ValueError:
            nombre = math.nan
        if not math.isfinite(nombre):
            erreur(nom, f"coordonnée invalide « {valeur} » (nombre en mètres attendu)")
            coordonnees.append(None)
        else:
            coordonnees.append(nombre)
    return coordonnees


def _date(valeur: str) -> dt.date | None:
    return dt.date.fromisoformat(valeur) if valeur else None


def numero_finess_valide(numero: str) -> bool:
    """Neuf caractères, clé de Luhn en dernier ; en Corse, 2A compte pour 21 et 2B pour 22.

    Règle vérifiée sur les 27 981 ET et EJ de l'extrait de janvier 2021.
    """
    if not _NUMERO_FINESS.match(numero):
        return False
    chiffres = numero.translate(_CORSE)
    simples = sum(int(c) for c in chiffres[-1::-2])
    doubles = sum(_DOUBLE[int(c)] for c in chiffres[-2::-2])
    return (simples + doubles) % 10 == 0


_CORSE = str.maketrans("AB", "12")
_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # chiffre doublé, puis somme de ses chiffres


def formater_telephone(numero: str) -> str:
    """« 0386715000 » s'affiche « 03 86 71 50 00 » ; tout autre format est gardé tel quel."""
    chiffres = numero.replace(" ", "").replace(".", "")
    if len(chiffres) == 10 and chiffres.isdigit():
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
    return numero


@lru_cache(maxsize=16)
def transformateur(epsg: int) -> tuple[Transformer, tuple[float, float, float, float]]:
    """Vers WGS84 (longitude, latitude) ; avec l'emprise du système, marge d'un degré."""
    crs = CRS.from_epsg(epsg)
    zone = crs.area_of_use
    emprise = (zone.west - 1, zone.south - 1, zone.east + 1, zone.north + 1) if zone else None
    return Transformer.from_crs(crs, 4326, always_xy=True), emprise or (-180, -90, 180, 90)


class _Projection:
    """Projette les coordonnées par paquets d'un même système : un appel pyproj par paquet, en
    mémoire bornée. Le système nommé dans sourcecoordet prime ; à défaut, celui du département.
    Les ET hors filtres sont projetés aussi : leurs coordonnées sont validées, puis oubliées."""

    def __init__(self, erreurs: _Erreurs) -> None:
        self.erreurs = erreurs
        self.en_attente: dict[int, list[tuple[Etablissement | None, _Geolocalisation]]] = (
            defaultdict(list)
        )
        self.nombre = 0

    def ajouter(self, geo: _Geolocalisation, et: Etablissement | None, departement: str) -> None:
        epsg = geo.epsg or EPSG_OUTRE_MER.get(departement, EPSG_METROPOLE)
        self.en_attente[epsg].append((et, geo))
        self.nombre += 1
        if self.nombre >= LOT_PROJECTION:
            self.vider()

    def vider(self) -> None:
        for epsg, couples in self.en_attente.items():
            self._projeter(epsg, couples)
        self.en_attente.clear()
        self.nombre = 0

    def _projeter(
        self, epsg: int, couples: list[tuple[Etablissement | None, _Geolocalisation]]
    ) -> None:
        try:
            projection, (ouest, sud, est, nord) = transformateur(epsg)
        except CRSError:
            for _, geo in couples:
                self.erreurs(
                    geo.ligne, "sourcecoordet", f"système de coordonnées EPSG:{epsg} inconnu"
                )
            return
        xs = array("d", (geo.x for _, geo in couples))
        ys = array("d", (geo.y for _, geo in couples))
        longitudes, latitudes = projection.transform(xs, ys, errcheck=False)
        for (et, geo), lon, lat in zip(couples, longitudes, latitudes, strict=True):
            if not (ouest <= lon <= est and sud <= lat <= nord):
                raison = f"coordonnées ({geo.x}, {geo.y}) hors de la zone couverte par EPSG:{epsg}"
                self.erreurs(geo.ligne, "coordxet", raison)
            elif et is not None:
                et.latitude, et.longitude = round(lat, 6), round(lon, 6)


# --- Correspondance vers le répertoire --------------------------------------------------------


def decoder_guillemets(texte: str) -> str:
    """Le stock garde l'échappement CSV des noms qui contiennent des guillemets : entouré de
    guillemets, les siens doublés, le nom de la MAS « LES PERRIERS » de La Charité-sur-Loire
    se lit alors MAS "LES PERRIERS" une fois décodé.
    """
    texte = texte.strip()
    if len(texte) >= 2 and texte[0] == texte[-1] == '"':
        texte = texte[1:-1]
    return texte.replace('""', '"').strip()


def nom_neutre(ej: str) -> str:
    """Le nom d'une entité juridique que le stock des ET ne nomme pas (ADR 0014).

    Jamais le nom d'un de ses établissements : le CCAS de Rennes devenait « MAISON DE RETRAITE
    CHAMPS MANCEAUX », et ce nom, indexé, faisait trouver ses autres services par les mots de
    l'EHPAD. Le numéro permet de retrouver la vraie raison sociale (fiche nationale liée).
    """
    return f"Organisme gestionnaire (FINESS juridique {ej})"


def nom_structure(
    ej: str,
    raisons_sociales: Mapping[str, str] | None,
    provenance: tuple[int, str] | None,
    nom_actuel: str | None,
) -> tuple[str, str]:
    """Le nom d'une structure FINESS et l'empreinte de sa Provenance.

    La raison sociale du stock des entités juridiques quand il est fourni ; sinon le nom qu'un
    import précédent de ce stock lui a donné ; sinon un nom neutre.
    """
    if raisons_sociales is not None and ej in raisons_sociales:
        nom = raisons_sociales[ej][:150]
        return nom, _hash(ORIGINE_EJ + nom)
    if provenance and nom_actuel is not None and provenance[1] == _hash(ORIGINE_EJ + nom_actuel):
        return nom_actuel, provenance[1]
    nom = nom_neutre(ej)
    return nom, _hash(nom)


def _categories_retenues(categories: Collection[str] | None) -> dict[str, CategorieFiness]:
    if categories is None:
        return dict(CATEGORIES_FINESS)
    inconnues = sorted(set(categories) - CATEGORIES_FINESS.keys())
    if inconnues:
        # Un hôpital importé sans besoins ni publics brouillerait l'annuaire de l'autonomie.
        raise ValueError(f"catégories FINESS hors du référentiel : {', '.join(inconnues)}")
    return {code: CATEGORIES_FINESS[code] for code in categories}


def code_departement(code: str) -> str:
    """Accepte le code INSEE (58, 2A, 974) ou le code FINESS (9D) ; rend le code INSEE."""
    code = code.strip().upper()
    code = DEPARTEMENTS_OUTRE_MER.get(code, code)
    return code.zfill(2) if code.isdigit() else code


def departement_du_numero(nofinesset: str) -> str:
    """Les deux premiers caractères du numéro sont le département (97x outre-mer)."""
    return nofinesset[:3] if nofinesset.startswith("97") else nofinesset[:2]


@dataclass
class _Existant:
    """L'état de la base pour la source FINESS, chargé en quelques requêtes."""

    services: dict[str, tuple[int, int, str, str]]  # ET → (service, provenance, empreinte, cat.)
    lieux: dict[str, int]  # ET → lieu
    provenances_lieux: dict[str, int]  # ET → provenance
    structures: dict[str, tuple[int, str]]  # EJ → (structure, nom)
    typologies: dict[str, str]  # EJ → typologie de la structure (l'index la lit)
    provenances_structures: dict[str, tuple[int, str]]  # EJ → (provenance, empreinte)
    communes: set[str]
    besoins: dict[str, int]
    publics: dict[str, int]
    # Fiches qu'une personne a corrigées : peu nombreuses, elles passent par la porte des fiches
    # (repertoire.ecriture), qui garde les corrections ; les autres s'écrivent en masse.
    corrigees: dict[type, set[int]] = field(default_factory=dict)
    # EJ d'une structure fusionnée dans une autre (doublons) : ses ET vont à la structure
    # gardée, que le nom de cet EJ ne renomme pas (elle a le sien, choisi par le modérateur).
    ej_fusionnes: set[str] = field(default_factory=set)

    @classmethod
    def charger(cls) -> "_Existant":
        ct_lieu, ct_structure = (ContentType.objects.get_for_model(m) for m in (Lieu, Structure))
        services = Service.objects.filter(provenances__source=SOURCE).values_list(
            "provenances__identifiant",
            "id",
            "provenances__id",
            "provenances__empreinte",
            "categorie_finess",
        )
        provenances = Provenance.objects.filter(source=SOURCE)
        # Une structure fusionnée dans une autre : son EJ mène à la gardée.
        structures = list(
            Structure.objects.exclude(finess_ej="").values_list(
                "finess_ej",
                Coalesce("fusionnee_dans_id", "id"),
                Coalesce("fusionnee_dans__nom", "nom"),
                Coalesce("fusionnee_dans__typologie", "typologie"),
                "fusionnee_dans_id",
            )
        )
        return cls(
            services={et: reste for et, *reste in services},
            lieux=dict(Lieu.objects.exclude(finess_et="").values_list("finess_et", "id")),
            provenances_lieux=dict(
                provenances.filter(content_type=ct_lieu).values_list("identifiant", "id")
            ),
            structures={ej: (pk, nom) for ej, pk, nom, *_ in structures},
            typologies={ej: typologie for ej, _, _, typologie, _ in structures},
            provenances_structures={
                ej: (pk, empreinte)
                for ej, pk, empreinte in provenances.filter(content_type=ct_structure).values_list(
                    "identifiant", "id", "empreinte"
                )
            },
            communes=set(Commune.objects.values_list("code_insee", flat=True)),
            besoins=dict(Besoin.objects.values_list("slug", "id")),
            publics=dict(Public.objects.values_list("slug", "id")),
            corrigees={
                modele: set(modele.objects.exclude(champs_corriges={}).values_list("pk", flat=True))
                for modele in (Structure, Lieu, Service)
            },
            ej_fusionnes={ej for ej, *_, fusionnee_dans in structures if fusionnee_dans},
        )


def retirer_zones_inventees() -> int:
    """Retire la zone « tout le département » que les imports d'avant posaient sur chaque
    service à domicile de FINESS : FINESS ne publie aucune zone d'intervention, et cette zone
    inventée faisait « intervenir » partout des services à 70 km (issue 13). Une zone qu'une
    personne a posée ou corrigée (`champs_corriges` : « zones ») reste. Idempotent : la
    seconde fois, il n'y a plus rien à retirer ; les services touchés sont réindexés."""
    finess = Provenance.objects.filter(
        source=SOURCE, content_type=ContentType.objects.get_for_model(Service)
    ).values("object_id")
    inventees = ZoneIntervention.objects.filter(
        type=ZoneIntervention.Type.DEPARTEMENT, service_id__in=finess
    ).exclude(service__champs_corriges__has_key="zones")
    services = set(inventees.values_list("service_id", flat=True))
    if not services:
        return 0
    inventees.delete()
    indexer_services(sorted(services))
    return len(services)


_CONSEIL = " (synchroniser d'abord les référentiels)"
_RELATIONS = {
    Service.besoins.through: "besoins",
    Service.publics.through: "publics",
    Contact: "contacts",
}


_PUBLICS_DU_NOM = tuple((re.compile(motif), slug) for motif, slug in PUBLICS_DU_NOM_FINESS)


def publics_du_nom_finess(categorie: CategorieFiness, nom: str) -> tuple[str, ...]:
    """Les publics de la catégorie, et, pour un établissement qui sert les personnes
    handicapées, ceux que dit son nom (« SSEFIS » : handicap auditif)."""
    if "personnes-handicapees" not in categorie.publics:
        return categorie.publics
    majuscules = sans_accents(nom).upper()
    dits = [slug for motif, slug in _PUBLICS_DU_NOM if motif.search(majuscules)]
    return tuple(dict.fromkeys([*categorie.publics, *dits]))


def _verifier_referentiels(
    fichier: str, categories: dict[str, CategorieFiness], existant: _Existant
) -> list[ErreurImport]:
    erreurs = []
    for code, categorie in categories.items():
        for slug in categorie.besoins:
            if slug not in existant.besoins:
                raison = f"besoin « {slug} » de la catégorie {code} absent de la base{_CONSEIL}"
                erreurs.append(ErreurImport(fichier, None, "categetab", raison))
        for slug in categorie.publics:
            if slug not in existant.publics:
                raison = f"public « {slug} » de la catégorie {code} absent de la base{_CONSEIL}"
                erreurs.append(ErreurImport(fichier, None, "categetab", raison))
    return erreurs


def _empreinte(
    et: Etablissement, categorie: CategorieFiness, commune_connue: bool, nom_ej: str
) -> str:
    contenu = et.empreinte_source + repr(categorie).encode() + (b"1" if commune_connue else b"0")
    contenu += REGLES_NOMS + nom_ej.encode()
    return hashlib.sha256(contenu).hexdigest()


@dataclass
class RapportFiness(RapportImport):
    """Le rapport commun, plus ce que l'écriture par lots permet de dire à l'opérateur."""

    sans_geolocalisation: int = 0
    lots: int = 0
    zones_retirees: int = 0
    transaction_max: float = 0.0  # secondes, la plus longue transaction d'écriture
    pauses: float = 0.0  # secondes passées à laisser écrire le site entre deux lots
    conflits: list[Conflit] = field(default_factory=list)

    def resume(self) -> str:
        texte = super().resume()
        if self.conflits:
            texte += (
                f" {len(self.conflits)} champ(s) corrigé(s) à la main gardé(s) malgré FINESS "
                "(détail ci-dessous)."
            )
        if self.zones_retirees:
            texte += (
                f" {self.zones_retirees} service(s) à domicile n'ont plus la zone « tout le "
                "département » qu'un import précédent leur avait inventée (FINESS ne publie "
                "aucune zone d'intervention)."
            )
        if self.sans_geolocalisation:
            texte += (
                f" {self.sans_geolocalisation} ET sans ligne « geolocalisation » : coordonnées "
                "déjà connues gardées ; les ET qui n'en avaient pas restent hors de la carte et "
                "des recherches par distance."
            )
        if self.lots:
            texte += (
                f" Écrit en {self.lots} lot(s), transaction la plus longue "
                f"{self.transaction_max:.2f} s ; si l'écriture est interrompue, relancer la même "
                "commande la complète."
            )
        return texte


class ImportInterrompu(Exception):
    """L'écriture s'est arrêtée entre deux lots : les lots validés restent, relancer complète."""

    def __init__(self, ecrits: int, total: int, cause: BaseException) -> None:
        self.ecrits, self.total = ecrits, total
        # La cause est dite : une panne (disque, connexion) se règle par une relance, un
        # défaut des données ou du code non, et l'exploitant doit pouvoir les distinguer.
        super().__init__(
            f"écriture interrompue après {ecrits} lots sur {total}, chacun complet "
            f"(cause : {type(cause).__name__} : {cause}) ; une fois la cause réglée, relancer "
            "la même commande termine l'import (les lots déjà écrits sont reconnus inchangés)"
        )


def importer_finess(
    chemin: Path,
    *,
    departements: Collection[str] | None = None,
    categories: Collection[str] | None = None,
    dry_run: bool = False,
    accepter_baisse: bool = False,
    taille_lot: int = TAILLE_LOT_ECRITURE,
    progression: bool = False,
    raisons_sociales: Mapping[str, str] | None = None,
) -> RapportFiness:
    """Importe un stock FINESS ; idempotent, rien n'est écrit si le fichier a une erreur.

    `raisons_sociales` (EJ → nom, lu du stock des entités juridiques par
    `echanges.finess_ej.lire_entites_juridiques`) nomme les structures ; sans lui, une structure
    garde le nom que ce stock lui a donné, ou reçoit un nom neutre (`nom_neutre`).

    Par défaut, toutes les catégories du référentiel CATEGORIES_FINESS et tous les
    départements ; les lignes hors filtres comptent comme ignorées. Tout le fichier est validé
    avant la première écriture ; l'écriture se fait ensuite par lots de `taille_lot` ET, une
    transaction courte chacun, pour que le site reste utilisable pendant l'import.
    """
    retenues = _categories_retenues(categories)
    deps = {code_departement(d) for d in departements} if departements is not None else None

    def retenir(et: Etablissement) -> bool:
        return et.categorie in retenues and (deps is None or et.departement in deps)

    fichier = lire_fichier(chemin, retenir=retenir, progression=progression)
    a_importer = fichier.etablissements
    rapport = RapportFiness(lues=fichier.lignes_structureet, a_blanc=dry_run)
    rapport.ignorees = rapport.lues - len(a_importer)
    rapport.sans_geolocalisation = len(a_importer) - fichier.geolocalises
    perimetre = _perimetre(deps, categories)
    existant = _Existant.charger()
    utilisees = {et.categorie: retenues[et.categorie] for et in a_importer}
    erreurs = _verifier_referentiels(chemin.name, utilisees, existant)
    erreurs += _verifier_volume(chemin.name, fichier, perimetre, accepter_baisse)
    if erreurs:
        raise ErreursImport(erreurs)
    rapport.avertissements += _import_interrompu(chemin.name, perimetre)
    plan = _Plan.preparer(a_importer, raisons_sociales, retenues, existant, rapport)
    rapport.disparues = _disparues(existant, fichier, retenues, deps)
    if not dry_run:
        journal = ImportFiness.objects.create(
            fichier=chemin.name,
            date_fichier=fichier.date,
            perimetre=perimetre,
            etablissements=len(a_importer),
            geolocalises=fichier.geolocalises,
        )
        with cache_sqlite_agrandi():
            plan.ecrire(taille_lot=taille_lot, rapport=rapport, progression=progression)
        rapport.zones_retirees = retirer_zones_inventees()
        journal.fin = timezone.now()
        journal.save(update_fields=["fin"])
    return rapport


def _perimetre(deps: set[str] | None, categories: Collection[str] | None) -> str:
    """Ce qu'un import couvre, écrit de façon stable pour retrouver le précédent du même."""
    departements = ",".join(sorted(deps)) if deps is not None else "tous"
    codes = ",".join(sorted(set(categories))) if categories is not None else "référentiel"
    return f"départements={departements} ; catégories={codes}"


def _verifier_volume(
    fichier: str, lu: FichierFiness, perimetre: str, accepter_baisse: bool
) -> list[ErreurImport]:
    """Refuse un fichier qui porte bien moins d'ET, ou d'ET géolocalisés, que le dernier import
    terminé du même périmètre : c'est la signature d'un fichier tronqué à une fin de ligne, que
    rien d'autre ne trahit. Seuil SEUIL_BAISSE (docs/adr/0005-import-finess-en-production.md) ;
    une baisse réelle passe avec --accepter-baisse."""
    precedent = (
        ImportFiness.objects.filter(perimetre=perimetre, fin__isnull=False).order_by("-fin").first()
    )
    if precedent is None or accepter_baisse:
        return []
    erreurs = []
    comptes = (
        ("établissements", precedent.etablissements, len(lu.etablissements)),
        ("établissements géolocalisés", precedent.geolocalises, lu.geolocalises),
    )
    for quoi, attendus, trouves in comptes:
        if trouves < attendus * SEUIL_BAISSE:
            raison = (
                f"{attendus} {quoi} attendus (import du {precedent.fin:%d/%m/%Y}, "
                f"{precedent.fichier}), {trouves} trouvés, soit une baisse de "
                f"{round(100 * (1 - trouves / attendus))} % : fichier tronqué ? Si la baisse "
                "est réelle, relancer avec --accepter-baisse"
            )
            erreurs.append(ErreurImport(fichier, None, "", raison))
    return erreurs


def _import_interrompu(fichier: str, perimetre: str) -> list[ErreurImport]:
    """Un import du même périmètre commencé après le dernier terminé n'est pas allé au bout."""
    dernier = ImportFiness.objects.filter(perimetre=perimetre).order_by("-debut").first()
    if dernier is None or dernier.fin is not None:
        return []
    raison = (
        f"l'import de {dernier.fichier} commencé le {dernier.debut:%d/%m/%Y à %H:%M} a été "
        "interrompu ; celui-ci le complète"
    )
    return [ErreurImport(fichier, None, "", raison)]


def _disparues(
    existant: _Existant,
    fichier: FichierFiness,
    retenues: dict[str, CategorieFiness],
    deps: set[str] | None,
) -> list[str]:
    """ET en base, du périmètre, absents du fichier : signalés, jamais supprimés."""
    presents = fichier.presents
    return sorted(
        et
        for et, (*_, categorie) in existant.services.items()
        if et not in presents
        and categorie in retenues
        and (deps is None or departement_du_numero(et) in deps)
    )


@dataclass
class _Plan:
    """Ce qu'il faut créer et mettre à jour, calculé avant d'écrire."""

    existant: _Existant
    categories: dict[str, CategorieFiness]
    a_creer: list[Etablissement] = field(default_factory=list)
    a_mettre_a_jour: list[Etablissement] = field(default_factory=list)
    # EJ → (nom, empreinte de sa Provenance), à créer ou renommer
    structures: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates_en_texte: bool = field(default_factory=lambda: connection.vendor != "postgresql")
    conflits: list[Conflit] = field(default_factory=list)
    thesaurus: Thesaurus | None = None  # chargé au premier lot, pour tout l'import
    # Ce que le lot a écrit : ET dont le lieu est neuf, fiches à historiser (créées, modifiées),
    # services dont une structure renommée change le nom indexé.
    lieux_crees: set[str] = field(default_factory=set)
    creees: dict[type, list[int]] = field(default_factory=lambda: defaultdict(list))
    modifiees: dict[type, list[int]] = field(default_factory=lambda: defaultdict(list))
    structures_renommees: list[int] = field(default_factory=list)

    @classmethod
    def preparer(
        cls,
        etablissements: list[Etablissement],
        raisons_sociales: Mapping[str, str] | None,
        categories: dict[str, CategorieFiness],
        existant: _Existant,
        rapport: RapportImport,
    ) -> "_Plan":
        plan = cls(existant, categories)
        noms = {}  # EJ → (nom voulu, empreinte de sa Provenance)
        for ej in {et.nofinessej for et in etablissements}:
            actuel = existant.structures.get(ej)
            noms[ej] = nom_structure(
                ej,
                raisons_sociales,
                existant.provenances_structures.get(ej),
                actuel[1] if actuel else None,
            )
        ejs_touches = set()
        for et in etablissements:
            et.empreinte = _empreinte(
                et,
                categories[et.categorie],
                et.code_insee in existant.communes,
                noms[et.nofinessej][0],
            )
            connu = existant.services.get(et.nofinesset)
            if connu is None:
                plan.a_creer.append(et)
                rapport.creees += 1
            elif connu[2] != et.empreinte:
                plan.a_mettre_a_jour.append(et)
                rapport.mises_a_jour += 1
            else:
                rapport.inchangees += 1
                continue
            ejs_touches.add(et.nofinessej)
        for ej in ejs_touches:
            nom, empreinte = noms[ej]
            provenance = existant.provenances_structures.get(ej)
            renommee = provenance and provenance[1] != empreinte
            if ej not in existant.structures or (renommee and ej not in existant.ej_fusionnes):
                plan.structures[ej] = (nom, empreinte)
        return plan

    def ecrire(self, *, taille_lot: int, rapport: RapportFiness, progression: bool) -> None:
        """Un lot d'ET par transaction, chacun complet (structures, lieux, services, liens,
        provenances, index) : une transaction courte laisse passer les écritures du site entre
        deux lots (SQLite n'a qu'un écrivain à la fois). Une interruption laisse des lots
        entiers, que leur Provenance marque à jour : relancer l'import écrit les autres."""
        lots = list(par_lots(self.a_creer + self.a_mettre_a_jour, taille_lot))
        cadence = Cadence()
        for numero, lot in enumerate(tqdm(lots, disable=not progression, desc="Écriture")):
            if numero:
                cadence.entre_deux_lots()
            debut = time.perf_counter()
            try:
                with transaction.atomic():
                    self._ecrire_lot(lot, rapport)
            except (Exception, KeyboardInterrupt) as exc:
                raise ImportInterrompu(rapport.lots, len(lots), exc) from exc
            duree = time.perf_counter() - debut
            cadence.ecrit(duree)
            rapport.lots += 1
            rapport.transaction_max = max(rapport.transaction_max, duree)
        rapport.pauses = cadence.pauses

    def _ecrire_lot(self, lot: list[Etablissement], rapport: RapportFiness) -> None:
        existant = self.existant
        ejs = {et.nofinessej for et in lot}
        partiel = _Plan(
            existant,
            self.categories,
            a_creer=[et for et in lot if et.nofinesset not in existant.services],
            a_mettre_a_jour=[et for et in lot if et.nofinesset in existant.services],
            structures={ej: self.structures.pop(ej) for ej in ejs if ej in self.structures},
            dates_en_texte=self.dates_en_texte,
            thesaurus=self.thesaurus or Thesaurus.charger(),
        )
        self.thesaurus = partiel.thesaurus
        for etape in (
            partiel._structures,
            partiel._lieux,
            partiel._services,
            partiel._liens,
            partiel._historiser,
            partiel._indexer,
        ):
            etape()
        rapport.conflits += partiel.conflits

    def _hors_corrections(
        self,
        modele: type,
        fiches: list,
        champs: Sequence[str],
        liens_changes: Collection[int] = frozenset(),
    ) -> list:
        """Les fiches qu'une personne a corrigées passent par la porte des fiches, qui garde
        ses corrections et dit le conflit ; rend les autres, à écrire en masse. Une fiche dont
        seuls les liens tenus par FINESS changent (`liens_changes` : besoins, publics, téléphone
        d'accueil) change quand même de version, avec sa ligne d'historique."""
        corrigees = self.existant.corrigees.get(modele, set())
        par_la_porte = [fiche for fiche in fiches if fiche.pk in corrigees]
        if par_la_porte:
            changements = [
                Changement(
                    fiche,
                    {champ: getattr(fiche, champ) for champ in champs},
                    sous_fiches_modifiees=fiche.pk in liens_changes,
                )
                for fiche in par_la_porte
            ]
            ecrit = ecrire_fiches(changements=changements, auteur=Auteur(SOURCE), indexer=False)
            self.conflits += ecrit.conflits
        return [fiche for fiche in fiches if fiche.pk not in corrigees]

    def _historiser(self) -> None:
        """Une ligne d'historique par fiche créée ou changée, source « finess », copiée une
        fois fiches et liens écrits ; une fiche inchangée n'en a pas (ADR 0007). Les fiches
        corrigées à la main ont la leur, écrite par la porte."""
        auteur = Auteur(SOURCE)
        for modele in (Structure, Lieu, Service):
            historiser_en_masse(modele, self.creees[modele], auteur=auteur, creation=True)
            historiser_en_masse(modele, self.modifiees[modele], auteur=auteur, creation=False)

    def _indexer(self) -> None:
        """La recherche doit voir l'import dès sa validation, sans réindexation manuelle.

        Un service créé avec son lieu est indexé de ce que l'import vient d'écrire, sans
        relecture ; les autres (mis à jour : un agent a pu ajouter lieux, zones, description ;
        ou rattachés à un lieu déjà connu) et ceux d'une structure renommée sont relus."""
        existant = self.existant
        tenues = [
            self._fiche_a_indexer(et) for et in self.a_creer if et.nofinesset in self.lieux_crees
        ]
        indexer_fiches(tenues, thesaurus=self.thesaurus, neuves=True)
        tenus = {fiche.service_id for fiche in tenues}
        relus = {existant.services[et.nofinesset][0] for et in self.a_creer + self.a_mettre_a_jour}
        if self.structures_renommees:
            relus.update(
                Service.objects.filter(structure_id__in=self.structures_renommees).values_list(
                    "pk", flat=True
                )
            )
        indexer_services(relus - tenus)

    def _fiche_a_indexer(self, et: Etablissement) -> FicheAIndexer:
        """Le service tel que `_services`, `_lieux` et `_liens` viennent de l'écrire."""
        existant, categorie = self.existant, self.categories[et.categorie]
        _, structure_nom = existant.structures[et.nofinessej]
        geolocalise = et.latitude is not None and et.longitude is not None
        return FicheAIndexer(
            service_id=existant.services[et.nofinesset][0],
            nom=et.nom,
            structure_nom=structure_nom,
            structure_typologie=existant.typologies[et.nofinessej],
            categorie_finess=et.categorie,
            accueil_sur_place=categorie.accueil_sur_place,
            accueil_a_domicile=categorie.accueil_a_domicile,
            modes_acces=list(categorie.modes_acces),
            besoins=[existant.besoins[slug] for slug in categorie.besoins],
            publics=[existant.publics[slug] for slug in publics_du_nom_finess(categorie, et.nom)],
            zones=[],  # FINESS ne dit pas de zone d'intervention (voir `retirer_zones_inventees`)
            points=[(existant.lieux[et.nofinesset], et.latitude, et.longitude)]
            if geolocalise
            else [],
        )

    def _structures(self) -> None:
        existant, maintenant = self.existant, timezone.now()
        nouvelles = [
            (ej, nom[:150])
            for ej, (nom, _) in self.structures.items()
            if ej not in existant.structures
        ]
        # Une structure que FINESS renommerait du nom qu'elle porte déjà ne change pas.
        renommees = [
            Structure(
                pk=existant.structures[ej][0],
                nom=nom[:150],
                finess_ej=ej,
                version=F("version") + 1,
                modifie_le=maintenant,
            )
            for ej, (nom, _) in self.structures.items()
            if ej in existant.structures and existant.structures[ej][1] != nom[:150]
        ]
        cles = reserver_cles(Structure, len(nouvelles))
        inserer(
            Structure,
            ("id", "nom", "finess_ej", "typologie"),
            [
                (cle, nom, ej, Structure.Typologie.GESTIONNAIRE.value)
                for cle, (ej, nom) in zip(cles, nouvelles, strict=True)
            ],
        )
        existant.structures.update(
            (ej, (cle, nom)) for cle, (ej, nom) in zip(cles, nouvelles, strict=True)
        )
        existant.typologies.update(
            (ej, Structure.Typologie.GESTIONNAIRE.value) for ej, _ in nouvelles
        )
        self.creees[Structure] += cles
        en_masse = self._hors_corrections(Structure, renommees, ["nom"])
        Structure.objects.bulk_update(en_masse, ["nom", "version", "modifie_le"], TAILLE_LOT)
        self.modifiees[Structure] += [structure.pk for structure in en_masse]
        # La porte a rendu aux fiches corrigées leur état enregistré : l'index lira ce nom-là.
        existant.structures.update((s.finess_ej, (s.pk, s.nom)) for s in renommees)
        self.structures_renommees += [structure.pk for structure in renommees]
        self._provenances(
            Structure,
            [
                (ej, existant.structures[ej][0], empreinte, None)
                for ej, (_, empreinte) in self.structures.items()
            ],
            {
                ej: existant.provenances_structures[ej][0]
                for ej in self.structures
                if ej in existant.provenances_structures
            },
        )

    def _lieux(self) -> None:
        existant, maintenant = self.existant, timezone.now()
        a_ecrire = self.a_creer + self.a_mettre_a_jour
        nouveaux = [et for et in a_ecrire if et.nofinesset not in existant.lieux]
        # Sans ligne geolocalisation, la source ne dit rien des coordonnées : on garde les nôtres.
        geolocalises = {existant.lieux.get(et.nofinesset) for et in a_ecrire if et.geolocalise}
        voulus = {
            existant.lieux[et.nofinesset]: self._lieu(et, adapter=False)
            for et in a_ecrire
            if et.nofinesset in existant.lieux
        }
        for pk, valeurs in voulus.items():
            if pk not in geolocalises:
                del valeurs["latitude"], valeurs["longitude"]
        changes = changees_en_masse(Lieu, voulus)
        modifies = [
            Lieu(pk=pk, version=F("version") + 1, modifie_le=maintenant, **valeurs)
            for pk, valeurs in voulus.items()
            if pk in changes
        ]
        sans_coordonnees = [lieu for lieu in modifies if lieu.pk not in geolocalises]
        modifies = [lieu for lieu in modifies if lieu.pk in geolocalises]
        cles = reserver_cles(Lieu, len(nouveaux))
        inserer(
            Lieu,
            ("id", "finess_et", *_CHAMPS_LIEU),
            [
                (cle, et.nofinesset, *self._lieu(et, adapter=True).values())
                for cle, et in zip(cles, nouveaux, strict=True)
            ],
        )
        existant.lieux.update((et.nofinesset, cle) for cle, et in zip(cles, nouveaux, strict=True))
        self.lieux_crees.update(et.nofinesset for et in nouveaux)
        self.creees[Lieu] += cles
        modifies = self._hors_corrections(Lieu, modifies, _CHAMPS_LIEU)
        Lieu.objects.bulk_update(modifies, [*_CHAMPS_LIEU, "version", "modifie_le"], TAILLE_LOT)
        champs = [c for c in _CHAMPS_LIEU if c not in ("latitude", "longitude")]
        sans_coordonnees = self._hors_corrections(Lieu, sans_coordonnees, champs)
        Lieu.objects.bulk_update(sans_coordonnees, [*champs, "version", "modifie_le"], TAILLE_LOT)
        self.modifiees[Lieu] += [lieu.pk for lieu in modifies + sans_coordonnees]
        self._provenances(
            Lieu,
            [
                (et.nofinesset, existant.lieux[et.nofinesset], et.empreinte, et.datemaj)
                for et in a_ecrire
            ],
            existant.provenances_lieux,
        )

    def _lieu(self, et: Etablissement, *, adapter: bool) -> dict:
        """Les champs d'un lieu tenus par FINESS ; adaptés pour un INSERT brut si demandé."""
        return {
            "structure_id": self.existant.structures[et.nofinessej][0],
            "nom": et.nom,
            "adresse": et.adresse,
            "complement_adresse": et.complement_adresse,
            "code_postal": et.code_postal,
            "commune_id": et.code_insee if et.code_insee in self.existant.communes else None,
            "latitude": et.latitude,
            "longitude": et.longitude,
        }

    def _services(self) -> None:
        existant, maintenant = self.existant, timezone.now()
        # Les provenances de ce lot seulement : tout le dict à chaque lot rendait l'import
        # quadratique (1,4 s sur 28 000 ET, 16 s sur 95 000).
        anciennes = {
            et.nofinesset: existant.services[et.nofinesset][1] for et in self.a_mettre_a_jour
        }
        cles = reserver_cles(Service, len(self.a_creer))
        inserer(
            Service,
            ("id", "statut", *_CHAMPS_SERVICE),
            [
                (cle, Service.Statut.PUBLIE.value, *self._service(et, adapter=True).values())
                for cle, et in zip(cles, self.a_creer, strict=True)
            ],
        )
        for cle, et in zip(cles, self.a_creer, strict=True):
            existant.services[et.nofinesset] = (cle, 0, "", et.categorie)
        self.creees[Service] += cles
        voulus = {
            existant.services[et.nofinesset][0]: self._service(et, adapter=False)
            for et in self.a_mettre_a_jour
        }
        liens_changes = self._liens_changes()
        changes = changees_en_masse(Service, voulus) | liens_changes
        modifies = [
            Service(pk=pk, version=F("version") + 1, modifie_le=maintenant, **valeurs)
            for pk, valeurs in voulus.items()
            if pk in changes
        ]
        modifies = self._hors_corrections(Service, modifies, _CHAMPS_SERVICE, liens_changes)
        Service.objects.bulk_update(
            modifies, [*_CHAMPS_SERVICE, "version", "modifie_le"], TAILLE_LOT
        )
        self.modifiees[Service] += [service.pk for service in modifies]
        self._provenances(
            Service,
            [
                (et.nofinesset, existant.services[et.nofinesset][0], et.empreinte, et.datemaj)
                for et in self.a_creer + self.a_mettre_a_jour
            ],
            anciennes,
        )

    def _liens_changes(self) -> set[int]:
        """Les services mis à jour dont besoins, publics ou téléphone d'accueil (tenus par
        FINESS, réécrits par `_liens`) changent : ils changent de version comme d'un champ."""
        existant = self.existant
        voulus = {}
        for et in self.a_mettre_a_jour:
            categorie = self.categories[et.categorie]
            voulus[existant.services[et.nofinesset][0]] = (
                {existant.besoins[slug] for slug in categorie.besoins},
                {existant.publics[slug] for slug in publics_du_nom_finess(categorie, et.nom)},
                {et.telephone} if et.telephone else set(),
            )
        actuels: dict[int, tuple[set, set, set]] = {pk: (set(), set(), set()) for pk in voulus}
        for lot in par_lots(list(voulus), TAILLE_LOT):
            for rang, requete in enumerate(
                (
                    Service.besoins.through.objects.filter(service_id__in=lot).values_list(
                        "service_id", "besoin_id"
                    ),
                    Service.publics.through.objects.filter(service_id__in=lot).values_list(
                        "service_id", "public_id"
                    ),
                    Contact.objects.filter(service_id__in=lot, libelle=LIBELLE_CONTACT).values_list(
                        "service_id", "telephone"
                    ),
                )
            ):
                for service, valeur in requete:
                    actuels[service][rang].add(valeur)
        return {pk for pk, attendus in voulus.items() if attendus != actuels[pk]}

    def _service(self, et: Etablissement, *, adapter: bool) -> dict:
        """Les champs qu'une catégorie FINESS fixe ; adaptés pour un INSERT brut si demandé."""
        categorie = self.categories[et.categorie]
        modes_acces = list(categorie.modes_acces)
        return {
            "structure_id": self.existant.structures[et.nofinessej][0],
            "nom": et.nom,
            "nature": categorie.nature,
            "accueil_sur_place": categorie.accueil_sur_place,
            "accueil_a_domicile": categorie.accueil_a_domicile,
            "modes_acces": _MODES_ACCES.get_db_prep_save(modes_acces, connection)
            if adapter
            else modes_acces,
            "age_min": categorie.age_min,
            "age_max": categorie.age_max,
            "frais": categorie.frais,
            "categorie_finess": et.categorie,
        }

    def _date(self, date: dt.date | None) -> str | dt.date | None:
        return _date_en_base(date, en_texte=self.dates_en_texte)

    def _liens(self) -> None:
        """Lieux, besoins, publics, zone et contact d'accueil, écrits dans les tables de liaison.

        Besoins, publics et contact d'accueil viennent de FINESS : ils sont remplacés quand
        l'ET change. Le lien au lieu est ajouté s'il manque. Aucune zone d'intervention :
        FINESS n'en publie pas, un service à domicile est à son adresse et le rayon s'applique.
        """
        existant = self.existant
        modifies = [existant.services[et.nofinesset][0] for et in self.a_mettre_a_jour]
        gardes = self._liens_corriges(modifies)
        for lot in par_lots(modifies, TAILLE_LOT):
            for relation, filtre in (
                (Service.besoins.through.objects, {}),
                (Service.publics.through.objects, {}),
                (Contact.objects, {"libelle": LIBELLE_CONTACT}),
            ):
                nom = _RELATIONS[relation.model]
                a_remplacer = [pk for pk in lot if pk not in gardes[nom]]
                relation.filter(service_id__in=a_remplacer, **filtre).delete()
        lieux, besoins, publics, contacts = [], [], [], []
        for et in self.a_creer + self.a_mettre_a_jour:
            service = existant.services[et.nofinesset][0]
            categorie = self.categories[et.categorie]
            lieux.append((service, existant.lieux[et.nofinesset]))
            if service not in gardes["besoins"]:
                besoins += [(service, existant.besoins[slug]) for slug in categorie.besoins]
            if service not in gardes["publics"]:
                publics += [
                    (service, existant.publics[slug])
                    for slug in publics_du_nom_finess(categorie, et.nom)
                ]
            if et.telephone and service not in gardes["contacts"]:
                contacts.append((service, LIBELLE_CONTACT, et.telephone))
        inserer(Service.lieux.through, ("service_id", "lieu_id"), lieux, sans_conflit=True)
        inserer(Service.besoins.through, ("service_id", "besoin_id"), besoins)
        inserer(Service.publics.through, ("service_id", "public_id"), publics)
        inserer(Contact, ("service_id", "libelle", "telephone"), contacts)

    def _liens_corriges(self, modifies: list[int]) -> dict[str, set[int]]:
        """Les services dont une personne a corrigé besoins, publics ou contacts (la porte le
        note dans `champs_corriges`) : FINESS ne les remplace plus, comme un champ corrigé."""
        corriges = [pk for pk in modifies if pk in self.existant.corrigees[Service]]
        gardes: dict[str, set[int]] = {nom: set() for nom in _RELATIONS.values()}
        for lot in par_lots(corriges, TAILLE_LOT):
            for pk, champs in Service.objects.filter(pk__in=lot).values_list(
                "pk", "champs_corriges"
            ):
                for nom in gardes.keys() & champs.keys():
                    gardes[nom].add(pk)
        return gardes

    def _provenances(
        self,
        modele: type[models.Model],
        elements: list[tuple[str, int, str, dt.date | None]],
        anciennes: dict[str, int],
    ) -> None:
        """Crée ou met à jour une Provenance par (identifiant, objet, empreinte, date source)."""
        content_type = ContentType.objects.get_for_model(modele).pk
        inserer(
            Provenance,
            (
                "content_type_id",
                "source",
                "identifiant",
                "object_id",
                "empreinte",
                "date_maj_source",
            ),
            [
                (content_type, SOURCE, identifiant, objet, empreinte, self._date(date))
                for identifiant, objet, empreinte, date in elements
                if not anciennes.get(identifiant)
            ],
        )
        maintenant = timezone.now()
        modifiees = [
            Provenance(
                pk=anciennes[identifiant],
                object_id=objet,
                empreinte=empreinte,
                date_maj_source=date,
                date_import=maintenant,
            )
            for identifiant, objet, empreinte, date in elements
            if anciennes.get(identifiant)
        ]
        Provenance.objects.bulk_update(
            modifiees, ["object_id", "empreinte", "date_maj_source", "date_import"], TAILLE_LOT
        )


_CHAMPS_LIEU = [
    "structure_id", "nom", "adresse", "complement_adresse", "code_postal", "commune_id",
    "latitude", "longitude",
]  # fmt: skip
# La date « datemaj » de FINESS est une date de mise à jour du fichier, pas une vérification :
# elle va dans `Provenance.date_maj_source` (« mis à jour dans FINESS le … »), jamais dans
# `date_verification` (issue 11).
_CHAMPS_SERVICE = [
    "structure_id", "nom", "nature", "accueil_sur_place", "accueil_a_domicile", "modes_acces",
    "age_min", "age_max", "frais", "categorie_finess",
]  # fmt: skip
_MODES_ACCES = Service._meta.get_field("modes_acces")


def _date_en_base(date: dt.date | None, *, en_texte: bool) -> str | dt.date | None:
    """SQLite range les dates en texte ISO ; PostgreSQL reçoit l'objet date."""
    return date.isoformat() if en_texte and date is not None else date


def _hash(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()
