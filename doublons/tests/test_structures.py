"""Structures en double : même SIRET, même FINESS juridique, ou nom proche dans la même
commune ; détection par blocs et idempotente, fusion par la porte des fiches (services, lieux,
contacts et provenances passent à la structure gardée ; l'absorbée garde son historique et
son adresse redirige)."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from comptes.models import TypeRole
from comptes.tests.factories import RoleFactory, UtilisateurFactory
from doublons.detection import detecter_doublons_de_structures
from doublons.models import CandidatStructure
from doublons.services import DejaTranche, declarer_distincts, fusionner_structures
from doublons.tests.outils import NEVERS, structure
from repertoire.models import Provenance, Structure
from repertoire.tests.factories import ContactFactory, ServiceFactory
from territoires.models import Commune

pytestmark = pytest.mark.django_db


def paires() -> set[tuple[str, str]]:
    return {
        tuple(sorted((c.structure_a.nom, c.structure_b.nom)))
        for c in CandidatStructure.objects.select_related("structure_a", "structure_b")
    }


def provenance(fiche: Structure, source: str, identifiant: str) -> Provenance:
    return Provenance.objects.create(
        content_type=ContentType.objects.get_for_model(Structure),
        object_id=fiche.pk,
        source=source,
        identifiant=identifiant,
    )


def autre_commune() -> str:
    return (
        Commune.objects.filter(departement="58").exclude(pk=NEVERS).values_list("pk", flat=True)[0]
    )


@pytest.fixture
def moderateur():
    return UtilisateurFactory()


def paire(nom_a: str = "CCAS de Nevers", nom_b: str = "CCAS Nevers"):
    a, b = structure(nom_a), structure(nom_b)
    detecter_doublons_de_structures()
    return a, b, CandidatStructure.objects.get()


# --- Détection --------------------------------------------------------------------------------


def test_deux_structures_au_meme_siret_sont_proposees_quels_que_soient_leurs_noms():
    structure("CCAS de Nevers", siret="21580194500017")
    structure("Mairie, action sociale", siret="21580194500017", commune=autre_commune())
    structure("Mairie, action sociale", commune=None)

    detecter_doublons_de_structures()

    assert paires() == {("CCAS de Nevers", "Mairie, action sociale")}
    assert CandidatStructure.objects.get().motifs == ["siret"]


def test_deux_structures_au_meme_finess_juridique_sont_proposees():
    """L'unicité interdit à deux fiches de porter le même EJ : l'une le porte, l'autre en a
    gardé la provenance FINESS (un numéro corrigé à la main)."""
    structure("Association Arpage", finess_ej="920030186", commune=None)
    importee = structure("ARPAGE", commune=autre_commune())
    provenance(importee, "finess", "920030186")

    detecter_doublons_de_structures()

    assert paires() == {("ARPAGE", "Association Arpage")}
    assert CandidatStructure.objects.get().motifs == ["finess-ej"]


def test_deux_noms_proches_dans_la_meme_commune_sont_proposes():
    structure("Association Les Amis de Saint-Joseph")
    structure("ASSOCIATION LES AMIS DE ST JOSEPH")

    rapport = detecter_doublons_de_structures()

    assert (rapport.paires, rapport.nouvelles) == (1, 1)
    assert CandidatStructure.objects.get().motifs == ["commune"]


def test_des_lieux_voisins_de_deux_communes_rapprochent_deux_noms_proches():
    structure("Plateforme de répit", commune=NEVERS, latitude=46.99, longitude=3.16)
    structure("Plateforme de repit", commune=autre_commune(), latitude=46.9903, longitude=3.1602)

    detecter_doublons_de_structures()

    assert CandidatStructure.objects.get().motifs == ["proximite"]


def test_des_structures_eloignees_aux_noms_differents_ne_sont_pas_proposees():
    structure("CCAS de Nevers", latitude=46.99, longitude=3.16)
    structure("ADMR du Morvan", commune=autre_commune(), latitude=47.3, longitude=3.5)
    structure("CCAS de Nevers", commune=autre_commune(), latitude=47.3, longitude=3.5)
    structure("ADMR du Morvan", latitude=46.99, longitude=3.16)

    assert detecter_doublons_de_structures().paires == 0


def test_relancee_la_detection_des_structures_trouve_les_memes_paires_sans_les_recreer():
    structure("CCAS de Nevers", siret="21580194500017")
    structure("CCAS Nevers")
    structure("Centre social", siret="21580194500017", commune=None)

    premiere = detecter_doublons_de_structures()
    avant = set(CandidatStructure.objects.values_list("structure_a", "structure_b"))
    seconde = detecter_doublons_de_structures()

    assert (premiere.nouvelles, seconde.nouvelles, seconde.deja_proposees) == (2, 0, 2)
    assert set(CandidatStructure.objects.values_list("structure_a", "structure_b")) == avant


def test_la_commande_periodique_cherche_aussi_les_structures():
    structure("CCAS de Nevers")
    structure("CCAS Nevers")
    sortie = StringIO()

    call_command("detecter_doublons", stdout=sortie, verbosity=0)
    call_command("detecter_doublons", stdout=sortie, verbosity=0)

    lignes = sortie.getvalue().splitlines()
    assert "structures examinées" in lignes[1] and "1 nouvelles" in lignes[1]
    assert "structures examinées" in lignes[3] and "0 nouvelles, 1 déjà proposées" in lignes[3]
    assert CandidatStructure.objects.count() == 1


def test_une_structure_deja_fusionnee_n_est_plus_comparee():
    gardee = structure("CCAS de Nevers")
    absorbee = structure("CCAS Nevers")
    Structure.objects.filter(pk=absorbee.pk).update(fusionnee_dans=gardee)

    assert detecter_doublons_de_structures().paires == 0


# --- Fusion -----------------------------------------------------------------------------------


def test_la_fusion_passe_services_lieux_contacts_et_provenances_a_la_structure_gardee(
    moderateur,
):
    gardee, absorbee, candidat = paire()
    Structure.objects.filter(pk=absorbee.pk).update(siret="21580194500017", finess_ej="580000000")
    absorbee.refresh_from_db()
    service = ServiceFactory(structure=absorbee, nom="Portage de repas")
    lieu = absorbee.lieux.get()
    contact = ContactFactory(service=None, structure=absorbee, libelle="direction")
    provenance(absorbee, "data-inclusion:dora", "ccas-nevers")
    provenance(absorbee, "finess", "580000000")

    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)

    gardee.refresh_from_db()
    absorbee.refresh_from_db()
    service.refresh_from_db()
    lieu.refresh_from_db()
    contact.refresh_from_db()
    assert (service.structure, lieu.structure, contact.structure) == (gardee, gardee, gardee)
    assert set(gardee.provenances.values_list("source", "identifiant")) == {
        ("data-inclusion:dora", "ccas-nevers"),
        ("finess", "580000000"),
    }
    # Les identifiants qui lui manquaient : le SIRET copié, l'EJ (unique) passé de l'une à
    # l'autre.
    assert (gardee.siret, gardee.finess_ej) == ("21580194500017", "580000000")
    assert (absorbee.fusionnee_dans, absorbee.finess_ej) == (gardee, "")
    assert not absorbee.services.exists() and not absorbee.lieux.exists()
    candidat.refresh_from_db()
    assert (candidat.statut, candidat.gardee, candidat.decide_par) == (
        CandidatStructure.Statut.FUSIONNES,
        gardee,
        moderateur,
    )


def test_chaque_structure_et_chaque_service_deplace_garde_son_historique(moderateur):
    gardee, absorbee, candidat = paire()
    service = ServiceFactory(structure=absorbee)
    versions = (gardee.version, absorbee.version, service.version)
    lignes = (gardee.history.count(), absorbee.history.count(), service.history.count())

    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)

    for fiche, version, nombre in zip((gardee, absorbee, service), versions, lignes, strict=True):
        fiche.refresh_from_db()
        assert fiche.version == version + 1
        assert fiche.history.count() == nombre + 1
        derniere = fiche.history.first()
        assert (derniere.history_change_reason, derniere.history_user) == (
            "moderation",
            moderateur,
        )
    assert absorbee.history.first().fusionnee_dans_id == gardee.pk
    assert absorbee.history.last().nom == "CCAS Nevers"


def test_l_adresse_de_la_structure_absorbee_repond_301_vers_la_gardee(client, moderateur):
    gardee, absorbee, candidat = paire()
    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)
    attendue = f"/structures/{gardee.pk}/ccas-de-nevers/"

    longue = client.get(f"/structures/{absorbee.pk}/ccas-nevers/")
    courte = client.get(f"/structures/{absorbee.pk}/")

    assert (longue.status_code, longue["Location"]) == (301, attendue)
    assert (courte.status_code, courte["Location"]) == (301, attendue)
    assert client.get(attendue).status_code == 200


def test_la_structure_absorbee_n_est_plus_listee_par_l_api(client, moderateur):
    gardee, absorbee, candidat = paire()
    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)
    identifiants = [s["id"] for s in client.get("/api/v1/structures").json()["resultats"]]
    assert gardee.pk in identifiants and absorbee.pk not in identifiants


def test_le_second_moderateur_qui_tranche_la_meme_paire_de_structures_est_prevenu(moderateur):
    gardee, absorbee, candidat = paire()
    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)
    version = gardee.__class__.objects.get(pk=gardee.pk).version

    with pytest.raises(DejaTranche, match="déjà été traité"):
        fusionner_structures(candidat=candidat, gardee=absorbee, par=UtilisateurFactory())
    with pytest.raises(DejaTranche):
        declarer_distincts(candidat=candidat, par=UtilisateurFactory())

    gardee.refresh_from_db()
    absorbee.refresh_from_db()
    assert (gardee.version, gardee.fusionnee_dans, absorbee.fusionnee_dans) == (
        version,
        None,
        gardee,
    )
    assert CandidatStructure.objects.get().statut == CandidatStructure.Statut.FUSIONNES


def test_une_paire_de_structures_declaree_distincte_n_est_jamais_reproposee(moderateur):
    _, _, candidat = paire()

    declarer_distincts(candidat=candidat, par=moderateur)

    rapport = detecter_doublons_de_structures()
    assert (rapport.nouvelles, rapport.ecartees) == (0, 1)
    assert CandidatStructure.objects.get().statut == CandidatStructure.Statut.DISTINCTS


def test_les_autres_paires_de_la_structure_absorbee_passent_a_la_gardee(moderateur):
    gardee, absorbee, candidat = paire()
    autre = structure("Mairie de Nevers")
    a, b = sorted((absorbee.pk, autre.pk))
    CandidatStructure.objects.create(structure_a_id=a, structure_b_id=b, score=60)

    fusionner_structures(candidat=candidat, gardee=gardee, par=moderateur)

    reportee = CandidatStructure.objects.de(gardee).exclude(pk=candidat.pk).get()
    assert reportee.cles == tuple(sorted((gardee.pk, autre.pk)))
    assert reportee.statut == CandidatStructure.Statut.A_EXAMINER


# --- Page des modérateurs ---------------------------------------------------------------------

LISTE = "/moderation/doublons/"
BOURGES = "18033"  # Cher : hors du territoire d'un modérateur de la Nièvre


@pytest.fixture
def moderateur_nievre(client):
    utilisateur = RoleFactory(type=TypeRole.MODERATEUR).utilisateur
    client.force_login(utilisateur)
    return utilisateur


def test_la_page_montre_les_structures_en_double_du_territoire_seulement(client, moderateur_nievre):
    structure("CCAS de Nevers", siret="21580194500017")
    structure("CCAS Nevers", siret="21580194500017")
    structure("Foyer Les Cèdres", commune=BOURGES)
    structure("Foyer les Cedres", commune=BOURGES)
    detecter_doublons_de_structures()
    assert CandidatStructure.objects.count() == 2

    page = client.get(LISTE)

    texte = page.content.decode()
    assert page.status_code == 200
    assert "1 paire à examiner" in texte
    assert "Deux structures : nom proche, même commune, même SIRET" in texte
    assert "SIRET 21580194500017" in texte and "Foyer" not in texte


def test_la_liste_des_structures_ne_fait_pas_une_requete_par_paire(
    client, moderateur_nievre, django_assert_max_num_queries
):
    structure("CCAS de Nevers")
    structure("CCAS Nevers")
    detecter_doublons_de_structures()
    with django_assert_max_num_queries(30) as requetes:
        client.get(LISTE)
    pour_une = len(requetes)
    for nom in ("Foyer Les Cèdres", "SSIAD Val de Loire", "Accueil de jour Bel Air"):
        structure(nom)
        structure(nom.upper())
    detecter_doublons_de_structures()

    with django_assert_max_num_queries(pour_une):
        client.get(LISTE)


def test_fusionner_deux_structures_depuis_la_page_garde_la_structure_choisie(
    client, moderateur_nievre
):
    _, _, candidat = paire()

    reponse = client.post(
        f"{LISTE}structures/{candidat.pk}/fusionner/",
        {"gardee": candidat.structure_b_id},
        follow=True,
    )

    assert "« CCAS de Nevers » est fusionnée dans « CCAS Nevers »" in reponse.content.decode()
    absorbee = Structure.objects.get(pk=candidat.structure_a_id)
    assert absorbee.fusionnee_dans_id == candidat.structure_b_id
    historique = client.get(f"{LISTE}structures/{candidat.structure_b_id}/historique/")
    assert historique.status_code == 200
    assert "Fiche fusionnée dans celle-ci : « CCAS de Nevers »" in historique.content.decode()


def test_la_seconde_decision_sur_des_structures_deja_tranchees_est_refusee_en_francais(
    client, moderateur_nievre
):
    _, _, candidat = paire()
    client.post(f"{LISTE}structures/{candidat.pk}/distincts/")

    reponse = client.post(
        f"{LISTE}structures/{candidat.pk}/fusionner/",
        {"gardee": candidat.structure_a_id},
        follow=True,
    )

    assert "déjà été traité (ce ne sont pas des doublons)" in reponse.content.decode()
    assert not Structure.objects.filter(fusionnee_dans__isnull=False).exists()


def test_un_moderateur_d_un_autre_territoire_ne_tranche_pas_deux_structures(
    client, moderateur_nievre
):
    structure("Foyer Les Cèdres", commune=BOURGES)
    structure("Foyer les Cedres", commune=BOURGES)
    detecter_doublons_de_structures()
    candidat = CandidatStructure.objects.get()

    fusion = client.post(
        f"{LISTE}structures/{candidat.pk}/fusionner/", {"gardee": candidat.structure_a_id}
    )
    ecart = client.post(f"{LISTE}structures/{candidat.pk}/distincts/")

    assert (fusion.status_code, ecart.status_code) == (403, 403)
    assert CandidatStructure.objects.get().statut == CandidatStructure.Statut.A_EXAMINER
