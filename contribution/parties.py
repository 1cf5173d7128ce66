"""Les pages de modification d'une fiche, une par partie, et la navigation entre elles."""

from django.urls import reverse

from repertoire.models import Service, Structure

PARTIES_SERVICE = {
    "acces": "Pour qui, où et comment",
    "horaires": "Horaires de la semaine",
    "exceptions": "Fermetures et horaires exceptionnels",
    "permanences": "Permanences",
    "contacts": "Contacts",
}
PARTIES_STRUCTURE = {"contacts": "Contacts", "lieux": "Lieux"}


def parties_de(fiche: Structure | Service) -> list[tuple[str, str, str]]:
    """Les pages de modification d'une fiche, pour la navigation entre elles."""
    genre = "service" if isinstance(fiche, Service) else "structure"
    parties = PARTIES_SERVICE if isinstance(fiche, Service) else PARTIES_STRUCTURE
    liens = [
        ("presentation", "Présentation", reverse(f"contribution:modifier-{genre}", args=[fiche.pk]))
    ]
    for partie, titre in parties.items():
        nom = "lieux" if partie == "lieux" else f"modifier-{genre}-partie"
        args = [fiche.pk] if partie == "lieux" else [fiche.pk, partie]
        liens.append((partie, titre, reverse(f"contribution:{nom}", args=args)))
    return liens
