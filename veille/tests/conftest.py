import datetime as dt

import pytest

from repertoire.models import ComptageRecherche, Tranche


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def compter(
    commune: str, besoin: str, tranche: Tranche, recherches: int = 1, *, jour: dt.date
) -> ComptageRecherche:
    return ComptageRecherche.objects.create(
        jour=jour, commune=commune, besoin=besoin, tranche=tranche, recherches=recherches
    )
