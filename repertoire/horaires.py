"""Horaires d'ouverture : format OpenStreetMap `opening_hours`, jours fériés, texte lisible.

Tout part de `service.plages.all()` et `service.exceptions.all()` : un `prefetch_related`
suffit pour traiter une liste de services sans requête supplémentaire.
Convention : une fermeture à 23:59 vaut « minuit » (24:00 en OSM), un TimeField ne sachant
pas représenter 24:00.
"""

import datetime as dt
import re
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.utils import timezone

from core.dates import date_en_francais
from repertoire.models import HoraireExceptionnel, Jour, Service

JOURS_OSM = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MOIS_OSM = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MINUIT = dt.time(23, 59)

Creneau = tuple[dt.time, dt.time]
Plage = tuple[int, dt.time, dt.time]


# --- Jours fériés --------------------------------------------------------------------------


def paques(annee: int) -> dt.date:
    """Dimanche de Pâques du calendrier grégorien (algorithme anonyme de Meeus/Jones/Butcher)."""
    a, b, c = annee % 19, annee // 100, annee % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lettre = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lettre) // 451
    mois, jour = divmod(h + lettre - 7 * m + 114, 31)
    return dt.date(annee, mois, jour + 1)


def jours_feries(annee: int) -> dict[dt.date, str]:
    """Les onze jours fériés légaux (code du travail, art. L3133-1), hors Alsace-Moselle."""
    dimanche_paques = paques(annee)
    return {
        dt.date(annee, 1, 1): "jour de l'an",
        dimanche_paques + dt.timedelta(days=1): "lundi de Pâques",
        dt.date(annee, 5, 1): "fête du Travail",
        dt.date(annee, 5, 8): "Victoire 1945",
        dimanche_paques + dt.timedelta(days=39): "Ascension",
        dimanche_paques + dt.timedelta(days=50): "lundi de Pentecôte",
        dt.date(annee, 7, 14): "fête nationale",
        dt.date(annee, 8, 15): "Assomption",
        dt.date(annee, 11, 1): "Toussaint",
        dt.date(annee, 11, 11): "Armistice 1918",
        dt.date(annee, 12, 25): "Noël",
    }


def est_ferie(jour: dt.date) -> bool:
    return jour in jours_feries(jour.year)


# --- Semaine type ----------------------------------------------------------------------------


def semaine(service: Service, plages: Iterable | None = None) -> dict[int, tuple[Creneau, ...]]:
    """Les créneaux de chaque jour ouvert, triés ; lit le cache de `prefetch_related`.
    `plages` : celles d'un seul lieu (par défaut toutes : ouvert quelque part)."""
    creneaux: dict[int, list[Creneau]] = {}
    for plage in service.plages.all() if plages is None else plages:
        creneaux.setdefault(plage.jour, []).append((plage.ouverture, plage.fermeture))
    return {jour: tuple(sorted(liste)) for jour, liste in sorted(creneaux.items())}


def _groupes(jours: dict[int, tuple[Creneau, ...]]) -> list[tuple[list[int], tuple[Creneau, ...]]]:
    """Réunit les jours aux créneaux identiques, dans l'ordre de leur premier jour."""
    groupes: dict[tuple[Creneau, ...], list[int]] = {}
    for jour, creneaux in jours.items():
        groupes.setdefault(creneaux, []).append(jour)
    return sorted(((liste, creneaux) for creneaux, liste in groupes.items()), key=lambda g: g[0])


def _suites(jours: list[int]) -> list[list[int]]:
    """[0, 1, 2, 4] → [[0, 1, 2], [4]]."""
    return [
        [jour for _, jour in groupe]
        for _, groupe in groupby(enumerate(jours), key=lambda paire: paire[1] - paire[0])
    ]


def _est_24_7(jours: dict[int, tuple[Creneau, ...]]) -> bool:
    return len(jours) == 7 and all(c == ((dt.time(0), MINUIT),) for c in jours.values())


# --- Vers OSM ---------------------------------------------------------------------------------


def _heure_osm(heure: dt.time) -> str:
    return "24:00" if heure == MINUIT else f"{heure:%H:%M}"


def _creneaux_osm(creneaux: Iterable[Creneau]) -> str:
    return ",".join(f"{_heure_osm(debut)}-{_heure_osm(fin)}" for debut, fin in creneaux)


def _jours_osm(jours: list[int]) -> str:
    """Trois jours qui se suivent ou plus s'écrivent en intervalle (Mo-Fr), sinon en liste."""
    morceaux = []
    for suite in _suites(jours):
        if len(suite) >= 3:
            morceaux.append(f"{JOURS_OSM[suite[0]]}-{JOURS_OSM[suite[-1]]}")
        else:
            morceaux.extend(JOURS_OSM[jour] for jour in suite)
    return ",".join(morceaux)


def _date_osm(jour: dt.date) -> str:
    return f"{jour.year} {MOIS_OSM[jour.month - 1]} {jour.day:02d}"


def _exception_osm(exception: HoraireExceptionnel) -> str:
    periode = _date_osm(exception.date_debut)
    if exception.date_fin != exception.date_debut:
        periode += f"-{_date_osm(exception.date_fin)}"
    if exception.ferme:
        return f"{periode} off"
    return f"{periode} {_creneaux_osm([(exception.ouverture, exception.fermeture)])}"


def vers_osm(service: Service) -> str:
    """Horaires au format OSM `opening_hours` ; les règles datées viennent en dernier car,
    en OSM, une règle l'emporte sur celles qui la précèdent. Chaîne vide si rien n'est connu."""
    jours = semaine(service)
    if _est_24_7(jours):
        regles = ["24/7"]
    else:
        regles = [f"{_jours_osm(liste)} {_creneaux_osm(c)}" for liste, c in _groupes(jours)]
    if regles and not service.ouvert_jours_feries:
        regles.append("PH off")
    regles.extend(_exception_osm(exception) for exception in _a_venir(service))
    return "; ".join(regles)


def _a_venir(service: Service) -> list[HoraireExceptionnel]:
    """Une fermeture passée n'informe plus personne : ni la fiche ni l'export ne la montrent."""
    aujourd_hui = timezone.localdate()
    return [e for e in service.exceptions.all() if e.date_fin >= aujourd_hui]


# --- Depuis OSM -------------------------------------------------------------------------------

_SELECTEUR_JOURS = re.compile(r"^([A-Za-z]{2}(?:\s*[-,]\s*[A-Za-z]{2})*)(?![A-Za-z])\s*(.*)$")
_CRENEAU = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_FERME = {"off", "closed"}


def _jour_osm(code: str) -> int:
    try:
        return JOURS_OSM.index(code.capitalize())
    except ValueError:
        attendus = ", ".join(JOURS_OSM)
        raise ValueError(f"jour « {code} » inconnu (attendu : {attendus})") from None


def _lire_jours(selecteur: str) -> list[int]:
    """« Mo-We,Fr » → [0, 1, 2, 4] ; un intervalle peut passer le dimanche (Sa-Mo)."""
    jours: list[int] = []
    for morceau in selecteur.split(","):
        debut, _, fin = (partie.strip() for partie in morceau.partition("-"))
        premier = _jour_osm(debut)
        dernier = _jour_osm(fin) if fin else premier
        jours.extend((premier + pas) % 7 for pas in range((dernier - premier) % 7 + 1))
    return jours


def _lire_heure(heures: str, minutes: str) -> dt.time:
    h, m = int(heures), int(minutes)
    if (h, m) == (24, 0):
        return MINUIT
    if h > 23 or m > 59:
        raise ValueError(f"heure « {heures}:{minutes} » impossible")
    return dt.time(h, m)


def _lire_creneaux(texte: str) -> list[Creneau]:
    creneaux = []
    for morceau in texte.split(","):
        correspondance = _CRENEAU.match(morceau.strip())
        if not correspondance:
            raise ValueError(
                f"« {morceau.strip()} » n'est pas un créneau HH:MM-HH:MM ; seules les règles "
                "hebdomadaires (jours et heures) sont prises en charge"
            )
        h1, m1, h2, m2 = correspondance.groups()
        debut, fin = _lire_heure(h1, m1), _lire_heure(h2, m2)
        if debut >= fin:
            raise ValueError(f"le créneau « {morceau.strip()} » finit avant de commencer")
        creneaux.append((debut, fin))
    return creneaux


def _appliquer_regle(regle: str, jours: dict[int, list[Creneau]]) -> None:
    """Une règle remplace les créneaux des jours qu'elle désigne (sémantique OSM)."""
    if regle.lower() == "24/7":
        jours.update({jour: [(dt.time(0), MINUIT)] for jour in range(7)})
        return
    selection = _SELECTEUR_JOURS.match(regle)
    cibles, reste = (selection.group(1), selection.group(2)) if selection else ("", regle)
    if cibles.upper() == "PH":
        if reste.lower() in _FERME:
            return  # fermé les jours fériés : c'est la règle par défaut du modèle
        raise ValueError("les horaires propres aux jours fériés ne sont pas pris en charge")
    designes = _lire_jours(cibles) if cibles else list(range(7))
    if not reste:
        raise ValueError("jours sans horaires")
    creneaux = [] if reste.lower() in _FERME else _lire_creneaux(reste)
    for jour in designes:
        jours[jour] = list(creneaux)


def depuis_osm(texte: str) -> list[Plage]:
    """Lit le sous-ensemble courant d'OSM `opening_hours` : jours, intervalles, listes, plusieurs
    créneaux, « 24/7 », « off », « PH off ». Lève ValueError (en français) sur le reste."""
    jours: dict[int, list[Creneau]] = {}
    for regle in filter(None, (morceau.strip() for morceau in texte.split(";"))):
        try:
            _appliquer_regle(regle, jours)
        except ValueError as erreur:
            raise ValueError(f"horaires illisibles dans « {regle} » : {erreur}") from None
    return sorted((jour, debut, fin) for jour, creneaux in jours.items() for debut, fin in creneaux)


# --- Ouvert maintenant ? ----------------------------------------------------------------------


def _dans(heure: dt.time, debut: dt.time, fin: dt.time) -> bool:
    return debut <= heure and (heure < fin or fin == MINUIT)


def est_ouvert(service: Service, le: dt.datetime) -> bool:
    """Les horaires exceptionnels l'emportent (une fermeture sur toute autre) ; puis les jours
    fériés ferment, sauf service ouvert ces jours-là ; puis la semaine type."""
    if timezone.is_aware(le):
        le = timezone.localtime(le)
    jour, heure = le.date(), le.time()
    exceptions = [e for e in service.exceptions.all() if e.couvre(jour)]
    if exceptions:
        return not any(e.ferme for e in exceptions) and any(
            _dans(heure, e.ouverture, e.fermeture) for e in exceptions
        )
    if est_ferie(jour) and not service.ouvert_jours_feries:
        return False
    return any(_dans(heure, debut, fin) for debut, fin in semaine(service).get(jour.weekday(), ()))


# --- En toutes lettres ------------------------------------------------------------------------


def _heure_fr(heure: dt.time) -> str:
    if heure == MINUIT:
        return "minuit"
    return f"{heure.hour} h" + (f" {heure.minute:02d}" if heure.minute else "")


def _creneaux_fr(creneaux: Iterable[Creneau]) -> str:
    return " et ".join(f"de {_heure_fr(debut)} à {_heure_fr(fin)}" for debut, fin in creneaux)


def _enumeration(morceaux: list[str]) -> str:
    return morceaux[0] if len(morceaux) == 1 else f"{', '.join(morceaux[:-1])} et {morceaux[-1]}"


def _jours_fr(jours: list[int]) -> str:
    morceaux = []
    for suite in _suites(jours):
        noms = [Jour(jour).label for jour in suite]
        if len(suite) >= 3:
            morceaux.append(f"du {noms[0]} au {noms[-1]}")
        else:
            morceaux.extend(f"le {nom}" for nom in noms)
    return _enumeration(morceaux)


def _exception_fr(exception: HoraireExceptionnel) -> str:
    if exception.date_debut == exception.date_fin:
        periode = f"le {date_en_francais(exception.date_debut)}"
    else:
        periode = (
            f"du {date_en_francais(exception.date_debut)} au {date_en_francais(exception.date_fin)}"
        )
    if exception.ferme:
        phrase = f"fermé {periode}"
    else:
        phrase = f"{periode} {_creneaux_fr([(exception.ouverture, exception.fermeture)])}"
    return f"{phrase} ({exception.motif})" if exception.motif else phrase


def en_toutes_lettres(service: Service) -> list[str]:
    """Une phrase par groupe de jours, pour la fiche publique et les lecteurs d'écran ;
    des horaires propres à un lieu sont précédés de son nom (« à l'antenne de Clamecy : »)."""
    par_lieu: dict[Any, list] = {}
    for plage in service.plages.all():
        par_lieu.setdefault(plage.lieu, []).append(plage)
    phrases = []
    for lieu, plages in sorted(par_lieu.items(), key=lambda p: (p[0] is not None, str(p[0]))):
        prefixe = f"à « {lieu.nom} » : " if lieu is not None else ""
        phrases += [prefixe + phrase for phrase in _semaine_fr(semaine(service, plages))]
    if phrases and not service.ouvert_jours_feries:
        phrases.append("fermé les jours fériés")
    phrases.extend(_exception_fr(exception) for exception in _a_venir(service))
    return phrases


def _semaine_fr(jours: dict[int, tuple[Creneau, ...]]) -> list[str]:
    if _est_24_7(jours):
        return ["tous les jours, 24 h sur 24"]
    return [f"{_jours_fr(liste)} {_creneaux_fr(c)}" for liste, c in _groupes(jours)]
