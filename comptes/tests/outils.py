"""Aides de test des autres applications : un client connecté qui a passé le double facteur."""

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def connecter_avec_double_facteur(client: Any, utilisateur: Any) -> TOTPDevice:
    """`client.force_login` plus un appareil confirmé et vérifié dans la session : ce qu'exigent
    pilotage et administration des rôles qui y ont droit (comptes.double_facteur.exige)."""
    appareil = TOTPDevice.objects.create(user=utilisateur, name="test", confirmed=True)
    client.force_login(utilisateur)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = appareil.persistent_id
    session.save()
    return appareil
