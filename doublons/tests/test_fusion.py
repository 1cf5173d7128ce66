"""Fusion de deux services par la porte des fiches : rien n'est perdu, la fiche absorbée est
archivée (jamais supprimée) et son adresse redirige vers la fiche gardée."""

import pytest
from django.contrib.contenttypes.models import ContentType

from comptes.tests.factories import UtilisateurFactory
from doublons.detection import detecter_doublons
from doublons.models import Candidat
from doublons.services import DejaTranche, declarer_distincts, fusionner
from doublons.tests.outils import service
from repertoire.models import Provenance, Service
from repertoire.tests.factories import (
    ContactFactory,
    PlageHoraireFactory,
    ZoneInterventionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderateur():
    return UtilisateurFactory()


def provenance(fiche: Service, source: str, identifiant: str) -> Provenance:
    return Provenance.objects.create(
        content_type=ContentType.objects.get_for_model(Service),
        object_id=fiche.pk,
        source=source,
        identifiant=identifiant,
    )


def paire(nom_a: str = "EHPAD Les Tilleuls", nom_b: str = "Ehpad les tilleuls"):
    a, b = service(nom_a), service(nom_b)
    detecter_doublons()
    return a, b, Candidat.objects.get()


def test_la_fiche_gardee_recoit_sources_lieux_contacts_zones_et_l_absorbee_est_archivee(
    moderateur,
):
    gardee, absorbee, candidat = paire()
    provenance(gardee, "data-inclusion:dora", "abc")
    provenance(absorbee, "finess", "580000768")
    ContactFactory(service=absorbee, libelle="accueil")
    ZoneInterventionFactory(service=absorbee, code="58")
    ZoneInterventionFactory(service=gardee, code="58")
    PlageHoraireFactory(service=absorbee)
    lieu_absorbe = absorbee.lieux.get()

    fusionner(candidat=candidat, gardee=gardee, par=moderateur)

    gardee.refresh_from_db()
    absorbee.refresh_from_db()
    assert set(gardee.provenances.values_list("source", "identifiant")) == {
        ("data-inclusion:dora", "abc"),
        ("finess", "580000768"),
    }
    assert lieu_absorbe in gardee.lieux.all()
    assert gardee.contacts.get().libelle == "accueil"
    assert gardee.zones.count() == 1
    assert gardee.plages.count() == 1
    assert (absorbee.statut, absorbee.fusionne_dans) == (Service.Statut.ARCHIVE, gardee)
    assert not absorbee.lieux.exists()
    candidat.refresh_from_db()
    assert (candidat.statut, candidat.gardee, candidat.decide_par) == (
        Candidat.Statut.FUSIONNES,
        gardee,
        moderateur,
    )


def test_chaque_fiche_garde_son_historique_et_recoit_une_ligne_de_la_moderation(moderateur):
    gardee, absorbee, candidat = paire()
    lignes_avant = absorbee.history.count()

    fusionner(candidat=candidat, gardee=gardee, par=moderateur)

    absorbee.refresh_from_db()
    assert absorbee.history.count() == lignes_avant + 1
    derniere = absorbee.history.first()
    assert (derniere.history_change_reason, derniere.history_user) == ("moderation", moderateur)
    assert derniere.statut == Service.Statut.ARCHIVE
    assert gardee.history.first().history_change_reason == "moderation"
    assert list(Service.objects.get(pk=gardee.pk).absorbes.all()) == [absorbee]


def test_l_adresse_de_la_fiche_absorbee_repond_301_vers_la_fiche_gardee(client, moderateur):
    gardee, absorbee, candidat = paire()
    fusionner(candidat=candidat, gardee=gardee, par=moderateur)
    attendue = f"/services/{gardee.pk}/ehpad-les-tilleuls/"

    longue = client.get(f"/services/{absorbee.pk}/ehpad-les-tilleuls/")
    courte = client.get(f"/services/{absorbee.pk}/")

    assert (longue.status_code, longue["Location"]) == (301, attendue)
    assert (courte.status_code, courte["Location"]) == (301, attendue)
    assert client.get(attendue).status_code == 200


def test_une_fiche_archivee_sans_fusion_reste_introuvable(client):
    archivee = service("EHPAD Les Tilleuls")
    Service.objects.filter(pk=archivee.pk).update(statut=Service.Statut.ARCHIVE)

    assert client.get(f"/services/{archivee.pk}/").status_code == 404


def test_le_second_moderateur_qui_tranche_la_meme_paire_est_prevenu_et_rien_ne_change(
    moderateur,
):
    gardee, absorbee, candidat = paire()
    fusionner(candidat=candidat, gardee=gardee, par=moderateur)

    with pytest.raises(DejaTranche, match="déjà été traité"):
        fusionner(candidat=candidat, gardee=absorbee, par=UtilisateurFactory())
    with pytest.raises(DejaTranche):
        declarer_distincts(candidat=candidat, par=UtilisateurFactory())

    gardee.refresh_from_db()
    assert gardee.statut == Service.Statut.PUBLIE
    assert Candidat.objects.get().statut == Candidat.Statut.FUSIONNES


def test_les_autres_paires_de_la_fiche_absorbee_passent_a_la_fiche_gardee(moderateur):
    gardee, absorbee, candidat = paire()
    distincte, a_examiner = service("Foyer Les Cèdres"), service("Foyer Les Cedres bis")
    for autre, statut in ((distincte, "distincts"), (a_examiner, "a-examiner")):
        a, b = sorted((absorbee.pk, autre.pk))
        Candidat.objects.create(service_a_id=a, service_b_id=b, score=80, statut=statut)

    fusionner(candidat=candidat, gardee=gardee, par=moderateur)

    reportees = {
        (c.service_a_id, c.service_b_id): c.statut
        for c in Candidat.objects.de(gardee).exclude(pk=candidat.pk)
    }
    assert reportees == {
        tuple(sorted((gardee.pk, distincte.pk))): Candidat.Statut.DISTINCTS,
        tuple(sorted((gardee.pk, a_examiner.pk))): Candidat.Statut.A_EXAMINER,
    }
    assert not Candidat.objects.de(absorbee).exclude(pk=candidat.pk).exists()


def test_une_paire_declaree_distincte_est_retenue_avec_qui_l_a_decide(moderateur):
    _, _, candidat = paire()

    declarer_distincts(candidat=candidat, par=moderateur)

    candidat.refresh_from_db()
    assert (candidat.statut, candidat.decide_par) == (Candidat.Statut.DISTINCTS, moderateur)
    assert detecter_doublons().nouvelles == 0
