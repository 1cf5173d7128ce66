"""Après la fusion de deux structures, un ré-import data·inclusion met à jour la structure
gardée (retrouvée par la provenance passée de l'absorbée) au lieu de la recréer. Fichier :
echanges/tests/data/data_inclusion_ccas_nievre.json."""

import pytest

from comptes.tests.factories import UtilisateurFactory
from doublons.detection import detecter_doublons_de_structures
from doublons.models import CandidatStructure
from doublons.services import fusionner_structures
from doublons.tests.outils import structure
from echanges.data_inclusion import importer_data_inclusion
from echanges.tests.test_data_inclusion import JSON_NIEVRE, copie_json, fiche_importee
from repertoire.models import Service, Structure

pytestmark = pytest.mark.django_db

CCAS = "cd58--ccas-nevers"


def test_apres_une_fusion_le_reimport_data_inclusion_met_a_jour_la_structure_gardee(tmp_path):
    importer_data_inclusion(JSON_NIEVRE)
    importee = fiche_importee(Structure, CCAS)
    saisie = structure("Centre communal d'action sociale de Nevers", siret=importee.siret)
    detecter_doublons_de_structures(structures=[saisie.pk])
    candidat = CandidatStructure.objects.get()
    assert candidat.motifs == ["siret"]
    fusionner_structures(candidat=candidat, gardee=saisie, par=UtilisateurFactory())
    structures_avant, services_avant = Structure.objects.count(), Service.objects.count()

    def renommer(donnees):
        donnees["structures"][0]["telephone"] = "03 86 68 48 00"

    rapport = importer_data_inclusion(copie_json(tmp_path, renommer))

    assert rapport.creees == 0
    assert (Structure.objects.count(), Service.objects.count()) == (
        structures_avant,
        services_avant,
    )
    assert fiche_importee(Structure, CCAS) == saisie
    saisie.refresh_from_db()
    assert saisie.telephone == "03 86 68 48 00"
    assert not Service.objects.filter(structure=importee).exists()
    assert detecter_doublons_de_structures().nouvelles == 0
