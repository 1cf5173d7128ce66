"""Le territoire servi par un déploiement : un département, plusieurs, une région, le pays."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from territoires.deploiement import (
    codes_departements_du_deploiement,
    dans_le_deploiement,
    departements_du_deploiement,
    lire_territoire,
)
from territoires.models import Commune, Departement
from territoires.perimetres import Niveau, Perimetre


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("departement:58", Perimetre(Niveau.DEPARTEMENT, frozenset({"58"}))),
        (" departement:58, 89 ", Perimetre(Niveau.DEPARTEMENT, frozenset({"58", "89"}))),
        ("departement:2a", Perimetre(Niveau.DEPARTEMENT, frozenset({"2A"}))),
        ("region:27", Perimetre(Niveau.REGION, frozenset({"27"}))),
        ("national", Perimetre.national()),
    ],
)
def test_le_territoire_se_lit_d_un_texte_court(texte, attendu):
    assert lire_territoire(texte) == attendu


@pytest.mark.parametrize("texte", ["", "58", "departement:", "commune:58194", "national:58"])
def test_un_territoire_mal_ecrit_est_refuse_en_francais(texte):
    with pytest.raises(ImproperlyConfigured, match="AUTONOMIE_TERRITOIRE"):
        lire_territoire(texte)


def test_un_territoire_mal_ecrit_arrete_le_controle_au_demarrage(settings):
    settings.AUTONOMIE_TERRITOIRE = "departemnt:58"
    with pytest.raises(SystemCheckError, match=r"territoires\.E001"):
        call_command("check")


@pytest.mark.django_db
def test_un_deploiement_sur_deux_departements_sert_les_deux_et_seulement_eux(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"
    assert list(departements_du_deploiement().values_list("code", flat=True)) == ["58", "89"]
    assert codes_departements_du_deploiement() == {"58", "89"}
    assert dans_le_deploiement(Commune.objects.get(pk="58194"))
    assert not dans_le_deploiement(Commune.objects.get(pk="21231"))
    assert not dans_le_deploiement(Departement.objects.get(pk="58").region)


@pytest.mark.django_db
def test_un_deploiement_regional_sert_ses_departements_et_un_national_tous(settings):
    settings.AUTONOMIE_TERRITOIRE = "region:27"
    assert set(departements_du_deploiement().values_list("code", flat=True)) == {
        "21", "25", "39", "58", "70", "71", "89", "90",
    }  # fmt: skip
    settings.AUTONOMIE_TERRITOIRE = "national"
    assert codes_departements_du_deploiement() is None
    assert dans_le_deploiement(Commune.objects.get(pk="21231"))
