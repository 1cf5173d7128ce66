"""Après la fusion de deux structures, un ré-import FINESS met à jour la structure gardée au
lieu de recréer le doublon : l'EJ passé à la gardée, ou resté sur l'absorbée qui y mène
(`fusionnee_dans`). Fichier : l'extrait réel d'echanges/tests/data/finess_reels.csv."""

from io import StringIO

import pytest
from django.core.management import call_command

from comptes.tests.factories import UtilisateurFactory
from doublons.models import CandidatStructure
from doublons.services import fusionner_structures
from echanges.finess import importer_finess
from echanges.tests.test_finess import REELS, copie
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Lieu, Provenance, Service, Structure

pytestmark = pytest.mark.django_db

EJ, ET = "920030186", "580000768"  # ARPAGE, son EHPAD Saint-Genest à Nevers
NOM_FINESS = "EHPAD ARPAGE SAINT GENEST"


def saisir_a_la_main(finess_ej: str) -> Structure:
    """La même structure saisie par un agent, avec son lieu à Nevers."""
    structure = Structure(nom="Ehpad Arpage St-Genest", finess_ej=finess_ej)
    auteur = Auteur("administration", UtilisateurFactory())
    ecrire_fiches(changements=[Changement(structure, {})], auteur=auteur)
    lieu = Lieu(nom="Ehpad Arpage", commune_id="58194", structure=structure)
    ecrire_fiches(changements=[Changement(lieu, {})], auteur=auteur)
    return structure


def importer(chemin, entites_juridiques) -> list[str]:
    sortie = StringIO()
    options = ["--entites-juridiques", entites_juridiques]
    call_command("importer_finess", chemin, *options, stdout=sortie, verbosity=0)
    return sortie.getvalue().splitlines()


def stock_des_ej(tmp_path, nom: str) -> str:
    """La structure FINESS est nommée par le stock des entités juridiques (ADR 0014)."""
    chemin = tmp_path / f"etalab-cs1100501-stock-{len(nom)}.csv"
    chemin.write_text(f"finess;etalab;100;2021-01-08\nstructureej;{EJ};{nom};;\n")
    return str(chemin)


def ligne(lignes: list[str], debut: str) -> str:
    return next(texte for texte in lignes if texte.startswith(debut))


@pytest.mark.parametrize(
    ("garder", "ej_saisi"),
    [("saisie", ""), ("finess", ""), ("saisie", "580000001")],
    ids=["saisie-sans-ej", "finess", "saisie-avec-son-ej"],
)
def test_apres_une_fusion_de_structures_le_reimport_finess_ne_recree_pas_le_doublon(
    tmp_path, garder, ej_saisi
):
    saisie = saisir_a_la_main(ej_saisi)
    lignes = importer(
        REELS, stock_des_ej(tmp_path, NOM_FINESS)
    )  # l'import propose les doublons des fiches qu'il écrit
    assert "1 nouvelles" in ligne(lignes, "Doublons de structures")
    finess = Structure.objects.get(finess_ej=EJ)
    candidat = CandidatStructure.objects.get()
    assert set(candidat.cles) == {saisie.pk, finess.pk}
    gardee, absorbee = (saisie, finess) if garder == "saisie" else (finess, saisie)
    fusionner_structures(candidat=candidat, gardee=gardee, par=UtilisateurFactory())
    structures_avant = Structure.objects.count()

    renomme = f"{NOM_FINESS} NEVERS"
    lignes = importer(copie(tmp_path, (NOM_FINESS, renomme)), stock_des_ej(tmp_path, renomme))

    assert "0 nouvelles" in ligne(lignes, "Doublons de structures")
    assert "0 nouvelles" in ligne(lignes, "Doublons :")
    assert Structure.objects.count() == structures_avant
    service = Service.objects.get(provenances__source="finess", provenances__identifiant=ET)
    assert service.nom == f"{NOM_FINESS} NEVERS"
    assert service.structure_id == gardee.pk
    assert Lieu.objects.get(finess_et=ET).structure_id == gardee.pk
    gardee.refresh_from_db()
    absorbee.refresh_from_db()
    assert absorbee.fusionnee_dans == gardee
    provenance = Provenance.objects.get(source="finess", identifiant=EJ)
    assert provenance.objet == gardee
    if ej_saisi:
        # L'absorbée garde son EJ, qui mène à la gardée ; la gardée garde son nom.
        assert (gardee.finess_ej, absorbee.finess_ej) == (ej_saisi, EJ)
        assert gardee.nom == "Ehpad Arpage St-Genest"
    else:
        # L'EJ et sa provenance FINESS sont à la gardée : FINESS la tient à jour.
        assert (gardee.finess_ej, absorbee.finess_ej) == (EJ, "")
        assert gardee.nom == f"{NOM_FINESS} NEVERS"
    assert importer_finess(copie(tmp_path, (NOM_FINESS, f"{NOM_FINESS} NEVERS"))).creees == 0
    assert Structure.objects.count() == structures_avant
    assert CandidatStructure.objects.a_examiner().count() == 0
