"""Après une fusion, un ré-import FINESS de l'une ou l'autre source met à jour la fiche
fusionnée au lieu de recréer le doublon (issue 11, « Done when »). Fichier : l'extrait réel
d'echanges/tests/data/finess_reels.csv (voir son README)."""

from io import StringIO

import pytest
from django.core.management import call_command

from comptes.tests.factories import UtilisateurFactory
from doublons.models import Candidat
from doublons.services import fusionner
from echanges.finess import importer_finess
from echanges.tests.test_finess import REELS, copie
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Lieu, Service, Structure

pytestmark = pytest.mark.django_db

ET = "580000768"  # EHPAD ARPAGE SAINT GENEST, Nevers


def saisir_a_la_main() -> Service:
    """Le même EHPAD saisi par un agent, avant qu'on le sache dans FINESS."""
    structure, lieu, service = (
        Structure(nom="Arpage"),
        Lieu(nom="Ehpad Arpage", commune_id="58194"),
        Service(nom="Ehpad Arpage St-Genest"),
    )
    auteur = Auteur("administration", UtilisateurFactory())
    ecrire_fiches(changements=[Changement(structure, {})], auteur=auteur)
    lieu.structure = service.structure = structure
    ecrire_fiches(changements=[Changement(lieu, {}), Changement(service, {})], auteur=auteur)
    service.lieux.add(lieu)
    return service


def importer(chemin) -> str:
    sortie = StringIO()
    call_command("importer_finess", chemin, stdout=sortie, verbosity=0)
    return sortie.getvalue()


def service_finess() -> Service:
    return Service.objects.get(provenances__source="finess", provenances__identifiant=ET)


@pytest.mark.parametrize("garder", ["saisie", "finess"])
def test_apres_une_fusion_le_reimport_finess_met_a_jour_la_fiche_gardee_sans_recreer_le_doublon(
    tmp_path, garder
):
    saisie = saisir_a_la_main()
    sortie = importer(REELS)  # l'import propose les doublons des fiches qu'il crée
    assert "1 nouvelles" in sortie
    finess = service_finess()
    candidat = Candidat.objects.get()
    assert {candidat.service_a_id, candidat.service_b_id} == {saisie.pk, finess.pk}
    gardee = saisie if garder == "saisie" else finess
    absorbee = finess if garder == "saisie" else saisie
    fusionner(candidat=candidat, gardee=gardee, par=UtilisateurFactory())
    services_avant = Service.objects.count()

    renomme = copie(tmp_path, ("EHPAD ARPAGE SAINT GENEST", "EHPAD ARPAGE SAINT GENEST NEVERS"))
    sortie = importer(renomme)

    assert "0 créées, 1 mises à jour" in sortie
    assert "0 nouvelles" in sortie
    assert Service.objects.count() == services_avant
    assert service_finess() == gardee
    gardee.refresh_from_db()
    absorbee.refresh_from_db()
    assert gardee.nom == "EHPAD ARPAGE SAINT GENEST NEVERS"
    assert gardee.statut == Service.Statut.PUBLIE
    assert Lieu.objects.get(finess_et=ET) in gardee.lieux.all()
    assert (absorbee.statut, absorbee.fusionne_dans) == (Service.Statut.ARCHIVE, gardee)
    assert not absorbee.lieux.exists()
    assert importer_finess(renomme).creees == 0
    assert Candidat.objects.a_examiner().count() == 0
