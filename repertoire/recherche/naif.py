"""La recherche naïve, témoin du banc d'essai : `icontains` de l'ORM et haversine en Python.

Ni index, ni correction, ni synonymes : ce qu'on écrirait sans moteur, pour mesurer ce qu'il
apporte. Ne sert pas en production.
"""

from django.db.models import Q

from repertoire.models import Service
from repertoire.recherche.geo import distance_km
from repertoire.recherche.types import Critere


def rechercher_naif(critere: Critere, *, lat: float | None = None, lon: float | None = None):
    """Identifiants des services, triés par distance ; `lat`/`lon` : le centre déjà résolu."""
    services = Service.objects.publies()
    for mot in critere.q.split():
        services = services.filter(Q(nom__icontains=mot) | Q(description__icontains=mot))
    if critere.besoin:
        services = services.filter(
            Q(besoins__slug=critere.besoin) | Q(besoins__parent__slug=critere.besoin)
        )
    if lat is None or lon is None:
        return list(services.order_by("pk").values_list("pk", flat=True).distinct())
    rayon = critere.rayon_km or 10.0
    distances: dict[int, float] = {}
    for pk, lieu_lat, lieu_lon in services.filter(lieux__latitude__isnull=False).values_list(
        "pk", "lieux__latitude", "lieux__longitude"
    ):
        d = distance_km(lat, lon, lieu_lat, lieu_lon)
        if d <= rayon and d < distances.get(pk, rayon + 1):
            distances[pk] = d
    return sorted(distances, key=distances.__getitem__)
