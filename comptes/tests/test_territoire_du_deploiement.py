"""Les institutions suivent le territoire que sert la plateforme (AUTONOMIE_TERRITOIRE)."""

import pytest
from django.core.exceptions import ValidationError

from comptes.tests.factories import InstitutionFactory
from territoires.models import Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deux_departements(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"


def test_une_institution_d_un_departement_servi_est_acceptee():
    InstitutionFactory.build(departement=Departement.objects.get(pk="89")).full_clean()


def test_une_region_ou_la_cnsa_qui_contiennent_le_territoire_servi_sont_acceptees():
    InstitutionFactory.build(regionale=True).full_clean()
    InstitutionFactory.build(nationale=True).full_clean()


def test_une_institution_d_un_autre_departement_est_refusee_en_disant_le_territoire_servi():
    autre = InstitutionFactory.build(departement=Departement.objects.get(pk="21"))
    with pytest.raises(ValidationError, match=r"Nièvre \(58\) et Yonne \(89\)"):
        autre.full_clean()


def test_une_region_qui_ne_touche_pas_le_territoire_servi_est_refusee():
    bretagne = InstitutionFactory.build(regionale=True, region=Region.objects.get(pk="53"))
    with pytest.raises(ValidationError, match="ne touche aucun des départements"):
        bretagne.full_clean()
