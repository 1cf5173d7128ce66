"""Dates écrites en français, quelle que soit la langue annoncée par le navigateur."""

import datetime as dt

MOIS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def date_en_francais(jour: dt.date) -> str:
    """« 1er mars 2025 »."""
    return f"{'1er' if jour.day == 1 else jour.day} {MOIS_FR[jour.month - 1]} {jour.year}"
