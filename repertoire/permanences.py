"""Permanences : un service tenu certains jours dans un lieu (mairie, maison France services).

La règle est une RRULE (RFC 5545, celle des agendas) lue par python-dateutil ; un gestionnaire
ne l'écrit jamais : il choisit une fréquence dans un formulaire (`regle_de`), et la fiche
publique dit la règle en mots (`en_mots`) et les prochaines dates (`prochaines_dates`).
"""

import datetime as dt
from dataclasses import dataclass

from dateutil.rrule import rrulestr

from core.dates import date_en_francais
from repertoire.horaires import est_ferie
from repertoire.models import Jour, Permanence

CODES_JOURS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RANGS = {1: "1er", 2: "2e", 3: "3e", 4: "4e", -1: "dernier"}


class Frequence:
    UNE_FOIS = "une-fois"
    HEBDOMADAIRE = "hebdomadaire"
    QUINZAINE = "quinzaine"
    MENSUELLE = "mensuelle"

    CHOIX = (
        (UNE_FOIS, "une seule fois (à la date de début)"),
        (HEBDOMADAIRE, "chaque semaine"),
        (QUINZAINE, "une semaine sur deux"),
        (MENSUELLE, "une fois par mois (le 1er, 2e… ou dernier jour choisi)"),
    )


@dataclass(frozen=True)
class Recurrence:
    frequence: str
    jour: int | None = None
    rang: int | None = None


def regle_de(recurrence: Recurrence) -> str:
    """La RRULE d'une fréquence choisie dans le formulaire."""
    if recurrence.frequence == Frequence.UNE_FOIS:
        return "FREQ=DAILY;COUNT=1"
    jour = CODES_JOURS[recurrence.jour or 0]
    if recurrence.frequence == Frequence.MENSUELLE:
        return f"FREQ=MONTHLY;BYDAY={recurrence.rang or 1:+d}{jour}".replace("+", "")
    intervalle = ";INTERVAL=2" if recurrence.frequence == Frequence.QUINZAINE else ""
    return f"FREQ=WEEKLY{intervalle};BYDAY={jour}"


def recurrence_de(regle: str) -> Recurrence:
    """L'inverse de `regle_de`, pour rouvrir le formulaire sur une permanence enregistrée."""
    parties = dict(p.split("=", 1) for p in regle.split(";") if "=" in p)
    if parties.get("COUNT") == "1":
        return Recurrence(Frequence.UNE_FOIS)
    byday = parties.get("BYDAY", "MO")
    jour = CODES_JOURS.index(byday[-2:]) if byday[-2:] in CODES_JOURS else 0
    if parties.get("FREQ") == "MONTHLY":
        return Recurrence(Frequence.MENSUELLE, jour, int(byday[:-2] or 1))
    quinzaine = parties.get("INTERVAL") == "2"
    return Recurrence(Frequence.QUINZAINE if quinzaine else Frequence.HEBDOMADAIRE, jour)


def prochaines_dates(permanence: Permanence, *, apres: dt.date, nombre: int = 3) -> list[dt.date]:
    """Les prochaines dates (aujourd'hui compris), jamais après la date de fin ; une
    permanence ne se tient pas un jour férié (la mairie qui l'accueille est fermée)."""
    regle = rrulestr(
        permanence.regle, dtstart=dt.datetime.combine(permanence.date_debut, dt.time())
    )
    if permanence.date_fin:
        regle = regle.replace(until=dt.datetime.combine(permanence.date_fin, dt.time()))
    dates: list[dt.date] = []
    occurrence = regle.after(dt.datetime.combine(apres, dt.time()), inc=True)
    while occurrence is not None and len(dates) < nombre:
        if not est_ferie(occurrence.date()):
            dates.append(occurrence.date())
        occurrence = regle.after(occurrence)
    return dates


def en_mots(permanence: Permanence) -> str:
    """« le 2e mardi de chaque mois, de 9 h 00 à 12 h 00 »."""
    recurrence = recurrence_de(permanence.regle)
    heures = f"de {_heure(permanence.ouverture)} à {_heure(permanence.fermeture)}"
    if recurrence.frequence == Frequence.UNE_FOIS:
        return f"le {date_en_francais(permanence.date_debut)}, {heures}"
    jour = Jour(recurrence.jour or 0).label
    if recurrence.frequence == Frequence.MENSUELLE:
        return f"le {RANGS.get(recurrence.rang or 1, '1er')} {jour} de chaque mois, {heures}"
    if recurrence.frequence == Frequence.QUINZAINE:
        return f"un {jour} sur deux, {heures}"
    return f"chaque {jour}, {heures}"


def _heure(heure: dt.time) -> str:
    return f"{heure.hour} h {heure.minute:02d}"


def valide(regle: str) -> bool:
    try:
        rrulestr(regle, dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError):
        return False
    return True
