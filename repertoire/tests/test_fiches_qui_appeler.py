"""Une fiche qui aide (issue 13, § 6) : sans téléphone, elle dit qui appeler ; la date d'une
source n'est jamais une vérification ; une fiche FINESS mène à sa fiche nationale."""

import datetime as dt

import pytest

from repertoire.models import Provenance, Structure, lien_fiche_finess
from repertoire.points_information import point_information_pour
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import (
    BesoinFactory,
    ContactFactory,
    LieuFactory,
    ServiceRelieFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from repertoire.views import url_service, url_structure
from territoires.models import Commune

pytestmark = pytest.mark.django_db

NEVERS, CLAMECY = "58194", "58079"


@pytest.fixture
def nevers() -> Commune:
    return Commune.objects.get(pk=NEVERS)


def ehpad_sans_telephone(commune: Commune):
    """Comme une fiche FINESS sans numéro : aucun contact, une structure sans téléphone."""
    service = ServiceRelieFactory(nom="EHPAD LES ROSES", lieux=[LieuFactory(commune=commune)])
    Provenance.objects.create(
        objet=service,
        source="finess",
        identifiant="580000768",
        date_maj_source=dt.date(2017, 4, 21),
    )
    return service


def clic(commune_id: str, nom: str, telephone: str):
    service = ServiceRelieFactory(
        nom=nom,
        besoins=[BesoinFactory(slug="clic")],
        lieux=[LieuFactory(commune_id=commune_id)],
    )
    ContactFactory(service=service, telephone=telephone)
    return service


def test_sans_telephone_la_fiche_propose_le_point_d_information_de_sa_commune(client, nevers):
    service = ehpad_sans_telephone(nevers)
    clic(CLAMECY, "CLIC du Haut Nivernais", "03 86 00 00 02")
    proche = clic(NEVERS, "CLIC de Nevers", "03 86 00 00 01")

    page = client.get(url_service(service)).content.decode()

    assert "Pas de numéro de téléphone connu pour cette fiche." in page
    assert "Appelez le point d'information de votre commune (Nevers)" in page
    assert f'<a href="{url_service(proche)}">CLIC de Nevers</a>' in page
    assert 'href="tel:0386000001"' in page


def test_une_zone_qui_nomme_la_commune_passe_avant_un_lieu_ailleurs_dans_le_departement(nevers):
    clic(CLAMECY, "CLIC du Haut Nivernais", "03 86 00 00 02")
    couvrant = clic(CLAMECY, "Point info seniors de l'agglomération", "03 86 00 00 03")
    ZoneInterventionFactory(service=couvrant, type="commune", code=NEVERS)

    point = point_information_pour(nevers)

    assert (point.nom, point.telephone) == (couvrant.nom, "03 86 00 00 03")


def test_sans_point_d_information_la_fiche_propose_le_conseil_departemental(client, nevers):
    service = ehpad_sans_telephone(nevers)
    departement = StructureFactory(
        nom="Conseil départemental de la Nièvre",
        typologie=Structure.Typologie.DEPARTEMENT,
        telephone="03 86 60 67 00",
    )
    LieuFactory(structure=departement, commune=nevers)

    page = client.get(url_service(service)).content.decode()

    assert "Appelez Conseil départemental de la Nièvre :" in page
    assert 'href="tel:0386606700"' in page


def test_sans_aucun_numero_connu_la_fiche_dit_qui_appeler_en_general(client, nevers):
    service = ehpad_sans_telephone(nevers)

    page = client.get(url_service(service)).content.decode()

    assert "Appelez la mairie de votre commune, le CCAS ou le conseil départemental" in page


def test_une_fiche_avec_un_telephone_ne_renvoie_pas_ailleurs(client, nevers):
    service = ehpad_sans_telephone(nevers)
    ContactFactory(service=service, telephone="03 86 11 11 11")
    clic(NEVERS, "CLIC de Nevers", "03 86 00 00 01")

    page = client.get(url_service(service)).content.decode()

    assert "Pas de numéro de téléphone connu" not in page
    assert "CLIC de Nevers" not in page


def test_une_structure_sans_telephone_propose_aussi_le_point_d_information(client, nevers):
    structure = StructureFactory(nom="Organisme gestionnaire (FINESS juridique 920030186)")
    LieuFactory(structure=structure, commune=nevers)
    clic(NEVERS, "CLIC de Nevers", "03 86 00 00 01")

    page = client.get(url_structure(structure)).content.decode()

    assert "CLIC de Nevers" in page


def test_la_date_finess_est_une_mise_a_jour_de_la_source_et_la_fiche_mene_a_la_fiche_nationale(
    client, nevers
):
    service = ehpad_sans_telephone(nevers)

    page = client.get(url_service(service)).content.decode()

    assert "mis à jour dans FINESS le 21 avril 2017" in page
    assert "Vérifié le" not in page
    assert f'<a href="{lien_fiche_finess("580000768")}" rel="noopener">' in page
    assert "voir la fiche nationale FINESS n° 580000768" in page


def test_une_recherche_sans_reponse_propose_le_point_d_information_de_la_commune(client, nevers):
    proche = clic(NEVERS, "CLIC de Nevers", "03 86 00 00 01")
    indexer_services()

    page = client.get("/recherche/", {"q": "zzzz introuvable", "commune": "Nevers"})
    texte = page.content.decode()

    assert "Le point d'information qui couvre Nevers saura vous renseigner" in texte
    assert f'<a href="{url_service(proche)}">CLIC de Nevers</a>' in texte
    assert 'href="tel:0386000001"' in texte


def test_une_recherche_avec_reponses_ne_renvoie_pas_ailleurs(client, nevers):
    clic(NEVERS, "CLIC de Nevers", "03 86 00 00 01")
    indexer_services()

    page = client.get("/recherche/", {"q": "clic", "commune": "Nevers"}).content.decode()

    assert "saura vous renseigner ou vous orienter" not in page
