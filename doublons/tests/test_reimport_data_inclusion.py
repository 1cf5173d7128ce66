"""Après une fusion, un ré-import data·inclusion met à jour la fiche gardée au lieu de
recréer le doublon. Fichier : echanges/tests/data/data_inclusion_ccas_nievre.json."""

import pytest

from comptes.tests.factories import UtilisateurFactory
from doublons.detection import detecter_doublons
from doublons.models import Candidat
from doublons.services import fusionner
from doublons.tests.outils import service
from echanges.data_inclusion import importer_data_inclusion
from echanges.tests.test_data_inclusion import JSON_NIEVRE, copie_json, fiche_importee
from repertoire.models import Service

pytestmark = pytest.mark.django_db

PORTAGE = "cd58--ccas-nevers-portage-repas"


def test_apres_une_fusion_le_reimport_data_inclusion_met_a_jour_la_fiche_gardee(tmp_path):
    importer_data_inclusion(JSON_NIEVRE)
    importe = fiche_importee(Service, PORTAGE)
    # Le même service saisi à la main, sous une structure au même SIRET (le portage est à
    # domicile : sans lieu, c'est le SIRET qui les rapproche).
    saisie = service("Portage des repas a domicile", siret=importe.structure.siret)
    detecter_doublons(services=[saisie.pk])
    candidat = Candidat.objects.get()
    assert {candidat.service_a_id, candidat.service_b_id} == {saisie.pk, importe.pk}
    fusionner(candidat=candidat, gardee=saisie, par=UtilisateurFactory())
    services_avant = Service.objects.count()

    def renommer(donnees):
        donnees["services"][0]["nom"] = "Portage de repas et de courses"

    rapport = importer_data_inclusion(copie_json(tmp_path, renommer))

    assert (rapport.creees, rapport.mises_a_jour) == (0, 1)
    assert Service.objects.count() == services_avant
    assert fiche_importee(Service, PORTAGE) == saisie
    saisie.refresh_from_db()
    importe.refresh_from_db()
    assert saisie.nom == "Portage de repas et de courses"
    assert (importe.statut, importe.fusionne_dans) == (Service.Statut.ARCHIVE, saisie)
    assert detecter_doublons().nouvelles == 0
