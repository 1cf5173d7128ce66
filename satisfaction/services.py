"""Recevoir une réponse (en ligne ou saisie d'un questionnaire papier), la compter, purger.

Toute réponse passe par `enregistrer_reponse` : la ligne `Reponse` (la source) et ses comptes
(`Comptage`, ce que lisent les résultats) s'écrivent dans la même transaction. Voir
docs/adr/00XX-sat-satisfaction-modele-et-anonymat.md.
"""

import datetime as dt
import hashlib
import hmac
import json
import time
from collections import Counter
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import CompteurDebit
from satisfaction.comptage import Valeurs, comptes_de
from satisfaction.models import Comptage, EnvoiRecent, Origine, Reponse, Version
from territoires.models import Departement

LOT_RECOMPTE = 2_000


def mois_de(jour: dt.date) -> dt.date:
    return jour.replace(day=1)


def enregistrer_reponse(
    *,
    version: Version,
    departement: Departement,
    valeurs: Valeurs,
    texte_libre: str = "",
    origine: str = Origine.EN_LIGNE,
    mois: dt.date | None = None,
) -> Reponse:
    """Enregistre une réponse et l'ajoute aux comptes, ensemble (tout ou rien).

    Seul le mois est gardé (anonymat : une heure précise, croisée avec un journal d'accès,
    désignerait la personne)."""
    mois = mois_de(mois or timezone.localdate())
    questions = list(version.questions.all())
    with transaction.atomic():
        reponse = Reponse.objects.create(
            version=version,
            departement=departement,
            mois=mois,
            origine=origine,
            valeurs=valeurs,
            texte_libre=texte_libre.strip(),
        )
        Comptage.objects.ajouter(
            comptes_de(
                questions=questions,
                departement=departement.code,
                mois=mois,
                origine=origine,
                valeurs=valeurs,
            )
        )
    return reponse


# --- Anti-abus des envois en ligne --------------------------------------------------------------


def pseudonyme_du_jour(adresse: str, *, le: dt.date | None = None) -> str:
    """HMAC (SECRET_KEY) de l'adresse IP, salé par le jour : assez pour compter les envois
    d'un même client aujourd'hui, impossible à relier d'un jour à l'autre ou à l'adresse."""
    jour = (le or timezone.localdate()).isoformat()
    message = f"satisfaction\x00{jour}\x00{adresse}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def debit_depasse(client: str) -> bool:
    """Ce client a-t-il dépassé SATISFACTION_REPONSES_PAR_MINUTE ? Le compteur atomique du
    socle (`core.CompteurDebit`), en fenêtres d'une minute ; chaque envoi final compte."""
    limite = settings.SATISFACTION_REPONSES_PAR_MINUTE
    if limite <= 0:
        return False
    fenetre = int(time.time() // 60)
    with transaction.atomic():
        CompteurDebit.objects.anterieurs_a(fenetre).delete()
        compte = CompteurDebit.objects.compter(fenetre=fenetre, adresse=f"msu:{client[:40]}")
    return compte > limite


def empreinte_envoi(*, client: str, departement: str, valeurs: Valeurs, texte: str) -> str:
    contenu = json.dumps(
        [client, departement, valeurs, " ".join(texte.split())], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(contenu.encode()).hexdigest()


def recevoir_en_ligne(
    *, client: str, version: Version, departement: Departement, valeurs: Valeurs, texte: str
) -> Reponse | None:
    """Une réponse envoyée en ligne ; None si la même (même client du jour, même MDPH, mêmes
    réponses) a été reçue dans les SATISFACTION_DOUBLON_MINUTES : elle ne compte qu'une fois.

    Vérifier puis écrire se fait sous le verrou de la ligne du département (PostgreSQL ;
    SQLite n'a qu'un écrivain à la fois) : deux envois identiques simultanés passent l'un
    après l'autre, le second voit le premier."""
    empreinte = empreinte_envoi(
        client=client, departement=departement.code, valeurs=valeurs, texte=texte
    )
    maintenant = timezone.now()
    depuis = maintenant - dt.timedelta(minutes=settings.SATISFACTION_DOUBLON_MINUTES)
    with transaction.atomic():
        list(Departement.objects.select_for_update().filter(pk=departement.pk).values("pk"))
        EnvoiRecent.objects.filter(recu_le__lt=depuis).delete()
        if EnvoiRecent.objects.filter(empreinte=empreinte).exists():
            return None
        EnvoiRecent.objects.create(empreinte=empreinte, recu_le=maintenant)
        return enregistrer_reponse(
            version=version, departement=departement, valeurs=valeurs, texte_libre=texte
        )


# --- Conservation et recomptage ---------------------------------------------------------------


def limite_conservation_textes(le: dt.date | None = None) -> dt.date:
    """Le premier mois dont les textes libres sont encore gardés : celui d'il y a
    SATISFACTION_TEXTE_CONSERVATION_MOIS mois (le mois en cours compte pour un)."""
    jour = le or timezone.localdate()
    total = jour.year * 12 + jour.month - 1 - settings.SATISFACTION_TEXTE_CONSERVATION_MOIS
    return dt.date(total // 12, total % 12 + 1, 1)


def purger_textes(*, le: dt.date | None = None) -> int:
    """Vide les textes libres des réponses plus anciennes que la durée de conservation : ils
    peuvent contenir des données personnelles (un nom, un numéro), le reste n'en contient pas.
    Les comptes ne changent pas. Un seul UPDATE ; sans effet la seconde fois."""
    return (
        Reponse.objects.filter(mois__lt=limite_conservation_textes(le), texte_efface=False)
        .exclude(texte_libre="")
        .update(texte_libre="", texte_efface=True)
    )


def effacer_sessions_expirees() -> None:
    """Les sessions expirées (dont les questionnaires abandonnés, gardés 2 heures au plus) ;
    ce que fait `clearsessions`, pour le moteur de session du site."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def recompter(*, departements: list[str] | None = None) -> int:
    """Refait les comptes depuis les réponses (après un changement de la règle de comptage,
    ou pour vérifier) ; rend le nombre de réponses relues."""
    reponses = Reponse.objects.all()
    comptages = Comptage.objects.all()
    if departements is not None:
        reponses = reponses.filter(departement__in=departements)
        comptages = comptages.filter(departement__in=departements)
    questions = {
        v.pk: list(v.questions.all()) for v in Version.objects.prefetch_related("questions")
    }
    total = 0
    with transaction.atomic():
        comptages.delete()
        comptes: Counter = Counter()
        colonnes = ("version_id", "departement_id", "mois", "origine", "valeurs")
        for version_id, departement, mois, origine, valeurs in reponses.values_list(
            *colonnes
        ).iterator(chunk_size=LOT_RECOMPTE):
            comptes.update(
                comptes_de(
                    questions=questions[version_id],
                    departement=departement,
                    mois=mois,
                    origine=origine,
                    valeurs=valeurs,
                )
            )
            total += 1
        ecrire_comptes(comptes)
    return total


def ecrire_comptes(comptes: Counter) -> None:
    """Ajoute des comptes par lots (une instruction par lot)."""
    cles = list(comptes)
    for debut in range(0, len(cles), 500):
        Comptage.objects.ajouter({cle: comptes[cle] for cle in cles[debut : debut + 500]})
