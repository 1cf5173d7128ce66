"""Tableaux de bord : accès réservé, rendu dans les deux thèmes, graphiques = tableaux = exports."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from pilotage.priorites import synchroniser_priorites

PAGES = (
    "/pilotage/",
    "/pilotage/mdph/58/",
    "/pilotage/mdph/58/activite/",
    "/pilotage/classement/",
    "/pilotage/alertes/",
    "/pilotage/priorites/",
    "/pilotage/priorites/5/",
    "/pilotage/priorites/3/",
    "/pilotage/rapports/58/2024/",
    "/pilotage/rapports/branche/2024/",
)
EXPORTS = (
    "/pilotage/mdph/58/tableaux/delai-global.csv",
    "/pilotage/mdph/58/activite/tableaux/flux.xlsx",
    "/pilotage/classement/tableaux/classement.csv",
    "/pilotage/alertes/tableaux/alertes.csv",
    "/pilotage/rapports/58/2024/rapport.pdf",
)


@pytest.mark.parametrize("url", PAGES + EXPORTS)
def test_un_visiteur_anonyme_est_renvoye_vers_la_connexion(client, db, url):
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/pilotage/connexion/?next=")


def test_un_compte_sans_permission_de_pilotage_est_refuse(client, db):
    client.force_login(User.objects.create_user("curieux", password="mot-de-passe-long"))
    assert client.get("/pilotage/mdph/58/").status_code == 403


def test_la_page_de_connexion_mene_au_pilotage(client, db, theme):
    assert "Se connecter" in client.get("/pilotage/connexion/").content.decode()
    User.objects.create_user("pro", password="mot-de-passe-long")
    reponse = client.post(
        "/pilotage/connexion/", {"username": "pro", "password": "mot-de-passe-long"}
    )
    assert reponse.status_code == 302 and reponse["Location"] == "/pilotage/"


@pytest.mark.parametrize("url", PAGES)
def test_chaque_page_s_affiche_dans_les_deux_themes(professionnel, activite, theme, url):
    synchroniser_priorites()
    reponse = professionnel.get(url)
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert ("fr-header" in contenu) == (theme == "dsfr")
    assert "<h1" in contenu


def test_les_pages_sans_activite_le_disent(professionnel, departements):
    contenu = professionnel.get("/pilotage/mdph/58/").content.decode()
    assert "Aucune activité de cette MDPH" in contenu
    assert professionnel.get("/pilotage/mdph/58/activite/").status_code == 200
    assert professionnel.get("/pilotage/classement/").status_code == 200


def test_chaque_graphique_est_accessible_et_a_son_tableau(professionnel, activite):
    contenu = professionnel.get("/pilotage/mdph/58/").content.decode()
    graphiques = re.findall(r'<svg class="graphique"[^>]*>', contenu)
    assert len(graphiques) >= 9
    assert all('role="img"' in g and "aria-labelledby" in g for g in graphiques)
    assert contenu.count("<desc id=") == len(graphiques)
    assert contenu.count("<caption>") >= len(graphiques)
    assert 'scope="col"' in contenu and 'scope="row"' in contenu
    assert "« Ma MDPH, mon avis », recueillie dans Autonomie" in contenu


def _bloc(contenu: str, slug: str) -> str:
    debut = contenu.index(f'aria-labelledby="titre-{slug}"')
    return contenu[debut : contenu.index("</section>", debut)]


def test_les_points_du_graphique_sont_les_nombres_du_tableau(professionnel, activite):
    bloc = _bloc(professionnel.get("/pilotage/mdph/58/").content.decode(), "delai-global")
    points = re.findall(r"<title>(Nièvre|National), (\d{4}-T\d) : ([\d,]+) mois</title>", bloc)
    lignes = re.findall(
        r'<th scope="row">(\d{4}-T\d)</th><td class="nombre">([\d,—]+)</td>'
        r'<td class="nombre">([\d,—]+)</td>',
        bloc,
    )
    assert len(lignes) == 8 and len(points) == 16
    tableau = {(t, "Nièvre"): v for t, v, _ in lignes} | {(t, "National"): v for t, _, v in lignes}
    assert {(t, serie): v for serie, t, v in points} == tableau


def _nombres_csv(contenu: bytes) -> list[list[str]]:
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    return [[c.replace(",", ".") for c in ligne] for ligne in lignes[1:]]


def test_les_exports_csv_et_xlsx_portent_les_nombres_de_la_page(professionnel, activite):
    from pilotage.tableaux_de_bord import barometre_mdph
    from territoires.models import Departement

    tableau = barometre_mdph(departement=Departement.objects.get(code="58")).tableaux["delai-aah"]
    attendu = [[str(c) if c is not None else "" for c in ligne] for ligne in tableau.lignes]
    csv_ = professionnel.get("/pilotage/mdph/58/tableaux/delai-aah.csv")
    assert csv_["Content-Type"].startswith("text/csv")
    assert _nombres_csv(csv_.content) == attendu
    xlsx = professionnel.get("/pilotage/mdph/58/tableaux/delai-aah.xlsx")
    feuille = load_workbook(io.BytesIO(xlsx.content)).active
    lignes = [list(r) for r in feuille.iter_rows(min_row=3, values_only=True) if r[0]]
    assert lignes[: len(tableau.lignes)] == tableau.lignes
    page = professionnel.get("/pilotage/mdph/58/").content.decode()
    premiere = tableau.lignes[0]
    assert f'<th scope="row">{premiere[0]}</th>' in page


def test_un_tableau_inconnu_n_est_pas_exporte(professionnel, activite):
    assert professionnel.get("/pilotage/mdph/58/tableaux/inconnu.csv").status_code == 404


def test_l_export_du_classement_suit_les_filtres_de_la_page(professionnel, activite):
    url = "/pilotage/classement/tableaux/classement.csv?indicateur=delai-pch&annee=2023"
    lignes = _nombres_csv(professionnel.get(url).content)
    assert [ligne[2] for ligne in lignes] and {ligne[2] for ligne in lignes} == {"58", "21"}
    page = professionnel.get("/pilotage/classement/?indicateur=delai-pch&annee=2023")
    assert "classement.csv?indicateur=delai-pch&amp;annee=2023" in page.content.decode()


def test_la_page_d_activite_annonce_la_prevision_du_stock(professionnel, activite):
    contenu = professionnel.get("/pilotage/mdph/58/activite/").content.decode()
    assert "Résorption du stock" in contenu
    assert "ne diminue pas" in contenu or "serait résorbé en" in contenu
    assert "Répartition des délais" in contenu and "12 mois ou plus" in contenu


def test_le_barometre_lit_peu_de_requetes(professionnel, activite, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        professionnel.get("/pilotage/mdph/58/")


def test_les_barres_et_les_courbes_ont_une_couleur_et_des_valeurs_ecrites(professionnel, activite):
    contenu = professionnel.get("/pilotage/mdph/58/activite/").content.decode()
    assert 'fill=""' not in contenu and 'stroke=""' not in contenu
    assert 'stroke-dasharray="8 5"' in contenu  # la 2e série se distingue sans la couleur
    assert re.search(
        r"<text x=\"[\d.]+\" y=\"[\d.]+\">\d[\d\u202f]* </text>|>\d[\d\u202f]*</text>", contenu
    )
