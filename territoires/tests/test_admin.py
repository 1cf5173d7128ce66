"""L'administration montre le référentiel sans permettre de le modifier."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("recherche", ["st pierre le moutier", "58264", "58240"])
def test_la_recherche_trouve_par_nom_approche_code_insee_ou_code_postal(admin_client, recherche):
    reponse = admin_client.get(reverse("admin:territoires_commune_changelist"), {"q": recherche})

    assert reponse.status_code == 200
    assert "Saint-Pierre-le-Moûtier" in reponse.text


def test_la_liste_se_filtre_par_departement(admin_client):
    url = reverse("admin:territoires_commune_changelist")

    reponse = admin_client.get(url, {"departement__code__exact": "2A", "q": "ajaccio"})

    assert reponse.status_code == 200
    assert "Ajaccio" in reponse.text


def test_le_referentiel_n_est_pas_modifiable(admin_client):
    fiche = admin_client.get(reverse("admin:territoires_commune_change", args=["58194"]))
    ajout = admin_client.get(reverse("admin:territoires_commune_add"))

    assert fiche.status_code == 200
    assert 'name="_save"' not in fiche.text
    assert "58000" in fiche.text
    assert ajout.status_code == 403


@pytest.mark.parametrize("modele", ["region", "departement", "epci", "codepostal"])
def test_chaque_liste_s_affiche(admin_client, modele):
    assert admin_client.get(reverse(f"admin:territoires_{modele}_changelist")).status_code == 200
