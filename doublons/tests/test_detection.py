"""Détection des doublons de services : par blocs (commune, SIRET, FINESS, lieux voisins),
idempotente, sûre en parallèle, sans reproposer une paire tranchée."""

from io import StringIO

import pytest
from django.core.management import call_command

from doublons import detection
from doublons.detection import detecter_doublons
from doublons.models import Candidat
from doublons.noms import cle_du_nom
from doublons.tests.outils import NEVERS, service
from repertoire.models import Service
from repertoire.tests.factories import LieuFactory, StructureFactory
from territoires.models import Commune

pytestmark = pytest.mark.django_db


def paires() -> set[tuple[str, str]]:
    return {
        tuple(sorted((c.service_a.nom, c.service_b.nom)))
        for c in Candidat.objects.select_related("service_a", "service_b")
    }


def autre_commune() -> str:
    return (
        Commune.objects.filter(departement="58").exclude(pk=NEVERS).values_list("pk", flat=True)[0]
    )


def test_accents_casse_mots_vides_et_abreviations_ne_distinguent_pas_deux_noms():
    assert cle_du_nom("EHPAD ST JOSEPH DE LA LOIRE") == cle_du_nom("Ehpad Saint-Joseph Loire")
    assert cle_du_nom("Résidence Les Cèdres") == cle_du_nom("RES. LES CEDRES")


def test_deux_noms_proches_dans_la_meme_commune_sont_proposes_avec_leur_motif():
    service("EHPAD Saint-Joseph", latitude=None, longitude=None)
    service("Ehpad St Joseph", latitude=None, longitude=None)

    rapport = detecter_doublons()

    assert (rapport.paires, rapport.nouvelles) == (1, 1)
    candidat = Candidat.objects.get()
    assert candidat.motifs == ["commune"]
    assert candidat.score == 100
    assert candidat.statut == Candidat.Statut.A_EXAMINER


def test_une_faute_de_frappe_reste_un_nom_proche():
    service("Accueil de jour Les Glycines")
    service("Acceuil de jour les Glycine")

    detecter_doublons()

    assert paires() == {("Acceuil de jour les Glycine", "Accueil de jour Les Glycines")}


def test_des_noms_differents_dans_la_meme_commune_ne_sont_pas_proposes():
    service("EHPAD Les Tilleuls")
    service("SSIAD du Val de Loire")

    assert detecter_doublons().paires == 0


def test_des_noms_proches_dans_deux_communes_eloignees_ne_sont_pas_proposes():
    service("EHPAD Les Tilleuls", commune=NEVERS, latitude=46.99, longitude=3.16)
    service("EHPAD Les Tilleuls", commune=autre_commune(), latitude=47.3, longitude=3.5)

    assert detecter_doublons().paires == 0


def test_des_lieux_voisins_de_deux_communes_sont_proposes():
    service("Plateforme de répit", commune=NEVERS, latitude=46.99, longitude=3.16)
    service("Plateforme de repit", commune=autre_commune(), latitude=46.9903, longitude=3.1602)

    detecter_doublons()

    candidat = Candidat.objects.get()
    assert candidat.motifs == ["proximite"]
    assert 30 < candidat.distance_m < 50


@pytest.mark.parametrize("cible", ["premier", "second"])
def test_la_detection_ciblee_trouve_un_voisin_dans_toutes_les_mailles_autour(cible):
    """Une maille n'est comparée qu'à quatre de ses voisines : la fiche cherchée peut être
    dans l'une ou l'autre des deux mailles."""
    premier = service("Plateforme de répit", commune=None, latitude=46.99, longitude=3.16)
    second = service("Plateforme de repit", commune=None, latitude=46.9912, longitude=3.1612)

    detecter_doublons(services=[(premier if cible == "premier" else second).pk])

    assert Candidat.objects.get().motifs == ["proximite"]


def test_un_meme_siret_rapproche_des_noms_moins_proches_ou_qu_ils_soient():
    service("CCAS de Nevers", siret="21580194500017", latitude=None, longitude=None)
    service(
        "CCAS de la ville de Nevers",
        siret="21580194500017",
        commune=autre_commune(),
        latitude=None,
        longitude=None,
    )
    service("CCAS de la ville de Nevers", commune=None, latitude=None, longitude=None)

    detecter_doublons()

    assert Candidat.objects.get().motifs == ["siret"]


def test_un_meme_etablissement_finess_rapproche_des_noms_moins_proches():
    lieu = LieuFactory(structure=StructureFactory(), commune_id=None, finess_et="580000768")
    service("EHPAD Arpage Saint-Genest", lieu=lieu)
    service("Arpage Saint Genest, EHPAD de Nevers", lieu=lieu)

    detecter_doublons()

    assert Candidat.objects.get().motifs == ["finess"]


def test_deux_noms_aux_nombres_differents_ne_sont_jamais_des_doublons():
    service("Antenne 1 du CLIC")
    service("Antenne 2 du CLIC")

    assert detecter_doublons().paires == 0


def test_les_services_archives_ou_deja_fusionnes_ne_sont_pas_compares():
    service("EHPAD Les Tilleuls")
    archive = service("EHPAD Les Tilleuls")
    Service.objects.filter(pk=archive.pk).update(statut=Service.Statut.ARCHIVE)

    assert detecter_doublons().paires == 0


def test_relancee_la_detection_n_ajoute_rien_et_compte_les_paires_connues():
    service("EHPAD Les Tilleuls")
    service("Ehpad les tilleuls")

    premiere, seconde = detecter_doublons(), detecter_doublons()

    assert (premiere.nouvelles, seconde.nouvelles, seconde.deja_proposees) == (1, 0, 1)
    assert Candidat.objects.count() == 1


def test_deux_detections_simultanees_n_enregistrent_qu_une_fois_la_paire(monkeypatch):
    service("EHPAD Les Tilleuls")
    service("Ehpad les tilleuls")
    detecter_doublons()
    # La seconde a lu les paires connues avant que la première n'écrive la sienne.
    monkeypatch.setattr(detection, "paires_connues", lambda paire: {})

    rapport = detecter_doublons()

    assert rapport.paires == 1
    assert Candidat.objects.count() == 1


def test_une_paire_declaree_distincte_n_est_jamais_reproposee():
    service("EHPAD Les Tilleuls")
    service("Ehpad les tilleuls")
    detecter_doublons()
    Candidat.objects.update(statut=Candidat.Statut.DISTINCTS)

    rapport = detecter_doublons()

    assert (rapport.nouvelles, rapport.ecartees) == (0, 1)
    assert Candidat.objects.get().statut == Candidat.Statut.DISTINCTS


def test_la_detection_d_une_creation_ne_cherche_que_les_doublons_de_la_nouvelle_fiche():
    service("EHPAD Les Tilleuls")
    service("Ehpad les tilleuls")
    nouvelle = service("SSIAD Val de Loire")
    service("SSIAD du Val-de-Loire")

    detecter_doublons(services=[nouvelle.pk])

    assert paires() == {("SSIAD Val de Loire", "SSIAD du Val-de-Loire")}


def test_la_commande_periodique_affiche_ses_comptes_et_peut_etre_relancee():
    service("EHPAD Les Tilleuls")
    service("Ehpad les tilleuls")
    sortie = StringIO()

    call_command("detecter_doublons", stdout=sortie, verbosity=0)
    call_command("detecter_doublons", stdout=sortie, verbosity=0)

    lignes = sortie.getvalue().splitlines()
    assert "1 paires de doublons possibles : 1 nouvelles" in lignes[0]
    assert "0 nouvelles, 1 déjà proposées" in lignes[2]
    assert Candidat.objects.count() == 1
