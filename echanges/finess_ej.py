"""Lecture du stock FINESS des entités juridiques (« etalab-cs1100501-stock-AAAAMMJJ-HHMM.csv »).

Le stock des établissements ne nomme pas leur gestionnaire : seul ce fichier porte la raison
sociale de chaque entité juridique (EJ). Disposition publiée : une ligne de métadonnées
`finess;etalab;<n>;<date>`, puis une ligne `structureej` par EJ, séparée par des `;` :
structureej, nofinessej, rs, rslongue, complrs, adresse…, telephone, statutjuridique… Seuls le
numéro et les deux raisons sociales sont lus ; le reste de la ligne n'est pas contrôlé.

Tout le fichier est validé avant d'être rendu : la moindre erreur lève ErreursImport, avec le
fichier, la ligne, le champ et la raison, et l'import FINESS n'écrit rien (ADR 0014).
"""

from pathlib import Path

from core.imports import ErreurImport, ErreursImport
from echanges.finess import ERREURS_MAX, decoder_guillemets, numero_finess_valide

ENREGISTREMENT = "structureej"
CHAMPS_LUS = 4  # structureej, nofinessej, rs, rslongue


def _encodage(chemin: Path) -> str:
    """UTF-8 si tout le fichier en est, sinon ISO-8859-1 (la règle du stock des ET)."""
    try:
        with chemin.open(encoding="utf-8") as fichier:
            for _ in fichier:
                pass
    except UnicodeDecodeError:
        return "iso-8859-1"
    return "utf-8-sig"


def lire_entites_juridiques(chemin: Path) -> dict[str, str]:
    """EJ → raison sociale (la longue, sinon la courte), guillemets décodés."""
    raisons: dict[str, str] = {}
    lignes: dict[str, int] = {}
    erreurs: list[ErreurImport] = []

    def erreur(numero: int, champ: str, raison: str) -> None:
        erreurs.append(ErreurImport(chemin.name, numero, champ, raison))

    with chemin.open(encoding=_encodage(chemin), newline="") as fichier:
        for numero, texte in enumerate(fichier, start=1):
            if len(erreurs) >= ERREURS_MAX:
                break
            champs = texte.rstrip("\r\n").split(";")
            if not texte.strip() or (numero == 1 and champs[0] == "finess"):
                continue
            if champs[0] != ENREGISTREMENT:
                raison = f"type d'enregistrement « {champs[0][:30]} » au lieu de « structureej »"
                erreur(numero, "", f"{raison} : est-ce bien le stock des entités juridiques ?")
                continue
            if len(champs) < CHAMPS_LUS:
                erreur(numero, "", f"{len(champs)} champs, au moins {CHAMPS_LUS} attendus")
                continue
            ej = champs[1].strip()
            nom = decoder_guillemets(champs[3] or champs[2])
            if not numero_finess_valide(ej):
                erreur(numero, "nofinessej", f"numéro FINESS invalide « {ej} »")
            elif ej in lignes:
                erreur(numero, "nofinessej", f"entité {ej} déjà décrite ligne {lignes[ej]}")
            elif not nom:
                erreur(numero, "rs", "raison sociale vide")
            else:
                raisons[ej], lignes[ej] = nom, numero
    if not erreurs and not raisons:
        erreurs.append(ErreurImport(chemin.name, None, "", "aucune entité juridique"))
    if erreurs:
        raise ErreursImport(erreurs)
    return raisons
