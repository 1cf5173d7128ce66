"""Une fiche du répertoire dit à `comptes.permissions` où elle est et qui la gère."""

import pytest
from django.db.models import ProtectedError

from comptes.models import TypeRole
from comptes.permissions import Action, peut
from comptes.tests.factories import InstitutionFactory, RoleFactory
from repertoire.models import LIEU_INCONNU, ZoneIntervention, perimetre_des_zones
from repertoire.tests.factories import (
    LieuFactory,
    ServiceRelieFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from territoires.models import Commune
from territoires.perimetres import Niveau, Perimetre

pytestmark = pytest.mark.django_db

NEVERS = "58194"
AUXERRE = "89024"
DIJON = "21231"


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def service_a(code_insee: str, **kwargs):
    """Un service et sa structure, accueillis dans un même lieu de cette commune."""
    structure = StructureFactory(**kwargs)
    lieu = LieuFactory(structure=structure, commune_id=code_insee)
    return ServiceRelieFactory(structure=structure, lieux=[lieu])


def professionnel_de(departement: str):
    institution = InstitutionFactory(departement_id=departement)
    return RoleFactory(institution=institution, type=TypeRole.PROFESSIONNEL).utilisateur


def test_un_lieu_est_dans_sa_commune_et_sans_commune_il_est_quelque_part():
    lieu = LieuFactory(commune_id=NEVERS)
    assert lieu.territoire_pour_permissions() == Perimetre(Niveau.COMMUNES, frozenset({NEVERS}))
    assert LieuFactory(commune=None).territoire_pour_permissions() == LIEU_INCONNU


def test_une_structure_est_dans_les_communes_de_ses_lieux():
    structure = StructureFactory()
    LieuFactory(structure=structure, commune_id=NEVERS)
    LieuFactory(structure=structure, commune_id=AUXERRE)
    assert structure.territoire_pour_permissions() == Perimetre(
        Niveau.COMMUNES, frozenset({NEVERS, AUXERRE})
    )
    assert StructureFactory().territoire_pour_permissions() == LIEU_INCONNU


def test_un_service_est_dans_ses_lieux_a_defaut_ses_zones_a_defaut_sa_structure():
    structure = StructureFactory()
    LieuFactory(structure=structure, commune_id=DIJON)
    avec_lieu = ServiceRelieFactory(
        structure=structure, lieux=[LieuFactory(structure=structure, commune_id=NEVERS)]
    )
    ZoneInterventionFactory(service=avec_lieu, type="region", code="27")
    assert avec_lieu.territoire_pour_permissions() == Perimetre(
        Niveau.COMMUNES, frozenset({NEVERS})
    )

    a_domicile = ServiceRelieFactory(structure=structure, a_domicile=True)
    ZoneInterventionFactory(service=a_domicile, type="departement", code="58")
    ZoneInterventionFactory(service=a_domicile, type="departement", code="89")
    assert a_domicile.territoire_pour_permissions() == Perimetre(
        Niveau.DEPARTEMENT, frozenset({"58", "89"})
    )

    sans_rien = ServiceRelieFactory(structure=structure)
    assert sans_rien.territoire_pour_permissions() == Perimetre(
        Niveau.COMMUNES, frozenset({DIJON, NEVERS})
    )


def test_des_zones_de_niveaux_meles_donnent_un_perimetre_qui_les_contient_toutes():
    Type = ZoneIntervention.Type
    epci = Commune.objects.get(pk=NEVERS).epci_id
    assert perimetre_des_zones([(Type.COMMUNE, AUXERRE), (Type.EPCI, epci)]) == Perimetre(
        Niveau.DEPARTEMENT, frozenset({"58", "89"})
    )
    assert perimetre_des_zones([(Type.COMMUNE, DIJON), (Type.REGION, "44")]) == Perimetre(
        Niveau.REGION, frozenset({"27", "44"})
    )
    assert perimetre_des_zones([(Type.FRANCE, ""), (Type.COMMUNE, DIJON)]) == Perimetre(
        Niveau.NATIONAL
    )


def test_un_professionnel_voit_les_contacts_reserves_des_fiches_de_son_departement_seulement():
    nievre = service_a(NEVERS)
    yonne = service_a(AUXERRE)
    professionnel = professionnel_de("58")

    assert peut(professionnel, Action.VOIR_CONTACTS_PROFESSIONNELS, nievre)
    assert peut(professionnel, Action.VOIR_CONTACTS_PROFESSIONNELS, nievre.structure)
    assert not peut(professionnel, Action.VOIR_CONTACTS_PROFESSIONNELS, yonne)
    assert not peut(professionnel, Action.MODIFIER_FICHE, nievre)


def test_un_gestionnaire_modifie_les_fiches_de_son_institution_ou_qu_elles_soient():
    institution = InstitutionFactory()
    gestionnaire = RoleFactory(institution=institution, type=TypeRole.GESTIONNAIRE).utilisateur
    service = service_a(DIJON, institution=institution)
    structure, lieu = service.structure, service.lieux.get()
    autre = service_a(NEVERS)

    assert service.institution_gestionnaire_id == lieu.institution_gestionnaire_id
    assert structure.institution_gestionnaire_id == institution.pk
    for fiche in (structure, service, lieu):
        assert peut(gestionnaire, Action.MODIFIER_FICHE, fiche)
    assert not peut(gestionnaire, Action.MODIFIER_FICHE, autre)
    assert not peut(gestionnaire, Action.MODIFIER_FICHE, autre.structure)


def test_une_institution_qui_gere_des_fiches_ne_se_supprime_pas():
    institution = InstitutionFactory()
    StructureFactory(institution=institution)
    with pytest.raises(ProtectedError):
        institution.delete()


def test_l_administration_des_structures_montre_et_enregistre_l_institution(admin_client):
    institution = InstitutionFactory(nom="MDA de la Nièvre")
    structure = StructureFactory(institution=institution)
    assert "MDA de la Nièvre" in admin_client.get("/admin/repertoire/structure/").text
    page = admin_client.get(f"/admin/repertoire/structure/{structure.pk}/change/")
    assert 'name="institution"' in page.text
