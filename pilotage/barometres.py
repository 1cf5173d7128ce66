"""Import des baromètres publiés (Etalab, DITP) et des cibles ; contrôle des taux publiés.

Pièges traités : `0.0` signifie « valeur manquante » pour un délai (un délai nul n'existe
pas) mais reste un vrai taux d'avancement ; la date d'un trimestre est le premier (DITP) ou
le dernier (Etalab) jour de son dernier mois ; les codes de territoire ont plusieurs formes
(voir `pilotage.codes`).
"""

import contextlib
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.imports import ErreurImport, ErreursImport, RapportImport, lignes_utf8
from pilotage.codes import normaliser_territoire
from pilotage.indicateurs import taux_avancement, trimestre_de
from pilotage.models import Cible, Indicateur, Maille, Sens, ValeurBarometre

COLONNES_DITP = {
    "indic_id",
    "enforce_zone_id",
    "metric_enforce_date",
    "maille",
    "indic_vi",
    "indic_va",
    "indic_vc",
    "indic_ta",
}


@dataclass
class _Valeur:
    indicateur: str
    maille: str
    territoire: str
    date: dt.date
    vi: float | None = None
    va: float | None = None
    vc: float | None = None
    ta: float | None = None


def date_de_trimestre(brut: str) -> dt.date:
    """Date publiée d'un trimestre : un jour du dernier mois du trimestre (1er ou dernier)."""
    date = dt.date.fromisoformat(brut.strip())
    if date.month % 3:
        raise ValueError(f"« {brut} » n'est pas dans le dernier mois d'un trimestre")
    return date


def _nombre(brut: str | None, *, zero_manquant: bool) -> float | None:
    """Nombre publié ; vide → None ; 0.0 → None pour une valeur de délai."""
    if brut is None or not brut.strip():
        return None
    valeur = float(brut.replace(",", "."))
    return None if zero_manquant and valeur == 0 else valeur


class _Lecteur:
    def __init__(self, fichier: str):
        self.fichier = fichier
        self.erreurs: list[ErreurImport] = []
        self.ignorees = 0

    def lire_ligne(self, n: int, ligne: dict, indicateur: str) -> _Valeur | None:
        """Une ligne Etalab (code_departement | maille, date, valeur) ou DITP."""
        ditp = "indic_id" in ligne
        code = ligne["enforce_zone_id"] if ditp else ligne.get("code_departement") or "FRANCE"
        champ_code = "enforce_zone_id" if ditp else "code_departement"
        champ_date = "metric_enforce_date" if ditp else "date"
        champs = ("indic_vi", "indic_va", "indic_vc", "indic_ta") if ditp else (_col_valeur(ligne),)
        if all(not (ligne[c] or "").strip() for c in champs):
            self.ignorees += 1  # ligne vide publiée (DITP : zone sans date ni valeur)
            return None
        try:
            maille, territoire = normaliser_territoire(
                code, maille=ligne.get("maille", "") if ditp else ""
            )
        except ValueError as e:
            return self._erreur(n, champ_code, str(e))
        try:
            date = date_de_trimestre(ligne[champ_date])
        except ValueError as e:
            return self._erreur(n, champ_date, str(e))
        valeur = _Valeur(
            ligne["indic_id"].strip() if ditp else indicateur, maille, territoire, date
        )
        for champ in champs:
            try:
                nombre = _nombre(ligne[champ], zero_manquant=champ != "indic_ta")
            except ValueError:
                return self._erreur(n, champ, f"nombre illisible « {ligne[champ]} »")
            setattr(
                valeur,
                {"indic_vi": "vi", "indic_vc": "vc", "indic_ta": "ta"}.get(champ, "va"),
                nombre,
            )
        if all(getattr(valeur, a) is None for a in ("vi", "va", "vc", "ta")):
            self.ignorees += 1  # 0.0 : valeur manquante
            return None
        return valeur

    def _erreur(self, n: int, champ: str, raison: str) -> None:
        self.erreurs.append(ErreurImport(self.fichier, n, champ, raison))


def _col_valeur(ligne: dict) -> str:
    return "valeur_mois" if "valeur_mois" in ligne else "valeur"


def _lire(chemin: Path, indicateur: str) -> tuple[list[_Valeur], int]:
    lecteur = _Lecteur(chemin.name)
    with contextlib.closing(lignes_utf8(chemin)) as flux:
        lignes = csv.DictReader(flux)
        colonnes = set(lignes.fieldnames or [])
        ditp = colonnes >= COLONNES_DITP
        etalab = (
            "date" in colonnes
            and colonnes & {"valeur", "valeur_mois"}
            and (colonnes & {"code_departement", "maille"})
        )
        if not (ditp or etalab):
            raise ErreursImport([ErreurImport(chemin.name, 1, "", "en-tête ni Etalab ni DITP")])
        if etalab and not ditp and not indicateur:
            raise ErreursImport([ErreurImport(chemin.name, None, "", "code d'indicateur requis")])
        valeurs = [
            v
            for n, ligne in enumerate(lignes, start=2)
            if (v := lecteur.lire_ligne(n, ligne, indicateur))
        ]
    if lecteur.erreurs:
        raise ErreursImport(lecteur.erreurs)
    return valeurs, lecteur.ignorees


def importer_barometre(
    *, chemin: Path, indicateur: str = "", libelle: str = "", sens: str = Sens.BAISSE
) -> RapportImport:
    """Importe un fichier Etalab ou DITP (détecté par l'en-tête) ; tout ou rien, idempotent.

    Les valeurs actuelles (VA) deviennent la série trimestrielle ; VI, VC et TA (DITP) la cible.
    """
    valeurs, ignorees = _lire(chemin, indicateur)
    rapport = RapportImport(lues=len(valeurs) + ignorees, ignorees=ignorees)
    with transaction.atomic():
        indicateurs = {}
        for code in sorted({v.indicateur for v in valeurs}):
            indicateurs[code], _ = Indicateur.objects.get_or_create(
                code=code, defaults={"libelle": libelle or code, "sens": sens}
            )
        for v in valeurs:
            if v.va is not None:
                _enregistrer_valeur(indicateurs[v.indicateur], v, rapport)
        _enregistrer_cibles(indicateurs, valeurs)
    return rapport


def _enregistrer_valeur(indicateur: Indicateur, v: _Valeur, rapport: RapportImport) -> None:
    annee, trimestre = trimestre_de(v.date)
    _, creee = ValeurBarometre.objects.update_or_create(
        indicateur=indicateur,
        maille=v.maille,
        territoire=v.territoire,
        annee=annee,
        trimestre=trimestre,
        defaults={"valeur": v.va},
    )
    if creee:
        rapport.creees += 1
    else:
        rapport.inchangees += 1


def _enregistrer_cibles(indicateurs: dict[str, Indicateur], valeurs: list[_Valeur]) -> None:
    """VI la plus ancienne, VA la plus récente, VC et TA (DITP) par indicateur × territoire."""
    par_territoire: dict[tuple, list[_Valeur]] = {}
    for v in valeurs:
        par_territoire.setdefault((v.indicateur, v.maille, v.territoire), []).append(v)
    for (code, maille, territoire), lignes in par_territoire.items():
        lignes.sort(key=lambda v: v.date)
        champs = {}
        for attribut, nom, premiere in (
            ("vi", "initiale", True),
            ("va", "actuelle", False),
            ("vc", "cible", False),
        ):
            datees = [v for v in lignes if getattr(v, attribut) is not None]
            if datees:
                choisie = datees[0] if premiere else datees[-1]
                champs[f"valeur_{nom}"] = getattr(choisie, attribut)
                champs[f"date_{nom}"] = choisie.date
        taux = [v for v in lignes if v.ta is not None]
        if taux:
            champs["taux_publie"] = taux[-1].ta
            champs["date_taux_publie"] = taux[-1].date
        if "valeur_initiale" in champs or "valeur_cible" in champs:
            Cible.objects.update_or_create(
                indicateur=indicateurs[code],
                maille=maille,
                territoire=territoire,
                defaults=champs,
            )


def controler_taux(*, indicateur: str) -> list[dict]:
    """Compare chaque taux publié (indic_ta) au taux recalculé avec la VA de la même date.

    La DITP calcule sur des valeurs non arrondies alors qu'elle publie VA à 0,1 près : l'écart
    admissible est donc 100 × 0,05 / |VC − VI| (champ `tolerance`).
    """
    resultats = []
    cibles = Cible.objects.filter(indicateur__code=indicateur, taux_publie__isnull=False)
    for cible in cibles.select_related("indicateur"):
        annee, trimestre = trimestre_de(cible.date_taux_publie)
        actuelle = (
            ValeurBarometre.objects.filter(
                indicateur=cible.indicateur,
                maille=cible.maille,
                territoire=cible.territoire,
                annee=annee,
                trimestre=trimestre,
            )
            .values_list("valeur", flat=True)
            .first()
        )
        if None in (actuelle, cible.valeur_initiale, cible.valeur_cible):
            continue
        calcule = taux_avancement(
            initiale=cible.valeur_initiale,
            actuelle=actuelle,
            cible=cible.valeur_cible,
            sens=cible.indicateur.sens,
        )
        ecart_cible = abs(cible.valeur_cible - cible.valeur_initiale) or 1.0
        resultats.append(
            {
                "maille": cible.maille,
                "territoire": cible.territoire,
                "initiale": cible.valeur_initiale,
                "actuelle": actuelle,
                "cible": cible.valeur_cible,
                "publie": cible.taux_publie,
                "calcule": calcule,
                "tolerance": 100 * 0.05 / ecart_cible + 0.01,
            }
        )
    return resultats


def series_barometre(*, indicateur: str, maille: str = Maille.DEPARTEMENT) -> dict[str, list]:
    """Série trimestrielle publiée par territoire : {code: [((année, trimestre), valeur)]}."""
    series: dict[str, list] = {}
    lignes = ValeurBarometre.objects.filter(indicateur__code=indicateur, maille=maille).order_by(
        "territoire", "annee", "trimestre"
    )
    for v in lignes:
        series.setdefault(v.territoire, []).append(((v.annee, v.trimestre), v.valeur))
    return series
