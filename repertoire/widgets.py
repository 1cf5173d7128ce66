"""Le champ du résumé FALC avec son aide : la mesure du texte et les règles, juste après la
zone de saisie (sans JavaScript : la mesure porte sur le texte enregistré ou renvoyé)."""

from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from repertoire.falc import REGLES_FALC, mesurer_lisibilite


def aide_falc(texte: str, *, id: str = "aide-falc") -> SafeString:
    """Le gabarit `repertoire/_aide_falc.html` rempli pour ce texte."""
    contexte = {"mesure": mesurer_lisibilite(texte or ""), "regles": REGLES_FALC, "id": id}
    return mark_safe(render_to_string("repertoire/_aide_falc.html", contexte))


class AideFalcTextarea(forms.Textarea):
    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> SafeString:
        attrs = dict(attrs or {})
        aide = f"{attrs.get('id', name)}-aide-falc"
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), aide]))
        zone = super().render(name, value, attrs, renderer)
        return mark_safe(zone + aide_falc(value or "", id=aide))
