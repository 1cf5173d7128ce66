"""Les questionnaires papier : le PDF imprimable, et leur saisie par les agents d'une MDPH."""

import pytest
from django.urls import reverse

from comptes.models import TypeInstitution, TypeRole
from comptes.permissions import Action, peut
from comptes.tests.factories import InstitutionFactory, RoleFactory
from satisfaction.models import Comptage, Origine, Reponse
from territoires.models import Departement

pytestmark = pytest.mark.django_db
SAISIE = reverse("satisfaction:saisie_papier")


def agent(departement: str = "58", *, type_institution=TypeInstitution.MDPH, type_role=None):
    institution = InstitutionFactory(departement_id=departement, type=type_institution)
    role = RoleFactory(institution=institution, type=type_role or TypeRole.PILOTAGE)
    return role.utilisateur


def test_le_role_de_pilotage_d_une_mdph_saisit_sur_son_territoire_seulement(db):
    nievre, yonne = Departement.objects.get(pk="58"), Departement.objects.get(pk="89")
    personne = agent("58")
    assert peut(personne, Action.SAISIR_QUESTIONNAIRES, nievre)
    assert not peut(personne, Action.SAISIR_QUESTIONNAIRES, yonne)


def test_un_role_de_pilotage_hors_mdph_ou_un_moderateur_ne_saisit_pas(db):
    nievre = Departement.objects.get(pk="58")
    ars = agent("58", type_institution=TypeInstitution.ARS)
    moderateur = agent("58", type_role=TypeRole.MODERATEUR)
    assert not peut(ars, Action.SAISIR_QUESTIONNAIRES, nievre)
    assert not peut(moderateur, Action.SAISIR_QUESTIONNAIRES, nievre)
    assert peut(ars, Action.VOIR_PILOTAGE, nievre)  # son pilotage ne change pas


def test_la_saisie_est_refusee_au_public_et_aux_autres_roles(client, version):
    assert client.get(SAISIE).status_code == 302  # vers la connexion
    client.force_login(agent("58", type_institution=TypeInstitution.CONSEIL_DEPARTEMENTAL))
    assert client.get(SAISIE).status_code == 403


def test_un_questionnaire_papier_saisi_est_marque_papier_au_mois_de_reception(client, version):
    client.force_login(agent("58"))
    page = client.get(SAISIE).content.decode()
    assert '<option value="58" selected>' in page and 'value="89"' not in page
    reponse = client.post(
        SAISIE,
        {"departement": "58", "mois": "2026-01", "pour_qui": "moi", "globale": "insatisfait"},
    )
    assert reponse.status_code == 302
    enregistree = Reponse.objects.get()
    assert enregistree.origine == Origine.PAPIER
    assert str(enregistree.mois) == "2026-01-01"
    # Une question laissée vide sur le papier n'est pas comptée.
    assert enregistree.valeurs == {"pour_qui": "moi", "globale": "insatisfait"}
    assert Comptage.objects.filter(origine=Origine.PAPIER, question="accueil").count() == 0
    papier = Comptage.objects.filter(origine=Origine.PAPIER, question="globale")
    assert papier.get(segment="tous").nombre == papier.get(segment="pour_qui=moi").nombre == 1
    assert "Le questionnaire papier est enregistré" in client.get(SAISIE).content.decode()


def test_une_saisie_pour_une_autre_mdph_ou_un_mois_mal_ecrit_est_refusee_en_francais(
    client, version
):
    client.force_login(agent("58"))
    page = client.post(SAISIE, {"departement": "89", "mois": "mars"}).content.decode()
    assert "Vous ne pouvez pas saisir pour cette MDPH." in page
    assert "Écrivez le mois ainsi : 2026-03" in page
    page = client.post(SAISIE, {"departement": "58", "mois": "2099-01"}).content.decode()
    assert "Ce mois n&#x27;est pas encore arrivé." in page
    assert Reponse.objects.count() == 0


def test_le_questionnaire_papier_s_imprime_en_pdf(client, version):
    reponse = client.get(reverse("satisfaction:questionnaire_pdf"))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
