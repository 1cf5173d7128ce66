"""Le répertoire suit le territoire du déploiement (AUTONOMIE_TERRITOIRE) : l'accueil le
nomme, les communes servies passent d'abord, une commune d'ailleurs est cherchée et signalée."""

import pytest

from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import LieuFactory, ServiceRelieFactory, StructureFactory
from territoires.models import Commune
from territoires.selectors import trouver_communes

pytestmark = pytest.mark.django_db

NEVERS = "58194"
AUXERRE = "89024"
DIJON = "21231"


@pytest.fixture
def deux_departements(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"


def service_a(code_insee: str, nom: str):
    commune = Commune.objects.get(pk=code_insee)
    structure = StructureFactory()
    lieu = LieuFactory(
        structure=structure,
        commune=commune,
        code_postal="",
        latitude=commune.latitude,
        longitude=commune.longitude,
    )
    service = ServiceRelieFactory(structure=structure, nom=nom, lieux=[lieu])
    indexer_services([service.pk])
    return service


def test_l_accueil_nomme_les_deux_departements_servis(client, deux_departements):
    html = client.get("/").text
    assert (
        "Territoire couvert par ce répertoire : <strong>Nièvre (58) et Yonne (89)</strong>" in html
    )


def test_l_accueil_d_un_deploiement_national_dit_toute_la_france(client, settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    assert "<strong>toute la France</strong>" in client.get("/").text


def test_les_communes_des_deux_departements_se_trouvent_et_se_cherchent(client, deux_departements):
    assert trouver_communes("Nevers", limite=1)[0].pk == NEVERS
    assert trouver_communes("Auxerre", limite=1)[0].pk == AUXERRE
    noms = [c["nom"] for c in client.get("/api/v1/communes?q=Auxerre").json()["resultats"]]
    assert noms[0] == "Auxerre"
    service_a(NEVERS, "Accueil de Nevers")
    service_a(AUXERRE, "Accueil d'Auxerre")
    for commune, attendu in (
        ("Nevers", "Accueil de Nevers"),
        ("Auxerre", "Accueil d&#x27;Auxerre"),
    ):
        html = client.get("/recherche/", {"commune": commune}).text
        assert attendu in html
        assert "hors du territoire" not in html


def test_a_rang_egal_une_commune_servie_passe_avant_ses_homonymes(settings):
    noms_de_l_yonne = Commune.objects.filter(departement_id="89").values("nom_normalise")
    ailleurs = (
        Commune.objects.filter(nom_normalise__in=noms_de_l_yonne)
        .exclude(departement_id="89")
        .order_by("-population", "code_insee")
        .first()
    )
    assert ailleurs is not None, "le référentiel chargé doit avoir un homonyme de l'Yonne"

    settings.AUTONOMIE_TERRITOIRE = "departement:89"
    assert trouver_communes(ailleurs.nom, limite=1)[0].departement_id == "89"
    settings.AUTONOMIE_TERRITOIRE = f"departement:{ailleurs.departement_id}"
    assert trouver_communes(ailleurs.nom, limite=1)[0].departement_id == ailleurs.departement_id


def test_une_commune_hors_du_territoire_est_cherchee_mais_signalee(client, deux_departements):
    service_a(DIJON, "Accueil de Dijon")
    html = client.get("/recherche/", {"commune": "Dijon"}).text
    assert "Accueil de Dijon" in html
    assert (
        "Dijon (21) est hors du territoire que sert ce répertoire (Nièvre (58) et Yonne (89))"
        in html
    )
    assert 'role="status"' in html


def test_l_api_de_recherche_dit_aussi_qu_une_commune_est_hors_du_territoire(
    client, settings, deux_departements
):
    settings.API_LIMITE_PAR_MINUTE = 0
    service_a(DIJON, "Accueil de Dijon")
    dijon = client.get("/api/v1/services/recherche", {"commune": "Dijon"}).json()
    assert dijon["hors_territoire"] is True
    assert [r["service"]["nom"] for r in dijon["resultats"]] == ["Accueil de Dijon"]
    auxerre = client.get("/api/v1/services/recherche", {"commune": "Auxerre"}).json()
    assert auxerre["hors_territoire"] is False
    sans_commune = client.get("/api/v1/services/recherche").json()
    assert sans_commune["hors_territoire"] is False
