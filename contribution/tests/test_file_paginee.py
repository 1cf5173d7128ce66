"""La file de modération en pages : chaque liste a la sienne, ses totaux et sa navigation
nommée ; le tri par territoire reste exact d'une page à l'autre."""

import pytest
from django.urls import reverse

from contribution import pagination, services
from contribution.models import Motif, Proposition

from .conftest import AUXERRE, NEVERS, service_a, structure_a

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_de_deux(monkeypatch):
    monkeypatch.setattr(pagination, "PAR_PAGE", 2)


def proposer(fiche, nom):
    services.proposer(
        fiche=fiche,
        valeurs={"nom": nom},
        version_lue=fiche.version,
        auteur=None,
        origine=Proposition.Origine.GESTIONNAIRE,
    )


def signaler(fiche, texte):
    services.signaler(fiche=fiche, motif=Motif.AUTRE, texte=texte, courriel="", client="x" * 64)


@pytest.fixture
def file_remplie():
    for numero in range(3):
        proposer(structure_a(NEVERS), f"Proposé à Nevers {numero}")
        signaler(service_a(NEVERS), f"Erreur à Nevers {numero}")
    proposer(structure_a(AUXERRE), "Proposé à Auxerre")
    signaler(service_a(AUXERRE), "Erreur à Auxerre")


def test_chaque_liste_de_la_file_a_ses_pages_et_son_total(client, moderateur_nievre, file_remplie):
    client.force_login(moderateur_nievre)
    page = client.get(reverse("contribution:file")).content.decode()
    assert "Propositions de modification (3)" in page
    assert "Signalements d'erreur (3)" in page
    assert page.count("Proposé à Nevers") == 2 and page.count("Erreur à Nevers") == 2
    assert "Auxerre" not in page
    assert 'aria-label="Pages des propositions"' in page
    assert 'aria-label="Pages des signalements"' in page
    assert "Page 1 sur 2 (1 à 2 sur 3)" in page
    assert 'href="?page_p=2" rel="next"' in page


def test_la_page_d_une_liste_garde_celle_de_l_autre(client, moderateur_nievre, file_remplie):
    client.force_login(moderateur_nievre)
    page = client.get(reverse("contribution:file"), {"page_p": 2, "page_s": 2}).content.decode()
    assert page.count("Proposé à Nevers") == 1 and page.count("Erreur à Nevers") == 1
    assert "Proposé à Nevers 2" in page and "Erreur à Nevers 2" in page
    assert 'href="?page_p=1&amp;page_s=2" rel="prev"' in page
    assert "Auxerre" not in page


def test_un_numero_de_page_faux_donne_une_page_de_la_file(client, moderateur_nievre, file_remplie):
    client.force_login(moderateur_nievre)
    reponse = client.get(reverse("contribution:file"), {"page_p": "abc", "page_s": 99})
    page = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Proposé à Nevers 0" in page and "Erreur à Nevers 2" in page
