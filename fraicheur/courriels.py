"""Les courriels de la fraîcheur : en français, en texte et en HTML ; les rappels (qu'on n'a
pas demandés) portent un lien de désinscription, dans le texte et dans l'en-tête
List-Unsubscribe."""

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.courriels import envoyer_courriel

SEL_CAMPAGNE = "fraicheur.campagne"
SEL_DESINSCRIPTION = "fraicheur.desinscription"
SEL_RAPPEL = "fraicheur.rappel"


def adresse(chemin: str) -> str:
    """Une adresse complète du site (les commandes n'ont pas de requête)."""
    return f"{settings.AUTONOMIE_ADRESSE_SITE}{chemin}"


def lien_de_demande(demande_pk: int) -> str:
    jeton = signing.dumps(demande_pk, salt=SEL_CAMPAGNE, compress=True)
    return adresse(reverse("fraicheur:verifier", args=[jeton]))


def lien_de_rappel(service_pk: int, utilisateur_pk: int) -> str:
    """Le lien d'un rappel : « rien n'a changé » pour cette fiche, au nom de ce gestionnaire."""
    jeton = signing.dumps({"s": service_pk, "u": utilisateur_pk}, salt=SEL_RAPPEL, compress=True)
    return adresse(reverse("fraicheur:confirmer", args=[jeton]))


def lien_de_desinscription(courriel: str) -> str:
    jeton = signing.dumps(courriel.lower(), salt=SEL_DESINSCRIPTION)
    return adresse(reverse("fraicheur:desinscription", args=[jeton]))


def envoyer(
    modele: str, *, a: list[str], contexte: dict[str, Any], desinscription: str = ""
) -> None:
    """`modele` : fraicheur/courriels/<modele>_sujet.txt, .txt et .html."""
    entetes = {"List-Unsubscribe": f"<{desinscription}>"} if desinscription else {}
    envoyer_courriel(
        f"fraicheur/courriels/{modele}",
        a=a,
        contexte={**contexte, "desinscription": desinscription},
        entetes=entetes,
    )
