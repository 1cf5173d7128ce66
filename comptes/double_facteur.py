"""Double facteur : code à usage unique d'une application d'authentification (TOTP).

Facultatif pour tous (page « Mon compte »), exigé de qui voit le pilotage ou administre la
plateforme (`exige`). Les codes de secours (django-otp, appareil « statique ») sont montrés
une seule fois, à l'activation. Un mauvais code double l'attente avant l'essai suivant
(throttling de django-otp).
"""

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptes.permissions import Action, peut

NOMBRE_CODES_DE_SECOURS = 10
NOM_APPAREIL = "application d'authentification"


def exige(utilisateur: Any) -> bool:
    """Le double facteur est-il obligatoire pour ce compte ?

    Issue 10 : oui pour tout rôle qui voit le pilotage (données des MDPH) ou administre la
    plateforme, et pour les superutilisateurs ; facultatif pour les autres.
    """
    if not getattr(utilisateur, "is_authenticated", False) or not utilisateur.is_active:
        return False
    return (
        utilisateur.is_superuser
        or peut(utilisateur, Action.VOIR_PILOTAGE)
        or peut(utilisateur, Action.ADMINISTRER)
    )


def est_active(utilisateur: Any) -> bool:
    """Le compte a-t-il un appareil confirmé ?"""
    return user_has_device(utilisateur, confirmed=True)


def appareil_en_cours(utilisateur: Any) -> TOTPDevice:
    """L'appareil TOTP non confirmé de l'activation en cours (créé au besoin)."""
    appareil = TOTPDevice.objects.filter(user=utilisateur, confirmed=False).first()
    return appareil or TOTPDevice.objects.create(
        user=utilisateur, name=NOM_APPAREIL, confirmed=False
    )


def cle_base32(appareil: TOTPDevice) -> str:
    """La clé telle qu'on la tape dans une application, si l'on ne peut pas lire le QR code."""
    return base64.b32encode(appareil.bin_key).decode()


def qr_code_svg(appareil: TOTPDevice) -> str:
    """Le QR code de l'appareil en SVG, à insérer dans la page (ni script ni style en ligne)."""
    image = qrcode.make(appareil.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code à scanner" ', 1)


@transaction.atomic
def confirmer(request: HttpRequest, *, appareil: TOTPDevice, code: str) -> list[str] | None:
    """Confirme l'appareil si le code est bon ; rend les codes de secours, ou None.

    La session passe le double facteur : la personne vient de prouver qu'elle tient l'appareil.
    """
    if not appareil.verify_token(code.strip()):
        return None
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=appareil.user, confirmed=True).exclude(pk=appareil.pk).delete()
    codes = _nouveaux_codes_de_secours(appareil.user)
    otp_login(request, appareil)
    return codes


def _nouveaux_codes_de_secours(utilisateur: Any) -> list[str]:
    StaticDevice.objects.filter(user=utilisateur).delete()
    secours = StaticDevice.objects.create(user=utilisateur, name="codes de secours")
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create(StaticToken(device=secours, token=c) for c in codes)
    return codes


def verifier(utilisateur: Any, code: str) -> tuple[Device | None, bool]:
    """Le code est-il celui de l'application ou un code de secours (qui ne sert qu'une fois) ?

    Rend (appareil qui l'accepte ou None, essai freiné ?). Après un mauvais code, chaque
    appareil refuse tout essai pendant un délai qui double (django-otp).
    """
    code = code.strip().replace(" ", "")
    freine = False
    with transaction.atomic():  # verrouillés : deux essais simultanés comptent pour deux
        appareils = [
            *TOTPDevice.objects.select_for_update().filter(user=utilisateur, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=utilisateur, confirmed=True),
        ]
        for appareil in appareils:
            if not appareil.verify_is_allowed()[0]:
                freine = True
                continue
            if appareil.verify_token(code):
                return appareil, False
    return None, freine


def desactiver(utilisateur: Any) -> None:
    """Retire application et codes de secours (seulement si le double facteur n'est pas exigé)."""
    TOTPDevice.objects.filter(user=utilisateur).delete()
    StaticDevice.objects.filter(user=utilisateur).delete()
