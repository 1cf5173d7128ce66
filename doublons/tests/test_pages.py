"""La page des doublons : réservée aux modérateurs, limitée aux paires de leur territoire,
fiches côte à côte, « Fusionner » (la fiche gardée choisie) et « Ce ne sont pas des doublons »."""

import pytest

from comptes.models import TypeRole
from comptes.tests.factories import RoleFactory, UtilisateurFactory
from doublons.detection import detecter_doublons
from doublons.models import Candidat
from doublons.tests.outils import service
from repertoire.models import Service

pytestmark = pytest.mark.django_db

BOURGES = "18033"  # Cher : hors du territoire d'un modérateur de la Nièvre
LISTE = "/moderation/doublons/"


@pytest.fixture
def moderateur_nievre(client):
    utilisateur = RoleFactory(type=TypeRole.MODERATEUR).utilisateur
    client.force_login(utilisateur)
    return utilisateur


def paire(nom: str, commune: str = "58194") -> Candidat:
    a = service(nom, commune=commune, latitude=None, longitude=None)
    b = service(nom.upper(), commune=commune, latitude=None, longitude=None)
    detecter_doublons(services=[a.pk, b.pk])
    return Candidat.objects.get(service_a=a, service_b=b)


def test_un_moderateur_voit_cote_a_cote_les_doublons_de_son_territoire_seulement(
    client, moderateur_nievre
):
    paire("EHPAD Les Tilleuls")
    paire("Foyer Les Cèdres", commune=BOURGES)

    page = client.get(LISTE)

    assert page.status_code == 200
    texte = page.content.decode()
    assert "1 paire à examiner" in texte
    assert texte.count("EHPAD Les Tilleuls") >= 2 and "EHPAD LES TILLEULS" in texte
    assert "Foyer" not in texte
    assert "Fusionner" in texte and "Ce ne sont pas des doublons" in texte


def test_la_liste_ne_fait_pas_une_requete_par_paire(
    client, moderateur_nievre, django_assert_max_num_queries
):
    paire("EHPAD Les Tilleuls")
    client.get(LISTE)
    with django_assert_max_num_queries(30) as requetes:
        client.get(LISTE)
    pour_une = len(requetes)
    for nom in ("Foyer Les Cèdres", "SSIAD Val de Loire", "Accueil de jour Bel Air"):
        paire(nom)

    with django_assert_max_num_queries(pour_une):
        client.get(LISTE)


def test_fusionner_depuis_la_page_garde_la_fiche_choisie(client, moderateur_nievre):
    candidat = paire("EHPAD Les Tilleuls")

    reponse = client.post(
        f"{LISTE}{candidat.pk}/fusionner/", {"gardee": candidat.service_b_id}, follow=True
    )

    assert "est fusionnée dans « EHPAD LES TILLEULS »" in reponse.content.decode()
    absorbee = Service.objects.get(pk=candidat.service_a_id)
    assert absorbee.fusionne_dans_id == candidat.service_b_id
    assert "Aucun doublon possible" in reponse.content.decode()


def test_une_fusion_sans_fiche_choisie_ne_fait_rien(client, moderateur_nievre):
    candidat = paire("EHPAD Les Tilleuls")

    reponse = client.post(f"{LISTE}{candidat.pk}/fusionner/", {"gardee": "999"}, follow=True)

    assert "Choisissez la fiche à garder." in reponse.content.decode()
    assert Candidat.objects.get().statut == Candidat.Statut.A_EXAMINER


def test_ce_ne_sont_pas_des_doublons_est_retenu(client, moderateur_nievre):
    candidat = paire("EHPAD Les Tilleuls")

    reponse = client.post(f"{LISTE}{candidat.pk}/distincts/", follow=True)

    assert "ne seront plus proposées" in reponse.content.decode()
    candidat.refresh_from_db()
    assert (candidat.statut, candidat.decide_par) == (
        Candidat.Statut.DISTINCTS,
        moderateur_nievre,
    )


def test_la_seconde_decision_sur_une_paire_deja_tranchee_est_refusee_en_francais(
    client, moderateur_nievre
):
    candidat = paire("EHPAD Les Tilleuls")
    client.post(f"{LISTE}{candidat.pk}/distincts/")

    reponse = client.post(
        f"{LISTE}{candidat.pk}/fusionner/", {"gardee": candidat.service_a_id}, follow=True
    )

    assert "déjà été traité (ce ne sont pas des doublons)" in reponse.content.decode()
    assert not Service.objects.filter(fusionne_dans__isnull=False).exists()


def test_un_moderateur_d_un_autre_territoire_ne_peut_ni_fusionner_ni_ecarter(
    client, moderateur_nievre
):
    candidat = paire("Foyer Les Cèdres", commune=BOURGES)

    fusion = client.post(f"{LISTE}{candidat.pk}/fusionner/", {"gardee": candidat.service_a_id})
    ecart = client.post(f"{LISTE}{candidat.pk}/distincts/")

    assert (fusion.status_code, ecart.status_code) == (403, 403)
    assert Candidat.objects.get().statut == Candidat.Statut.A_EXAMINER


def test_sans_role_de_moderateur_la_page_est_refusee(client):
    client.force_login(UtilisateurFactory())

    assert client.get(LISTE).status_code == 403


def test_l_historique_de_la_fiche_gardee_mene_a_celui_de_la_fiche_absorbee(
    client, moderateur_nievre
):
    candidat = paire("EHPAD Les Tilleuls")
    client.post(f"{LISTE}{candidat.pk}/fusionner/", {"gardee": candidat.service_a_id})

    page = client.get(f"{LISTE}services/{candidat.service_a_id}/historique/")

    texte = page.content.decode()
    assert page.status_code == 200
    assert (
        f"Fiche fusionnée dans celle-ci : « EHPAD LES TILLEULS » (n° {candidat.service_b_id})"
        in texte
    )
    assert texte.count("moderation") == 2
