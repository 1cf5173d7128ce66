"""« Aides pour payer » : les droits et allocations (APA, PCH, ASH…) qui aident à payer les
services cherchés, à part des services qui aident (voir docs/adr/0004-recherche-par-cles.md).

Une seconde requête, petite, sur les clés des aides (`expression.cle_aide_pour`) : mêmes
règles de lieu que les services (dans le rayon, ou une zone d'intervention qui couvre la
commune), même public, quelques fiches au plus.
"""

from collections.abc import Callable
from typing import Any

from repertoire.models import Service
from repertoire.recherche.expression import Cles, cle_aide_pour, et
from repertoire.recherche.moteur import (
    Ligne,
    Requete,
    _cle_de_tri,
    _lignes_autour,
    _lire,
    _services,
    planifier,
)
from repertoire.recherche.types import Resultat

AIDES_MAX = 4
LECTURE_MAX = 100  # les aides d'un lieu : quelques-unes par département


def aides_pour_payer(
    requete: Requete, *, charger: Callable[[set[int]], dict[int, Any]] | None = None
) -> list[Resultat]:
    """Les aides qui aident à payer les services des besoins cherchés (liste ou texte), près
    du lieu cherché. Aucune quand la saisie ne dit aucun besoin, ou quand elle nomme un droit
    (les aides sont alors parmi les résultats). `charger` : comme pour les résultats de la
    page (`moteur.rechercher`), l'API les lit en résumés plutôt qu'en modèles."""
    besoins = {**requete.besoins_du_texte, **(requete.besoins or {})}
    if not requete.aides_a_part or not besoins:
        return []
    aides = Requete(
        cles_besoins=Cles(tuple(cle_aide_pour(pk) for pk in sorted(besoins))),
        publics=requete.publics,
        cles_publics=requete.cles_publics,
        position=requete.position,
        rayon_km=requete.rayon_km,
        commune=requete.commune,
    )
    lignes = _pres_du_lieu(aides)[:AIDES_MAX]
    services = (charger or _services)({ligne.service_id for ligne in lignes})
    return [
        Resultat(
            service=services[ligne.service_id],
            score=0.0,
            distance_km=ligne.distance,
            raisons=_raisons(services[ligne.service_id], ligne, besoins, requete),
        )
        for ligne in lignes
        if ligne.service_id in services  # fiche supprimée avant la réindexation
    ]


def _pres_du_lieu(aides: Requete) -> list[Ligne]:
    """Les aides du lieu, d'une seule lecture de l'index (elles sont peu nombreuses) : dans
    le rayon ou couvertes par une zone d'intervention, les plus proches d'abord."""
    plan = planifier(aides)
    if aides.position is None:
        ids = [sid for sid, *_ in _lire(plan.filtre, aides, limite=AIDES_MAX)]
        return [Ligne(sid, 0, False, None, False, False, False) for sid in ids]
    brutes = _lire(et(plan.filtre, plan.lieu), aides, distance=True, limite=LECTURE_MAX)
    lignes = _lignes_autour([(sid, distance, 0, False) for sid, distance in brutes], aides)
    return sorted(lignes, key=_cle_de_tri("distance"))


def _raisons(service: Service, ligne: Ligne, besoins: dict[int, str], requete: Requete):
    """« peut aider à payer : Portage de repas » ; « s'applique à Champvert » quand sa zone
    couvre la commune."""
    payes = [b.libelle for b in service.besoins_charges if b.pk in besoins]
    raisons = [f"peut aider à payer : {', '.join(payes)}"] if payes else []
    if requete.commune and ligne.couvert:
        raisons.append(f"s'applique à {requete.commune.nom}")
    return raisons
