"""Distances sur la sphère terrestre, identiques en Python et en SQL."""

import math

RAYON_TERRE_KM = 6371.0088  # rayon moyen de l'UGGI


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Formule de haversine : exacte à 0,5 % près, bien assez pour « à 3,2 km »."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * RAYON_TERRE_KM * math.asin(min(1.0, math.sqrt(a)))


def boite(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """Rectangle (sud, nord, ouest, est) qui contient le disque : le préfiltre indexé."""
    dlat = math.degrees(km / RAYON_TERRE_KM)
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 90.0))), 1e-6)
    dlon = min(180.0, math.degrees(km / (RAYON_TERRE_KM * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def distance_sql(lat: str, lon: str, minimum: str) -> str:
    """La même haversine en SQL  ; ses paramètres viennent de `parametres_distance`.

    `minimum` est le nom de la fonction « plus petit de deux » (min en SQLite, least ailleurs).
    """
    a = (
        f"sin(radians({lat} - %s) / 2) * sin(radians({lat} - %s) / 2) + "
        f"cos(radians(%s)) * cos(radians({lat})) * "
        f"sin(radians({lon} - %s) / 2) * sin(radians({lon} - %s) / 2)"
    )
    return f"2 * {RAYON_TERRE_KM} * asin({minimum}(1.0, sqrt({a})))"


def parametres_distance(lat: float, lon: float) -> list[float]:
    return [lat, lat, lat, lon, lon]
