"""Ce que partagent les imports : erreurs nommées en français, rapport de comptes, lecture
d'un fichier texte en UTF-8 strict, bornes d'un classeur XLSX.

Un import valide tout avant d'écrire ; la moindre erreur lève ErreursImport et rien n'est écrit.
Il écrit ensuite par lots courts (`par_lots`, `entre_deux_lots`), chacun dans sa transaction,
pour que le site reste utilisable pendant l'import ; idempotent, il se complète par une relance.
"""

import codecs
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from django.db import connection

T = TypeVar("T")
# Au-delà du plus long intervalle de réessai d'un écrivain SQLite qui attend le verrou.
PAUSE_ENTRE_LOTS = 0.1
# Écriture enchaînée au plus sans pause : un écrivain du site attend au plus cela, plus un lot.
ECRITURE_SANS_PAUSE = 0.5


@dataclass(frozen=True)
class ErreurImport:
    fichier: str
    ligne: int | None
    champ: str
    raison: str

    def __str__(self) -> str:
        ou = f"ligne {self.ligne}" if self.ligne is not None else "fichier"
        champ = f", champ « {self.champ} »" if self.champ else ""
        return f"{self.fichier}, {ou}{champ} : {self.raison}"


class ErreursImport(Exception):
    """Levée quand le fichier contient au moins une erreur ; porte toutes celles trouvées."""

    def __init__(self, erreurs: list[ErreurImport]):
        self.erreurs = erreurs
        super().__init__("\n".join(str(e) for e in erreurs))


@dataclass
class RapportImport:
    lues: int = 0
    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    ignorees: int = 0
    disparues: list[str] = field(default_factory=list)
    avertissements: list[ErreurImport] = field(default_factory=list)
    a_blanc: bool = False

    def resume(self) -> str:
        prefixe = "Simulation (--dry-run), rien n'a été écrit. " if self.a_blanc else ""
        return (
            f"{prefixe}{self.lues} lignes lues : {self.creees} créées, "
            f"{self.mises_a_jour} mises à jour, {self.inchangees} inchangées, "
            f"{self.ignorees} ignorées (hors filtres), "
            f"{len(self.disparues)} disparues de la source."
        )


# --- Fichiers texte : UTF-8 strict ------------------------------------------------------------

CONSEIL_CSV = "enregistrez le fichier en « CSV UTF-8 » depuis votre tableur"
CONSEIL_TEXTE = "enregistrez le fichier en UTF-8 depuis votre éditeur"
BOMS_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # couvrent aussi UTF-32 LE


def _refus_encodage(chemin: Path, ligne: int | None, constat: str, conseil: str) -> ErreursImport:
    raison = f"{constat} ; UTF-8 attendu : {conseil}"
    return ErreursImport([ErreurImport(chemin.name, ligne, "", raison)])


def _octet_illisible(brute: bytes, erreur: UnicodeDecodeError) -> str:
    """Nomme l'octet fautif, sa place et ce qu'il serait en Windows-1252 (le piège courant :
    « CSV (séparateur point-virgule) » d'Excel sous Windows écrit en Windows-1252)."""
    octet = brute[erreur.start : erreur.start + 1]
    colonne = len(brute[: erreur.start].decode("utf-8", "replace")) + 1
    en_cp1252 = octet.decode("cp1252", "replace")
    return (
        f"l'octet 0x{octet.hex().upper()} (caractère {colonne}, « {en_cp1252} » en "
        "Windows-1252) n'est pas de l'UTF-8"
    )


def _ouvrir(chemin: Path) -> BinaryIO:
    try:
        return chemin.open("rb")
    except OSError as erreur:
        raison = f"fichier introuvable ou illisible ({erreur.strerror})"
        raise ErreursImport([ErreurImport(chemin.name, None, "", raison)]) from None


def lignes_utf8(chemin: Path, *, conseil: str = CONSEIL_CSV) -> Iterator[str]:
    """Les lignes d'un fichier d'import, fins de ligne comprises (comme `newline=""`).

    UTF-8 strict, BOM toléré : un fichier UTF-16 (BOM ou octets nuls) ou un octet qui n'est pas
    de l'UTF-8 (Windows-1252, ISO-8859-1) lève ErreursImport avec la ligne et l'encodage
    attendu, au lieu d'une trace Python ou d'accents silencieusement abîmés. Un saut de ligne
    (0x0A) ne fait jamais partie d'un caractère UTF-8 : découper en octets puis décoder est sûr.
    """
    with _ouvrir(chemin) as flux:
        for numero, brute in enumerate(flux, start=1):
            if numero == 1:
                if brute.startswith(BOMS_UTF16):
                    raise _refus_encodage(chemin, None, "fichier en UTF-16", conseil)
                brute = brute.removeprefix(codecs.BOM_UTF8)
            if b"\0" in brute:
                constat = "octet nul : fichier UTF-16 sans BOM, ou pas un fichier texte"
                raise _refus_encodage(chemin, numero, constat, conseil)
            yield _decoder_ligne(chemin, numero, brute, conseil)


def _decoder_ligne(chemin: Path, numero: int, brute: bytes, conseil: str) -> str:
    try:
        return brute.decode("utf-8")
    except UnicodeDecodeError as erreur:
        raise _refus_encodage(chemin, numero, _octet_illisible(brute, erreur), conseil) from None


def lire_utf8(chemin: Path, *, conseil: str = CONSEIL_TEXTE) -> str:
    """Tout le fichier, avec les mêmes refus que `lignes_utf8`."""
    return "".join(lignes_utf8(chemin, conseil=conseil))


# --- Classeurs XLSX : bornes avant décompression ----------------------------------------------


@dataclass(frozen=True)
class LimitesClasseur:
    """Ce qu'un classeur d'import peut contenir ; au-delà, on refuse sans rien décompresser.

    100 Mo décompressés : 50 000 lignes × 30 colonnes de textes variés font ~80 Mo de XML
    (mesuré avec openpyxl) ; c'est déjà plus que tout envoi d'un producteur. Taux de
    compression : une feuille réelle se comprime de 5 à 25 fois, une suite de zéros ~1 000
    fois ; on refuse au-delà de 100 sur un membre de plus de 1 Mo (un petit membre, styles ou
    relations, peut se comprimer très fort sans danger). Un XLSX a quelques dizaines de
    membres (42 pour le classeur du valideur data·inclusion, 11 feuilles).
    """

    octets: int = 100 * 2**20
    taux: int = 100
    taille_taux: int = 2**20
    membres: int = 1000
    lignes: int = 50_000
    colonnes: int = 100


LIMITES_CLASSEUR = LimitesClasseur()


def _refus_classeur(chemin: Path, raison: str) -> ErreursImport:
    return ErreursImport([ErreurImport(chemin.name, None, "", raison)])


def _exces(membres: list[zipfile.ZipInfo], limites: LimitesClasseur) -> str:
    """Raison du refus, vide si le classeur reste dans les bornes."""
    if len(membres) > limites.membres:
        return f"{len(membres)} fichiers dans l'archive (au plus {limites.membres})"
    total = sum(m.file_size for m in membres)
    if total > limites.octets:
        return f"{total // 2**20} Mo une fois décompressé (au plus {limites.octets // 2**20} Mo)"
    for m in membres:
        if m.file_size > limites.taille_taux and m.file_size > limites.taux * m.compress_size:
            taux = m.file_size // max(m.compress_size, 1)
            return f"« {m.filename} » se décompresse {taux} fois (au plus {limites.taux} fois)"
    return ""


def verifier_classeur(chemin: Path, limites: LimitesClasseur = LIMITES_CLASSEUR) -> None:
    """Refuse un XLSX qui se dilaterait démesurément (« bombe zip ») avant de l'ouvrir.

    Seul le répertoire central de l'archive est lu. Les tailles qu'il déclare font foi : le
    module zipfile, dont se sert openpyxl, s'arrête à la taille déclarée de chaque membre.
    """
    try:
        with zipfile.ZipFile(chemin) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise _refus_classeur(chemin, "classeur illisible : pas un fichier XLSX") from None
    if raison := _exces(membres, limites):
        raise _refus_classeur(chemin, f"classeur refusé, trop volumineux : {raison}")


def lignes_feuille(
    feuille: Any, fichier: str, limites: LimitesClasseur = LIMITES_CLASSEUR
) -> Iterator[tuple]:
    """Les valeurs d'une feuille openpyxl, ligne à ligne, bornées en lignes et en colonnes.

    Une feuille plus grande est refusée plutôt que tronquée en silence ; la lecture s'arrête
    à la première ligne de trop (openpyxl ne lit pas au-delà de `max_row`).
    """
    for numero, valeurs in enumerate(
        feuille.iter_rows(
            values_only=True, max_row=limites.lignes + 1, max_col=limites.colonnes + 1
        ),
        start=1,
    ):
        if numero > limites.lignes:
            raison = f"plus de {limites.lignes} lignes : découpez le classeur"
            raise ErreursImport([ErreurImport(fichier, None, "", raison)])
        if len(valeurs) > limites.colonnes and valeurs[limites.colonnes] is not None:
            raison = f"plus de {limites.colonnes} colonnes"
            raise ErreursImport([ErreurImport(fichier, numero, "", raison)])
        yield valeurs[: limites.colonnes]


def par_lots(objets: Iterable[T], taille: int) -> Iterator[list[T]]:
    lot: list[T] = []
    for objet in objets:
        lot.append(objet)
        if len(lot) == taille:
            yield lot
            lot = []
    if lot:
        yield lot


def entre_deux_lots() -> None:
    """SQLite : un écrivain qui attend le verrou ne réessaie qu'à intervalles croissants,
    jusqu'à 100 ms ; sans pause, l'import reprend le verrou dès sa validation et l'affame
    (mesuré sur FINESS : 5 s d'attente et des « database is locked » malgré des lots de
    moins d'une seconde, voir docs/adr/0005-import-finess-en-production.md)."""
    if connection.vendor == "sqlite":
        time.sleep(PAUSE_ENTRE_LOTS)


class Cadence:
    """Les pauses d'un import qui écrit par lots : une pause de PAUSE_ENTRE_LOTS dès que les
    lots écrits depuis la dernière ont tenu le verrou `ecriture_sans_pause` secondes.

    Une pause après chaque lot coûtait 19 s sur 95 000 ET FINESS, quand l'écriture
    elle-même est devenue plus rapide que ces pauses ; espacées ainsi, elles pèsent au plus
    PAUSE_ENTRE_LOTS / ecriture_sans_pause du temps d'écriture (20 %), et un écrivain du site
    attend au plus `ecriture_sans_pause` plus la durée d'un lot (docs/adr/0005).
    """

    def __init__(self, ecriture_sans_pause: float | None = None) -> None:
        self.ecriture_sans_pause = (
            ECRITURE_SANS_PAUSE if ecriture_sans_pause is None else ecriture_sans_pause
        )
        self.depuis_la_pause = 0.0
        self.pauses = 0.0  # secondes passées en pause

    def ecrit(self, duree: float) -> None:
        self.depuis_la_pause += duree

    def entre_deux_lots(self) -> None:
        if self.depuis_la_pause < self.ecriture_sans_pause:
            return
        debut = time.perf_counter()
        entre_deux_lots()
        self.pauses += time.perf_counter() - debut
        self.depuis_la_pause = 0.0
