"""Une fiche est vérifiée quand une personne ou la structure l'a confirmée ; la date de mise à
jour de FINESS reste à sa place, dite honnêtement ; une fiche périmée le dit au public."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from fraicheur.tests.conftest import service_a
from repertoire.models import Provenance, Service, ajouter_mois
from repertoire.tests.factories import ServiceFactory, StructureFactory

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module(
    "repertoire.migrations.0012_date_de_verification_distincte_de_la_mise_a_jour_finess"
)


def texte(reponse) -> str:
    return " ".join(reponse.content.decode().split())


def test_une_fiche_se_reverifie_tous_les_six_mois_par_defaut():
    service = ServiceFactory.build(date_verification=dt.date(2026, 1, 31))
    assert service.frequence_verification == 6
    assert service.echeance_verification() == dt.date(2026, 7, 31)
    assert not service.est_perimee(dt.date(2026, 7, 30))
    assert service.est_perimee(dt.date(2026, 7, 31))


def test_une_categorie_peut_avoir_sa_propre_frequence(settings):
    settings.VERIFICATION_FREQUENCES_PAR_CATEGORIE = {"500": 12, "CCAS": 3}
    ehpad = ServiceFactory.build(categorie_finess="500", date_verification=dt.date(2026, 1, 1))
    assert ehpad.echeance_verification() == dt.date(2027, 1, 1)
    ccas = StructureFactory.build(typologie="CCAS", date_verification=dt.date(2026, 1, 1))
    assert ccas.echeance_verification() == dt.date(2026, 4, 1)


def test_une_fiche_jamais_verifiee_est_a_verifier():
    assert ServiceFactory.build(date_verification=None).est_perimee(dt.date(2026, 1, 1))


def test_un_mois_plus_court_garde_son_dernier_jour():
    assert ajouter_mois(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert ajouter_mois(dt.date(2027, 12, 15), 1) == dt.date(2028, 1, 15)


def test_la_fiche_publique_dit_verifie_le_seulement_quand_elle_l_est(client, nevers):
    recente = service_a(nevers, nom="Aide récente", date_verification=dt.date.today())
    html = texte(client.get(f"/services/{recente.pk}/", follow=True))
    assert "Vérifié le" in html
    assert "Elles ont peut-être changé" not in html


def test_une_fiche_perimee_dit_d_appeler_avant_de_se_deplacer(client, nevers):
    vieille = service_a(nevers, nom="Aide ancienne", date_verification=dt.date(2020, 1, 1))
    html = texte(client.get(f"/services/{vieille.pk}/", follow=True))
    assert "Vérifié le 1er janvier 2020" in html or "Vérifié le 1 janvier 2020" in html
    assert (
        "Ces informations ont été vérifiées il y a plus de 6 mois. "
        "Elles ont peut-être changé : appelez avant de vous déplacer." in html
    )


def test_une_fiche_jamais_verifiee_ne_dit_pas_verifie_le(client, nevers):
    jamais = service_a(nevers, nom="Aide jamais vérifiée")
    html = texte(client.get(f"/services/{jamais.pk}/", follow=True))
    assert "Vérifié le" not in html
    assert "pas encore été vérifiées. Elles ont peut-être changé" in html


def test_la_date_finess_est_dite_mise_a_jour_dans_finess_et_non_verifiee(client, nevers):
    service = service_a(nevers, nom="EHPAD des Bords de Loire")
    Provenance.objects.create(
        objet=service,
        source="finess",
        identifiant="580000768",
        date_maj_source=dt.date(2017, 7, 19),
    )
    html = texte(client.get(f"/services/{service.pk}/", follow=True))
    assert "mis à jour dans FINESS le 19 juillet 2017" in html
    assert "Vérifié le" not in html


def test_la_migration_retire_la_date_finess_de_la_verification_et_la_garde_sur_la_source(nevers):
    ContentType.objects.get_for_model(Service)  # la migration cherche ce type
    venue_de_finess = service_a(nevers, date_verification=dt.date(2017, 7, 19))
    Provenance.objects.create(
        objet=venue_de_finess,
        source="finess",
        identifiant="1",
        date_maj_source=dt.date(2017, 7, 19),
    )
    sans_date_source = service_a(nevers, date_verification=dt.date(2018, 3, 1))
    provenance_sans_date = Provenance.objects.create(
        objet=sans_date_source, source="finess", identifiant="2"
    )
    corrigee = service_a(
        nevers,
        date_verification=dt.date(2019, 5, 5),
        champs_corriges={"date_verification": {"par": "administration", "le": "2019-05-05"}},
    )
    Provenance.objects.create(
        objet=corrigee, source="finess", identifiant="3", date_maj_source=dt.date(2019, 5, 5)
    )
    saisie = service_a(nevers, date_verification=dt.date(2026, 1, 2))

    MIGRATION.separer_la_date_finess(apps, None)

    dates = dict(Service.objects.values_list("pk", "date_verification"))
    assert dates[venue_de_finess.pk] is None
    assert dates[sans_date_source.pk] is None
    provenance_sans_date.refresh_from_db()
    assert provenance_sans_date.date_maj_source == dt.date(2018, 3, 1)
    assert dates[corrigee.pk] == dt.date(2019, 5, 5)  # une personne l'a vérifiée
    assert dates[saisie.pk] == dt.date(2026, 1, 2)  # aucune source FINESS


def test_la_porte_note_qui_a_verifie_une_personne_oui_une_source_non(nevers):
    from repertoire.ecriture import Auteur, Changement, ecrire_fiches

    service = service_a(nevers)
    jour = dt.date(2026, 11, 2)
    ecrire_fiches(
        changements=[Changement(fiche=service, valeurs={"date_verification": jour})],
        auteur=Auteur("administration"),
    )
    service.refresh_from_db()
    assert (service.date_verification, service.verifie_par) == (jour, "administration")
    autre = service_a(nevers)
    ecrire_fiches(
        changements=[Changement(fiche=autre, valeurs={"date_verification": jour})],
        auteur=Auteur("data-inclusion:dora"),
    )
    autre.refresh_from_db()
    assert autre.verifie_par == ""


def test_la_page_d_une_structure_dit_aussi_sa_fraicheur(client, nevers):
    service = service_a(nevers)
    structure = service.structure
    html = texte(client.get(f"/structures/{structure.pk}/", follow=True))
    assert "Vérifié le" not in html
    assert "pas encore été vérifiées. Elles ont peut-être changé" in html
