"""Les animateurs voient les recherches peu ou pas servies de leur territoire, en tableau et
en CSV ; les comptages anciens sont purgés."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from repertoire.models import ComptageRecherche, Tranche
from territoires.models import EPCI, Commune
from veille.services import purger_comptages
from veille.tests.conftest import compter

pytestmark = pytest.mark.django_db
NEVERS, BOURGES = "58194", "18033"
AUJOURDHUI = timezone.localdate()


@pytest.fixture(autouse=True)
def deux_departements(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,18"


def texte(reponse) -> str:
    return " ".join(reponse.content.decode().split())


def lire_csv(reponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(reponse.content.decode()), delimiter=";"))


@pytest.fixture
def recherches():
    compter(NEVERS, "aide-a-domicile", Tranche.AUCUN, 3, jour=AUJOURDHUI)
    compter(NEVERS, "aide-a-domicile", Tranche.UN_OU_DEUX, 1, jour=AUJOURDHUI)
    compter(NEVERS, "aide-a-domicile", Tranche.DIX_ET_PLUS, 4, jour=AUJOURDHUI)
    compter(NEVERS, "", Tranche.AUCUN, 2, jour=AUJOURDHUI)
    compter(NEVERS, "ehpad", Tranche.DIX_ET_PLUS, 9, jour=AUJOURDHUI)  # bien servie
    compter(BOURGES, "portage-de-repas", Tranche.AUCUN, 7, jour=AUJOURDHUI)


def test_l_animateur_de_la_nievre_voit_les_recherches_peu_servies_de_la_nievre(
    client, animateur, recherches
):
    reponse = client.get("/veille/58/", {"maille": "commune"})

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "<caption>Recherches ayant trouvé moins de trois réponses, par commune" in page
    assert (
        '<tr><th scope="row">Nevers</th><td>Aide à domicile</td><td>8</td><td>3</td><td>1</td>'
        "<td>50</td></tr>" in page
    )
    assert '<th scope="row">Nevers</th><td>(besoin non reconnu)</td><td>2</td><td>2</td>' in page
    assert "Bourges" not in page and "Portage" not in page
    assert "EHPAD" not in page  # toujours 10 réponses ou plus : pas à surveiller


def test_l_animateur_de_la_nievre_ne_voit_pas_un_autre_departement(client, animateur, recherches):
    assert client.get("/veille/18/").status_code == 403
    assert client.get("/veille/18/export.csv").status_code == 403
    assert "Cher" not in texte(client.get("/veille/"))


def test_l_animateur_du_cher_ne_voit_pas_la_nievre(client, animateur_du_cher, recherches):
    assert client.get("/veille/58/").status_code == 403
    page = texte(client.get("/veille/18/", {"maille": "departement"}))
    assert '<th scope="row">Cher</th><td>Portage de repas</td><td>7</td>' in page
    assert "Nevers" not in page


def test_une_personne_sans_role_d_animateur_est_refusee(client, recherches):
    assert client.get("/veille/58/").status_code == 302  # vers la connexion
    client.force_login(_sans_role())
    assert client.get("/veille/58/").status_code == 403


def _sans_role():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("sans-role", "sans-role@exemple.fr", "x")


def test_les_recherches_se_regroupent_par_epci(client, animateur):
    # Nevers et Challuy (58051) sont dans la même communauté d'agglomération.
    challuy = Commune.objects.select_related("epci").get(pk="58051")
    assert challuy.epci_id == Commune.objects.get(pk=NEVERS).epci_id
    compter(NEVERS, "aide-a-domicile", Tranche.AUCUN, 1, jour=AUJOURDHUI)
    compter("58051", "aide-a-domicile", Tranche.AUCUN, 2, jour=AUJOURDHUI)

    page = texte(client.get("/veille/58/", {"maille": "epci"}))

    ligne = f'<tr><th scope="row">{escape(challuy.epci.nom)}</th><td>Aide à domicile</td><td>3</td>'
    assert ligne in page


def test_la_periode_choisie_borne_les_recherches(client, animateur):
    compter(NEVERS, "aide-a-domicile", Tranche.AUCUN, 5, jour=dt.date(2025, 1, 10))
    compter(NEVERS, "aide-a-domicile", Tranche.AUCUN, 1, jour=dt.date(2025, 3, 10))

    page = texte(client.get("/veille/58/", {"du": "2025-01-01", "au": "2025-01-31"}))

    assert "<td>Aide à domicile</td><td>5</td>" in page
    assert "5 recherche(s) autour d'une commune du département" in page


def test_une_periode_a_l_envers_est_refusee_en_francais(client, animateur):
    page = texte(client.get("/veille/58/", {"du": "2025-02-01", "au": "2025-01-01"}))
    assert "La date de début doit précéder la date de fin." in page


def test_le_tableau_se_lit_en_un_nombre_fixe_de_requetes(
    client, animateur, recherches, django_assert_max_num_queries
):
    client.get("/veille/58/")  # mémoires (thésaurus, rôles) remplies
    with django_assert_max_num_queries(9):
        client.get("/veille/58/", {"maille": "commune"})


def test_le_csv_a_ses_colonnes_et_aucune_formule(client, animateur, recherches):
    epci = EPCI.objects.create(code="999999999", nom='=HYPERLINK("http://x")', type="CC")
    Commune.objects.filter(pk=NEVERS).update(epci=epci)

    reponse = client.get("/veille/58/export.csv", {"maille": "epci"})

    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    lignes = lire_csv(reponse)
    assert lignes[0] == [
        "maille", "code du territoire", "territoire", "besoin", "recherches", "sans réponse",
        "1 ou 2 réponses", "peu ou pas de réponses (%)",
    ]  # fmt: skip
    assert lignes[1] == [
        "EPCI", "999999999", "'=HYPERLINK(\"http://x\")", "Aide à domicile", "8", "3", "1", "50"
    ]  # fmt: skip
    assert all(
        not cellule.startswith(("=", "+", "-", "@")) for ligne in lignes for cellule in ligne
    )


def test_la_purge_retire_les_comptages_trop_anciens_et_se_relance_sans_effet(settings):
    settings.VEILLE_CONSERVATION_MOIS = 25
    le = dt.date(2026, 12, 3)
    compter(NEVERS, "", Tranche.AUCUN, jour=dt.date(2024, 11, 2))  # 25 mois et un jour
    compter(NEVERS, "", Tranche.AUCUN, jour=dt.date(2024, 11, 3))  # 25 mois : gardé

    assert purger_comptages(le=le) == 1
    assert purger_comptages(le=le) == 0
    assert list(ComptageRecherche.objects.values_list("jour", flat=True)) == [dt.date(2024, 11, 3)]


def test_la_commande_de_purge_dit_combien_elle_a_supprime(settings):
    settings.VEILLE_CONSERVATION_MOIS = 1
    compter(NEVERS, "", Tranche.AUCUN, jour=AUJOURDHUI - dt.timedelta(days=90))
    sortie = io.StringIO()

    call_command("purger_veille", stdout=sortie)
    call_command("purger_veille", stdout=sortie)

    assert sortie.getvalue().splitlines() == [
        "1 comptage(s) de plus de 1 mois supprimé(s).",
        "0 comptage(s) de plus de 1 mois supprimé(s).",
    ]
