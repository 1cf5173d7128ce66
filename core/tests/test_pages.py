import pytest


@pytest.fixture(params=["neutre", "dsfr"])
def theme(request, settings) -> str:
    settings.AUTONOMIE_THEME = request.param
    return request.param


@pytest.mark.django_db
def test_la_page_d_accueil_est_en_francais_avec_le_nom_du_deployeur(client, settings):
    settings.AUTONOMIE_DEPLOYEUR_NOM = "Département de Test"
    reponse = client.get("/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert '<html lang="fr">' in contenu
    assert "Département de Test" in contenu


@pytest.mark.django_db
def test_l_accueil_cherche_par_besoin_et_commune_dans_les_deux_themes(client, theme):
    contenu = client.get("/").content.decode()
    assert contenu.count("<h1") == 1
    assert 'action="/recherche/"' in contenu and 'method="get"' in contenu
    assert "<optgroup" in contenu  # thésaurus : premier niveau en groupes
    for champ in ("id_besoin", "id_commune", "id_q"):
        assert f'for="{champ}"' in contenu
    assert 'href="#contenu"' in contenu  # lien d'évitement
    assert "core/communes.js" in contenu
    if theme == "dsfr":
        assert "dsfr.min.css" in contenu and "fr-select" in contenu
    else:
        assert "core/theme.css" in contenu and "dsfr" not in contenu


@pytest.mark.django_db
def test_le_theme_neutre_prend_la_couleur_du_deployeur(client, settings):
    settings.AUTONOMIE_COULEUR_PRIMAIRE = "#5a2d82"
    assert "--couleur-primaire: #5a2d82" in client.get("/").content.decode()


@pytest.mark.django_db
def test_la_sonde_de_sante_repond(client):
    assert client.get("/sante/").json() == {"statut": "ok"}


@pytest.mark.django_db
def test_le_schema_openapi_est_publie(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "API Autonomie"


def test_un_total_plancher_s_annonce_comme_tel():
    from core.templatetags.pages import nombre_resultats

    assert nombre_resultats(1001, False) == "Plus de 1\u202f000 résultats"
    assert nombre_resultats(1, True) == "1 résultat"
