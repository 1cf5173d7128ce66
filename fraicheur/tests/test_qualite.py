"""La qualité d'une fiche et d'un département, pour les animateurs, et son export CSV."""

import datetime as dt

import pytest
from django.utils import timezone

from fraicheur.qualite import Qualite, qualite_du_service, qualite_du_territoire, services_a_noter
from fraicheur.tests.conftest import service_a
from repertoire.tests.factories import ContactFactory, PlageHoraireFactory, StructureFactory

pytestmark = pytest.mark.django_db


def texte(reponse) -> str:
    return " ".join(reponse.content.decode().split())


@pytest.fixture
def complete(nevers, besoin):
    service = service_a(
        nevers,
        nom="Plateforme de répit",
        besoins=[besoin],
        age_min=60,
        modes_acces=["libre"],
        frais="gratuit",
        resume_falc="Vous aidez un proche. Nous vous aidons.",
        date_verification=timezone.localdate(),
        courriel="",
    )
    PlageHoraireFactory(service=service)
    ContactFactory(service=service, courriel="", telephone="03 86 00 00 00")
    return service


def note(service) -> Qualite:
    return qualite_du_service(services_a_noter("58").get(pk=service.pk), le=timezone.localdate())


def test_une_fiche_complete_fraiche_facile_a_lire_et_joignable_a_cent(complete):
    assert note(complete) == Qualite(completude=1, fraiche=True, falc=True, joignable=True)
    assert note(complete).score == 100


def test_une_fiche_vide_jamais_verifiee_et_injoignable_a_peu(nevers):
    service = service_a(nevers, courriel="", description="")
    qualite = note(service)
    assert (qualite.fraiche, qualite.falc, qualite.joignable) == (False, False, False)
    assert qualite.completude == pytest.approx(1 / 7)  # seulement « où » : un lieu
    assert qualite.score == 6


def test_un_contact_reserve_aux_professionnels_ne_rend_pas_joignable(nevers):
    service = service_a(nevers, courriel="")
    ContactFactory(service=service, professionnels=True)
    assert note(service).joignable is False
    service.structure.telephone = "03 86 11 11 11"
    service.structure.save()
    assert note(service).joignable is True


def test_une_fiche_perimee_perd_ses_points_de_fraicheur(complete):
    complete.date_verification = dt.date(2020, 1, 1)
    complete.save()
    assert note(complete).score == 70


def test_la_qualite_d_un_departement_compte_les_fiches_pas_les_moyennes():
    qualites = [
        Qualite(completude=1, fraiche=True, falc=True, joignable=True),
        Qualite(completude=0.5, fraiche=False, falc=False, joignable=True),
    ]
    bilan = qualite_du_territoire(qualites)
    assert (bilan.fiches, bilan.score_moyen) == (2, 67.5)
    assert (bilan.part_completes, bilan.part_fraiches, bilan.part_joignables) == (50, 50, 100)
    assert qualite_du_territoire([]).score_moyen is None


def test_noter_un_departement_lit_un_nombre_fixe_de_requetes(
    complete, nevers, django_assert_num_queries
):
    for _ in range(3):
        service_a(nevers)
    with django_assert_num_queries(7):
        [qualite_du_service(s, le=timezone.localdate()) for s in services_a_noter("58")]


def test_l_animateur_voit_la_qualite_de_son_departement(client, animateur, complete):
    html = texte(client.get("/fraicheur/qualite/"))
    assert "Nièvre (58)" in html
    assert "<td>1</td><td>100,0</td>" in html
    detail = texte(client.get("/fraicheur/qualite/58/"))
    assert "Plateforme de répit" in detail


def test_un_animateur_ne_voit_pas_la_qualite_d_un_autre_departement(
    client, animateur_du_cher, complete
):
    assert client.get("/fraicheur/qualite/58/").status_code == 403
    assert client.get("/fraicheur/qualite/58/export.csv").status_code == 403


def test_l_export_csv_neutralise_les_formules(client, animateur, complete, nevers):
    service_a(nevers, nom='=HYPERLINK("http://x")', structure=StructureFactory(nom="+Piège"))
    reponse = client.get("/fraicheur/qualite/58/export.csv")
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    lignes = reponse.content.decode().splitlines()
    assert lignes[0].startswith("id;service;structure;note sur 100")
    assert any(";\"'=HYPERLINK" in ligne and ";'+Piège;" in ligne for ligne in lignes)
    assert any(
        ";Plateforme de répit;" in ligne and ";100;100;oui;oui;oui;" in ligne for ligne in lignes
    )
