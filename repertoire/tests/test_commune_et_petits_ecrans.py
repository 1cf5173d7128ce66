"""La page de recherche dit quelle commune elle a retenue quand la saisie en désignait
plusieurs ou n'en nommait aucune, et replie ses filtres derrière un bouton sans JavaScript."""

from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def _page(client, **parametres) -> str:
    reponse = client.get("/recherche/", parametres)
    assert reponse.status_code == 200
    return unescape(reponse.text)


def test_une_commune_mal_orthographiee_est_comprise_et_la_page_le_dit(client):
    html = _page(client, commune="Chateau Chinnon")

    assert "Aucune commune ne s'appelle exactement « Chateau Chinnon »" in html
    assert "<strong>Château-Chinon (Ville) 58120 – Nièvre</strong>" in html
    assert "autour de Château-Chinon (Ville)" in html
    assert "Château-Chinon (Campagne) 58120 – Nièvre</a>" in html


def test_une_saisie_ambigue_dit_la_commune_retenue_et_offre_les_autres_en_liens(client):
    html = _page(client, commune="Saint-Pierre", q="aide")

    assert "Plusieurs communes répondent à « Saint-Pierre »" in html
    assert "<strong>Saint-Pierre-le-Moûtier 58240 – Nièvre</strong>" in html
    assert "Vous pensiez peut-être à :" in html
    # Chaque autre commune relance la même recherche autour d'elle.
    assert 'href="?q=aide&commune=Saint-Pierre-du-Mont+58210"' in html


def test_une_commune_sans_ambiguite_ne_montre_aucun_choix(client):
    html = _page(client, commune="Nevers")

    assert "Plusieurs communes répondent" not in html
    assert "Aucune commune ne s'appelle" not in html


def test_le_lien_d_une_autre_commune_la_designe_seule(client):
    html = _page(client, commune="Saint-Pierre-du-Mont 58210")

    assert "autour de Saint-Pierre-du-Mont" in html
    assert "Plusieurs communes répondent" not in html


def test_les_filtres_sont_replies_derriere_un_bouton_qui_marche_sans_javascript(client):
    html = _page(client, q="aide")

    assert '<details class="filtres-repli">' in html
    assert "<summary>Affiner : besoin, public, distance…</summary>" in html
    assert html.index("<details") < html.index('<form class="filtres"')
    assert html.index("</form>") < html.index("</details>") < html.index('id="resultats"')


def test_des_filtres_en_erreur_sont_deplies(client):
    html = _page(client, rayon="loin")

    assert '<details class="filtres-repli" open>' in html


def test_un_lien_mene_directement_aux_resultats(client):
    html = _page(client, q="aide")

    assert '<a href="#resultats">Aller aux résultats</a>' in html
    assert html.index("Aller aux résultats") < html.index("<details")
    assert '<section class="resultats" id="resultats" tabindex="-1"' in html
