"""Le territoire que sert un déploiement : un département, plusieurs, une région, le pays.

Un conseil départemental sert son département, un GIP ou une ARS plusieurs départements ou
une région, la CNSA le pays entier. Le réglage `AUTONOMIE_TERRITOIRE` le dit
(« departement:58 », « departement:58,89 », « region:27 », « national ») ; les rôles, la
recherche par défaut, l'accueil et les rapports le suivent.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from territoires.models import Departement
from territoires.perimetres import Cible, Niveau, Perimetre, contient, emplacement

NIVEAUX_ADMIS = {Niveau.NATIONAL, Niveau.REGION, Niveau.DEPARTEMENT}


def lire_territoire(texte: str) -> Perimetre:
    """« departement:58,89 » → Perimetre ; une valeur mal formée est refusée en français."""
    niveau, _, codes = texte.strip().lower().partition(":")
    try:
        niveau_lu = Niveau(niveau)
    except ValueError:
        niveau_lu = None
    if niveau_lu not in NIVEAUX_ADMIS:
        raise ImproperlyConfigured(
            f"AUTONOMIE_TERRITOIRE : « {texte} » n'est pas compris. Écrivez « national », "
            "« region:27 » ou « departement:58 » (plusieurs codes séparés par des virgules)."
        )
    liste = frozenset(code.strip().upper() for code in codes.split(",") if code.strip())
    if niveau_lu == Niveau.NATIONAL:
        if liste:
            raise ImproperlyConfigured("AUTONOMIE_TERRITOIRE : « national » ne prend pas de code.")
        return Perimetre.national()
    if not liste:
        raise ImproperlyConfigured(
            f"AUTONOMIE_TERRITOIRE : donnez au moins un code après « {niveau}: »."
        )
    return Perimetre(niveau_lu, liste)


def perimetre_du_deploiement() -> Perimetre:
    return lire_territoire(settings.AUTONOMIE_TERRITOIRE)


def est_national() -> bool:
    return perimetre_du_deploiement().niveau == Niveau.NATIONAL


def dans_le_deploiement(cible: Cible) -> bool:
    """La cible (commune, EPCI, département, région, périmètre) est-elle servie ici ?"""
    return contient(perimetre_du_deploiement(), cible)


def departements_du_deploiement() -> QuerySet[Departement]:
    """Les départements servis, dans l'ordre des codes (tous pour un déploiement national)."""
    perimetre = perimetre_du_deploiement()
    departements = Departement.objects.order_by("code")
    if perimetre.niveau == Niveau.REGION:
        return departements.filter(region__in=perimetre.codes)
    if perimetre.niveau == Niveau.DEPARTEMENT:
        return departements.filter(code__in=perimetre.codes)
    return departements


def codes_departements_du_deploiement() -> frozenset[str] | None:
    """Les codes des départements servis ; None pour un déploiement national (tous)."""
    if est_national():
        return None
    return frozenset(departements_du_deploiement().values_list("code", flat=True))


def nom_du_territoire_servi() -> str:
    """« toute la France », ou les départements servis : « Nièvre (58) et Yonne (89) »."""
    if est_national():
        return "toute la France"
    noms = [str(departement) for departement in departements_du_deploiement()]
    if len(noms) < 2:
        return "".join(noms)
    return f"{', '.join(noms[:-1])} et {noms[-1]}"


def communes_du_deploiement() -> Q | None:
    """Le filtre des communes servies, sans requête de plus (None : national, toutes)."""
    perimetre = perimetre_du_deploiement()
    if perimetre.niveau == Niveau.REGION:
        return Q(departement__region_id__in=perimetre.codes)
    if perimetre.niveau == Niveau.DEPARTEMENT:
        return Q(departement_id__in=perimetre.codes)
    return None


def recoupe_le_deploiement(perimetre: Perimetre) -> bool:
    """Un territoire (d'une institution) touche-t-il au moins un département servi ?

    Une ARS dont la région contient le département servi, la CNSA (nationale) agissent ici ;
    une MDPH d'un autre département n'a rien à y faire."""
    servis = codes_departements_du_deploiement()
    if servis is None or perimetre.niveau == Niveau.NATIONAL:
        return True
    departements = emplacement(perimetre).departements
    return departements is None or bool(departements & servis)
