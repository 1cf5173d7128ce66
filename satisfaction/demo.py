"""Réponses de démonstration au questionnaire, pour quelques MDPH, sur les 12 derniers mois.

Peu coûteux : quelques centaines de réponses écrites par lots, puis comptées en une passe
(`recompter`). Graine fixe : reproductible ; idempotent (les réponses de ces MDPH sont
remplacées). Les tendances suivent ce que publie la CNSA (2022) : le délai est le moins bien
noté, l'accueil et l'écoute le mieux ; le travail et la CMI au-dessus, l'école en dessous.
"""

import datetime as dt
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from satisfaction.imports import importer_resultats
from satisfaction.models import (
    Comptage,
    Niveau,
    Origine,
    Question,
    Reponse,
    TypeQuestion,
    Version,
)  # fmt: skip
from satisfaction.services import recompter
from territoires.models import Departement

DEPARTEMENTS_DEMO = ("58", "89", "21", "71")
EXEMPLE_NATIONAL = Path(__file__).parent / "donnees" / "msu_2022_national.csv"
# Probabilité d'être satisfait (très satisfait + satisfait) par question, et décalage par motif.
TAUX = {"accueil": 0.85, "ecoute": 0.81, "besoins_souhaits": 0.8, "delai": 0.37}
TAUX_PAR_DEFAUT = 0.68
DECALAGE_MOTIF = {"travail": 0.08, "cmi": 0.06, "scolarisation": -0.12}
TEXTES = (
    "Le formulaire de renouvellement est trop long.",
    "J'ai attendu longtemps la réponse.",
    "Je n'ai pas compris la décision.",
    "",
    "",
    "Merci à la personne de l'accueil.",
)


def _niveau(alea: random.Random, taux: float) -> str:
    if alea.random() < 0.06:
        return Niveau.NON_CONCERNE
    if alea.random() < taux:
        return Niveau.TRES_SATISFAIT if alea.random() < 0.38 else Niveau.SATISFAIT
    return Niveau.INSATISFAIT if alea.random() < 0.6 else Niveau.TRES_INSATISFAIT


def _valeurs(alea: random.Random, questions: list[Question]) -> dict:
    motifs = alea.sample(
        ["aah", "pch", "cmi", "travail", "scolarisation", "etablissement", "aeeh"],
        alea.choice([1, 1, 2, 3]),
    )
    valeurs: dict = {
        "pour_qui": "moi" if alea.random() < 0.716 else "proche",
        "motifs": sorted(motifs),
        "etat": alea.choice(["en_cours", "decision", "decision", "ne_sais_pas"]),
    }
    decalage = sum(DECALAGE_MOTIF.get(m, 0) for m in motifs) / len(motifs)
    for question in questions:
        if question.type == TypeQuestion.ECHELLE:
            valeurs[question.cle] = _niveau(
                alea, TAUX.get(question.cle, TAUX_PAR_DEFAUT) + decalage
            )
    return valeurs


def _mois_passes(nombre: int) -> list[dt.date]:
    mois = timezone.localdate().replace(day=1)
    liste = []
    for _ in range(nombre):
        liste.append(mois)
        mois = (mois - dt.timedelta(days=1)).replace(day=1)
    return liste


def charger_demo_satisfaction(
    *, departements: tuple[str, ...] = DEPARTEMENTS_DEMO, par_mois: int = 25
) -> dict[str, int]:
    version = Version.objects.en_service()
    presents = list(Departement.objects.filter(code__in=departements))
    if version is None or not presents:
        return {"reponses": 0}
    alea = random.Random(12)
    questions = list(version.questions.all())
    reponses = []
    for departement in presents:
        for mois in _mois_passes(12):
            for _ in range(alea.randint(par_mois // 2, par_mois * 3 // 2)):
                reponses.append(
                    Reponse(
                        version=version,
                        departement=departement,
                        mois=mois,
                        origine=Origine.PAPIER if alea.random() < 0.1 else Origine.EN_LIGNE,
                        valeurs=_valeurs(alea, questions),
                        texte_libre=alea.choice(TEXTES),
                    )
                )
    codes = [d.code for d in presents]
    with transaction.atomic():
        Reponse.objects.filter(departement__in=codes).delete()
        Comptage.objects.filter(departement__in=codes).delete()
        Reponse.objects.bulk_create(reponses, batch_size=500)
        recompter(departements=codes)
    publies = importer_resultats(chemin=EXEMPLE_NATIONAL)
    return {
        "reponses": len(reponses),
        "questions": len(questions),
        "resultats_publies": publies.lues,
    }
