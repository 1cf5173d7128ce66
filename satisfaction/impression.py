"""Le questionnaire papier en PDF (WeasyPrint), comme les rapports du pilotage : un gabarit
d'impression autonome, rien à aller chercher sur le réseau ni sur le disque."""

import logging

from django.template.loader import render_to_string


def _aucune_ressource(url: str, *args, **kwargs) -> dict:
    raise ValueError(f"ressource refusée dans un PDF : {url}")


def en_pdf(*, gabarit: str, contexte: dict) -> bytes:
    from weasyprint import HTML  # import tardif : Pango n'est chargé que pour les PDF

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_to_string(gabarit, contexte)
    return HTML(string=html, url_fetcher=_aucune_ressource).write_pdf()
