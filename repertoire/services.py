"""Flux métier du répertoire."""


def synchroniser_referentiels() -> dict[str, int]:
    return {}
