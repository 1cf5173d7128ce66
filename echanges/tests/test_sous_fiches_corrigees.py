"""Horaires, contacts, besoins corrigés par une personne (un gestionnaire, par la porte) ne
sont plus remplacés par un ré-import : la source les garde comme un champ corrigé, et le
rapport le dit. Une fiche qui en a absorbé d'autres (doublons) garde leurs lieux."""

import datetime as dt

import pytest

from comptes.tests.factories import UtilisateurFactory
from echanges.data_inclusion import importer_data_inclusion
from echanges.finess import importer_finess
from echanges.tests.test_data_inclusion import JSON_NIEVRE, copie_json, fiche_importee
from echanges.tests.test_finess import REELS, copie
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Besoin, Contact, PlageHoraire, Provenance, Service
from repertoire.tests.factories import LieuFactory, ServiceFactory

pytestmark = pytest.mark.django_db
PORTAGE = "cd58--ccas-nevers-portage-repas"


def changer_le_telephone(donnees):
    donnees["services"][0]["telephone"] = "03 86 00 00 01"
    donnees["services"][0]["horaires_accueil"] = "Mo-Sa 08:00-12:00"


def test_le_reimport_garde_les_horaires_et_contacts_corriges_par_un_gestionnaire(tmp_path):
    importer_data_inclusion(JSON_NIEVRE)
    service = fiche_importee(Service, PORTAGE)
    gestionnaire = UtilisateurFactory()
    ecrire_fiches(
        changements=[
            Changement(
                service,
                {
                    "plages": [{"jour": 0, "ouverture": dt.time(14), "fermeture": dt.time(16)}],
                    "contacts": [
                        {"libelle": "Accueil", "telephone": "03 86 11 11 11", "courriel": ""}
                    ],
                },
            )
        ],
        auteur=Auteur("gestionnaire", gestionnaire),
    )
    assert {"plages", "contacts"} <= service.champs_corriges.keys()

    rapport = importer_data_inclusion(copie_json(tmp_path, changer_le_telephone))

    assert rapport.mises_a_jour == 1
    assert list(Contact.objects.filter(service=service).values_list("telephone", flat=True)) == [
        "03 86 11 11 11"
    ]
    assert list(PlageHoraire.objects.filter(service=service).values_list("jour", "ouverture")) == [
        (0, dt.time(14))
    ]
    dits = " ".join(str(a) for a in rapport.avertissements)
    assert "contacts gardés" in dits and "plages gardés" in dits


def test_une_fiche_qui_a_absorbe_un_doublon_garde_ses_lieux_au_reimport(tmp_path):
    importer_data_inclusion(JSON_NIEVRE)
    service = fiche_importee(Service, PORTAGE)
    apporte = LieuFactory(structure=service.structure)
    service.lieux.add(apporte)
    ServiceFactory(structure=service.structure, fusionne_dans=service, statut="archive")

    importer_data_inclusion(copie_json(tmp_path, changer_le_telephone))

    assert apporte in service.lieux.all()


def test_finess_ne_remplace_plus_les_besoins_corriges_par_une_personne(tmp_path):
    importer_finess(REELS)
    service = Provenance.objects.get(
        source="finess", identifiant="580000768", content_type__model="service"
    ).objet
    autre = Besoin.objects.exclude(pk__in=service.besoins.all()).order_by("pk").first()
    ecrire_fiches(
        changements=[Changement(service, {"besoins": [autre.pk]})],
        auteur=Auteur("gestionnaire", UtilisateurFactory()),
    )

    importer_finess(copie(tmp_path, ("EHPAD ARPAGE SAINT GENEST;", "EHPAD ARPAGE ST GENEST;")))

    service.refresh_from_db()
    assert service.nom == "EHPAD ARPAGE ST GENEST"
    assert list(service.besoins.values_list("pk", flat=True)) == [autre.pk]
