import pytest


@pytest.mark.django_db
def test_la_page_d_accueil_est_en_francais_avec_le_nom_du_deployeur(client, settings):
    settings.AUTONOMIE_DEPLOYEUR_NOM = "Département de Test"
    reponse = client.get("/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert '<html lang="fr">' in contenu
    assert "Département de Test" in contenu


@pytest.mark.django_db
def test_la_sonde_de_sante_repond(client):
    assert client.get("/sante/").json() == {"statut": "ok"}


@pytest.mark.django_db
def test_le_schema_openapi_est_publie(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "API Autonomie"
