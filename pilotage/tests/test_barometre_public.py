"""Le baromètre public des MDPH : sans connexion, une phrase par indicateur face à la France,
« national (N MDPH chargées) » et la valeur publiée à côté, graphiques avec leurs tableaux,
l'historique en CSV et en JSON (API), et rien des données réservées."""

import datetime as dt
import re

import pytest

from pilotage.barometres import importer_barometre
from pilotage.public import de
from pilotage.tests.conftest import DONNEES

pytestmark = pytest.mark.django_db


@pytest.fixture
def satisfaction(activite, settings):
    """35 réponses en 2026 pour la Nièvre, 10 pour la Côte-d'Or ; le national publié 2022."""
    from satisfaction.imports import importer_resultats
    from satisfaction.models import Origine
    from satisfaction.services import enregistrer_reponse
    from satisfaction.tests.conftest import creer_version_1
    from territoires.models import Departement

    settings.SATISFACTION_SEUIL_PUBLICATION = 30
    version = creer_version_1()
    for code, n, globale in (
        ("58", 28, "satisfait"),
        ("58", 7, "insatisfait"),
        ("21", 10, "satisfait"),
    ):
        for _ in range(n):
            enregistrer_reponse(
                version=version,
                departement=Departement.objects.get(pk=code),
                valeurs={
                    "pour_qui": "moi",
                    "motifs": ["aah"],
                    "etat": "decision",
                    "globale": globale,
                },
                origine=Origine.EN_LIGNE,
                mois=dt.date(2026, 2, 1),
            )
    from satisfaction.demo import EXEMPLE_NATIONAL

    importer_resultats(chemin=EXEMPLE_NATIONAL)
    return activite


def test_le_nom_d_un_departement_prend_son_article():
    assert de("Nièvre") == "de la Nièvre"
    assert de("Cher") == "du Cher"
    assert de("Eure") == "de l'Eure"
    assert de("Vosges") == "des Vosges"
    assert de("Paris") == "de Paris"
    assert de("Côte-d'Or") == "de la Côte-d'Or"


def test_la_page_publique_dit_chaque_indicateur_en_une_phrase_sans_connexion(client, satisfaction):
    page = client.get("/barometre/mdph/58/")
    assert page.status_code == 200
    texte = page.content.decode()
    assert re.search(
        r"À la MDPH de la [^,]+, une demande est traitée en \d+,\d mois en moyenne ;", texte
    )
    assert "des AAH sont attribuées sans limitation de durée" in texte
    # 28 / 35 = 80 % ; la France : la valeur publiée par la CNSA (65 % en 2022).
    assert (
        "80,0 % des personnes qui ont répondu en 2026 sont satisfaites de la MDPH ; "
        "65,0 % en France (2022" in texte
    )
    assert "MDPH chargées)" in texte and "national publié" in texte


def test_chaque_graphique_public_a_son_tableau_et_son_export(client, satisfaction):
    texte = client.get("/barometre/mdph/58/").content.decode()
    graphiques = re.findall(r'<svg class="graphique"[^>]*>', texte)
    assert len(graphiques) >= 5
    assert texte.count("<caption>") >= len(graphiques)
    export = client.get("/barometre/mdph/58/tableaux/delai-global.csv")
    assert export.status_code == 200
    assert "National (2 MDPH chargées)" in export.content.decode("utf-8-sig")
    assert client.get("/barometre/mdph/58/tableaux/satisfaction-globale.xlsx").status_code == 200


def test_une_mdph_sous_le_seuil_ne_publie_pas_son_taux(client, satisfaction):
    texte = client.get("/barometre/mdph/21/").content.decode()
    assert "moins de 30 réponses : non publié en 2026" in texte


def test_les_donnees_reservees_restent_derriere_le_pilotage(client, satisfaction):
    texte = client.get("/barometre/mdph/58/").content.decode()
    assert "Stock" not in texte and "avis libres" not in texte.lower()
    assert client.get("/pilotage/mdph/58/activite/").status_code == 302
    assert client.get("/satisfaction/resultats/mdph/58/").status_code == 302


def test_l_historique_se_telecharge_en_csv_et_en_json(client, satisfaction):
    importer_barometre(chemin=DONNEES / "ditp_ind-296_dmt_global_hors_aah.csv")
    csv = client.get("/barometre/mdph/58/historique.csv").content.decode("utf-8-sig")
    entete, *lignes = csv.splitlines()
    assert entete == "indicateur;libelle;periode;valeur_de;colonne;unite;valeur"
    assert any(li.startswith("publie-ind-296;") and ";national_publie;" in li for li in lignes)
    assert any(li.startswith("delai-global;") and ";national_poole;" in li for li in lignes)
    api = client.get("/api/v1/barometre/mdph/58").json()
    assert api["code"] == "58"
    assert {i["code"] for i in api["indicateurs"]} >= {"delai-global", "satisfaction-globale"}
    assert len(api["historique"]) == len(lignes)
    assert "58" in {m["code"] for m in client.get("/api/v1/barometre/mdph").json()}
    erreur = client.get("/api/v1/barometre/mdph/999")
    assert erreur.status_code == 404 and "Aucune MDPH" in erreur.json()["detail"]


def test_l_api_du_barometre_est_decrite_dans_openapi(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/barometre/mdph/{code}" in schema["paths"]


def test_la_liste_et_le_pied_de_page_menent_au_barometre(client, satisfaction):
    liste = client.get("/barometre/").content.decode()
    assert "/barometre/mdph/58/" in liste
    assert 'href="/barometre/"' in client.get("/donner-mon-avis/").content.decode()


def test_le_taux_de_satisfaction_est_un_indicateur_des_priorites(satisfaction):
    from pilotage.models import Indicateur
    from pilotage.priorites import synchroniser_priorites, valeurs_annee

    synchroniser_priorites()
    indicateur = Indicateur.objects.get(code="satisfaction-globale")
    (valeurs,) = valeurs_annee(indicateurs=[indicateur], annee=2026)
    assert valeurs.connectee
    assert valeurs.par_departement == {"58": 80.0, "21": None}
    assert valeurs.national == 84.4  # 38 / 45, poolé ; la moyenne des taux ferait 90 %
    assert "national, 2 MDPH chargées" in valeurs.note_national
    assert "valeur publiée par la CNSA : 65,0 % (2022)" in valeurs.note_national
