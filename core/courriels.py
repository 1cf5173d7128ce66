"""Un courriel de la plateforme : sujet, texte et HTML rendus de trois gabarits en français.

`<gabarit>_sujet.txt`, `<gabarit>.txt` et `<gabarit>.html` ; le nom du site est dans le
contexte de chacun. Le moteur d'envoi est celui des réglages (console par défaut, SMTP).
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def envoyer_courriel(
    gabarit: str, *, a: list[str], contexte: dict[str, Any], entetes: dict[str, str] | None = None
) -> None:
    contexte = {"site_nom": settings.AUTONOMIE_SITE_NOM, **contexte}
    sujet = render_to_string(f"{gabarit}_sujet.txt", contexte).strip()
    courriel = EmailMultiAlternatives(
        sujet, render_to_string(f"{gabarit}.txt", contexte), to=a, headers=entetes or {}
    )
    courriel.attach_alternative(render_to_string(f"{gabarit}.html", contexte), "text/html")
    courriel.send()
