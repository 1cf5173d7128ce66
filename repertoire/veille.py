"""Veille des besoins : chaque recherche (page et API) est comptée, sans rien qui désigne une
personne (issue 13 § 10, voir `docs/adr/0016-veille-des-besoins.md`).

Ce qui est gardé : le jour, le besoin et le public que le moteur a compris (ceux choisis,
sinon ceux que le texte nomme, même avec une faute : `PageResultats.besoin_compris` et
`public_compris`), la commune (code INSEE), le rayon et la tranche du nombre de résultats.
Jamais l'adresse IP, la session, ni le texte saisi : le texte ne sert qu'à reconnaître un
besoin ou un public du thésaurus, puis il est oublié. Un besoin ou un public inconnu du
thésaurus (l'API accepte toute chaîne) n'est pas gardé : ce serait du texte libre.

Compter ne doit jamais casser une recherche : une erreur est notée dans le journal (son type,
sans aucune valeur saisie) et la recherche continue.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from repertoire import thesaurus_en_memoire
from repertoire.models import ComptageRecherche, Tranche
from repertoire.selectors import besoin_et_descendants, besoins_et_reste
from territoires.models import Commune

journal = logging.getLogger(__name__)
RAYON_MAX_KM = 32_767  # borne d'un PositiveSmallIntegerField


def compter_recherche(
    *,
    besoin: str,
    public: str,
    texte: str = "",
    commune: Commune | None,
    rayon_km: float | None,
    resultats: int,
    page: int = 1,
    le: dt.date | None = None,
) -> None:
    """Compte une recherche faite, sur sa première page seulement (tourner les pages n'est
    pas chercher à nouveau). Une seule instruction ; aucune exception ne remonte."""
    if page != 1:
        return
    try:
        cle = {
            "jour": le or timezone.localdate(),
            "besoin": besoin_reconnu(besoin=besoin, texte=texte),
            "public": public if public in thesaurus_en_memoire.publics().par_slug else "",
            "commune": commune.code_insee if commune is not None else "",
            "rayon_km": min(round(rayon_km or 0), RAYON_MAX_KM),
            "tranche": Tranche.de(resultats),
        }
        if transaction.get_connection().in_atomic_block:
            # Un point de sauvegarde : l'échec du comptage n'annule pas la transaction en cours.
            with transaction.atomic():
                ComptageRecherche.objects.compter(resultats=max(resultats, 0), **cle)
        else:  # en autocommit (les requêtes du site) : une seule instruction
            ComptageRecherche.objects.compter(resultats=max(resultats, 0), **cle)
    except Exception as erreur:
        journal.warning("Recherche non comptée (%s).", type(erreur).__name__)


def besoin_reconnu(*, besoin: str, texte: str) -> str:
    """Le besoin choisi s'il existe au thésaurus, sinon le premier que le texte nomme
    (« ma mère ne peut plus se laver » → aide à la toilette), sinon rien."""
    if besoin and besoin_et_descendants(besoin):
        return besoin
    trouves = besoins_et_reste(texte)[0] if texte else []
    return trouves[0] if trouves else ""
