"""Import des résultats publiés de « Ma MDPH, mon avis » (national et par MDPH), pour montrer
l'historique d'avant la plateforme. Format : satisfaction/FORMAT.md.

Tout ou rien : le fichier entier est lu et vérifié avant d'écrire ; chaque erreur nomme la
ligne, le champ et la raison, en français. Ré-importer le même fichier ne change rien.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.imports import ErreurImport, ErreursImport, RapportImport, lignes_utf8
from satisfaction.models import Maille, Question, ResultatPublie
from territoires.models import Departement

NIVEAUX = ("tres_satisfait", "satisfait", "insatisfait", "tres_insatisfait")
COLONNES = ("annee", "maille", "code", "question", "repondants", "unite", *NIVEAUX)
FACULTATIVES = ("taux_satisfaction", "source")
UNITES = {"nombre": False, "pourcentage": True}
ECART_SOMME_POURCENTAGES = Decimal(2)  # les pourcentages publiés sont arrondis
ANNEE_MIN = 2018  # le questionnaire est en ligne depuis 2018


class _Refus(ValueError):
    def __init__(self, champ: str, raison: str):
        super().__init__(raison)
        self.champ = champ


@dataclass
class _Lecture:
    fichier: str
    departements: frozenset[str]
    questions: frozenset[str]
    erreurs: list[ErreurImport] = field(default_factory=list)
    vues: dict[tuple, int] = field(default_factory=dict)


def _decimal(brut: str, champ: str) -> Decimal | None:
    texte = brut.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    if not texte:
        return None
    try:
        valeur = Decimal(texte)
    except InvalidOperation:
        raise _Refus(champ, f"« {brut} » n'est pas un nombre") from None
    if not valeur.is_finite() or valeur < 0:
        raise _Refus(champ, f"« {brut} » doit être un nombre positif ou nul")
    return valeur


def _entier(brut: str, champ: str) -> int | None:
    valeur = _decimal(brut, champ)
    if valeur is not None and valeur != valeur.to_integral_value():
        raise _Refus(champ, f"« {brut} » doit être un nombre entier")
    return None if valeur is None else int(valeur)


def _territoire(maille: str, code: str, lecture: _Lecture) -> tuple[str, str]:
    maille = maille.strip().lower()
    code = code.strip().upper()
    if maille not in Maille.values:
        raise _Refus("maille", f"« {maille} » : écrivez « national » ou « departement »")
    if maille == Maille.NATIONAL and code != "FR":
        raise _Refus("code", f"« {code} » : le code du niveau national est « FR »")
    if maille == Maille.DEPARTEMENT and code not in lecture.departements:
        raise _Refus("code", f"« {code} » n'est pas un code de département (01, 2A, 971…)")
    return maille, code


def _niveaux(ligne: dict[str, str], en_pourcentages: bool) -> dict[str, Decimal | None]:
    lire = _decimal if en_pourcentages else _entier
    niveaux = {nom: lire(ligne[nom] or "", nom) for nom in NIVEAUX}
    if en_pourcentages:
        for nom, valeur in niveaux.items():
            if valeur is not None and valeur > 100:
                raise _Refus(nom, f"{valeur} % dépasse 100 %")
        if all(v is not None for v in niveaux.values()):
            somme = sum(niveaux.values())
            if abs(somme - 100) > ECART_SOMME_POURCENTAGES:
                raise _Refus("unite", f"les quatre pourcentages font {somme} %, pas 100 %")
    return niveaux


def _resultat(ligne: dict[str, str], lecture: _Lecture) -> dict:
    annee = _entier(ligne["annee"] or "", "annee")
    if annee is None or not ANNEE_MIN <= annee <= timezone.localdate().year:
        raise _Refus("annee", f"« {ligne['annee']} » : une année de {ANNEE_MIN} à aujourd'hui")
    maille, code = _territoire(ligne["maille"] or "", ligne["code"] or "", lecture)
    question = (ligne["question"] or "").strip()
    if question not in lecture.questions:
        raise _Refus("question", f"« {question} » n'est la clé d'aucune question du questionnaire")
    unite = (ligne["unite"] or "").strip().lower()
    if unite not in UNITES:
        raise _Refus("unite", f"« {unite} » : écrivez « nombre » ou « pourcentage »")
    niveaux = _niveaux(ligne, UNITES[unite])
    taux = _decimal(ligne.get("taux_satisfaction") or "", "taux_satisfaction")
    if taux is not None and taux > 100:
        raise _Refus("taux_satisfaction", f"{taux} % dépasse 100 %")
    if taux is None and all(v is None for v in niveaux.values()):
        raise _Refus("taux_satisfaction", "ni niveaux ni taux de satisfaction : rien à importer")
    return {
        "annee": annee,
        "maille": maille,
        "code": code,
        "question": question,
        "repondants": _entier(ligne["repondants"] or "", "repondants"),
        "en_pourcentages": UNITES[unite],
        "taux_satisfaction": taux,
        "source": (ligne.get("source") or "").strip()[:300],
        **niveaux,
    }


def _lire(chemin: Path) -> list[dict]:
    lecture = _Lecture(
        fichier=chemin.name,
        departements=frozenset(Departement.objects.values_list("code", flat=True)),
        questions=frozenset(Question.objects.values_list("cle", flat=True)),
    )
    lecteur = csv.DictReader(lignes_utf8(chemin))
    manquantes = [c for c in COLONNES if c not in (lecteur.fieldnames or [])]
    if manquantes:
        raison = f"colonnes manquantes : {', '.join(manquantes)} (voir satisfaction/FORMAT.md)"
        raise ErreursImport([ErreurImport(chemin.name, 1, "", raison)])
    resultats = []
    for numero, ligne in enumerate(lecteur, start=2):
        try:
            resultat = _resultat(ligne, lecture)
        except _Refus as refus:
            lecture.erreurs.append(ErreurImport(chemin.name, numero, refus.champ, str(refus)))
            continue
        cle = (resultat["annee"], resultat["maille"], resultat["code"], resultat["question"])
        if cle in lecture.vues:
            raison = f"même année, territoire et question qu'à la ligne {lecture.vues[cle]}"
            lecture.erreurs.append(ErreurImport(chemin.name, numero, "question", raison))
        lecture.vues.setdefault(cle, numero)
        resultats.append(resultat)
    if lecture.erreurs:
        raise ErreursImport(lecture.erreurs)
    return resultats


def importer_resultats(*, chemin: Path) -> RapportImport:
    """Importe un fichier de résultats publiés ; tout ou rien, idempotent."""
    resultats = _lire(chemin)
    rapport = RapportImport(lues=len(resultats))
    with transaction.atomic():
        for resultat in resultats:
            cle = {nom: resultat.pop(nom) for nom in ("annee", "maille", "code", "question")}
            existant = ResultatPublie.objects.filter(**cle).first()
            if existant is None:
                ResultatPublie.objects.create(**cle, **resultat)
                rapport.creees += 1
            elif all(getattr(existant, nom) == valeur for nom, valeur in resultat.items()):
                rapport.inchangees += 1
            else:
                for nom, valeur in resultat.items():
                    setattr(existant, nom, valeur)
                existant.save()
                rapport.mises_a_jour += 1
    return rapport
