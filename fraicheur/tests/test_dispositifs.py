"""Un dispositif à durée limitée : son gestionnaire est prévenu avant la fin (une fois), la
fiche est cachée dès le lendemain de sa date de fin, puis archivée par la porte."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from fraicheur import dispositifs
from fraicheur.models import Desinscription, Moment, Rappel
from fraicheur.tests.conftest import service_a
from repertoire.models import IndexService, Service
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import StructureFactory

pytestmark = pytest.mark.django_db
AUJOURDHUI = dt.date(2026, 12, 1)


@pytest.fixture
def structure():
    institution = InstitutionFactory()
    utilisateur = UtilisateurFactory(email="gestion@structure.fr")
    RoleFactory(type=TypeRole.GESTIONNAIRE, institution=institution, utilisateur=utilisateur)
    return StructureFactory(institution=institution)


def test_le_gestionnaire_est_prevenu_une_seule_fois_avant_la_fin(structure, nevers):
    service_a(nevers, structure=structure, nom="Répit expérimental", date_fin=dt.date(2026, 12, 20))
    service_a(nevers, structure=structure, nom="Sans fin")
    premiere = dispositifs.cloturer_dispositifs(le=AUJOURDHUI)
    seconde = dispositifs.cloturer_dispositifs(le=AUJOURDHUI + dt.timedelta(days=1))
    assert (premiere.prevenus, premiere.courriels, seconde.prevenus) == (1, 1, 0)
    message = mail.outbox[0]
    assert message.to == ["gestion@structure.fr"]
    assert "Répit expérimental : jusqu'au 20 décembre 2026" in message.body
    assert "/gestion/" in message.body and "Pour ne plus recevoir" in message.body
    assert Rappel.objects.get().moment == Moment.FIN


def test_un_dispositif_loin_de_sa_fin_ne_declenche_rien(structure, nevers):
    service_a(nevers, structure=structure, date_fin=dt.date(2027, 6, 30))
    assert dispositifs.cloturer_dispositifs(le=AUJOURDHUI).prevenus == 0
    assert mail.outbox == []


def test_une_adresse_desinscrite_n_est_pas_prevenue(structure, nevers):
    Desinscription.objects.create(courriel="gestion@structure.fr")
    service_a(nevers, structure=structure, date_fin=dt.date(2026, 12, 20))
    assert dispositifs.cloturer_dispositifs(le=AUJOURDHUI).courriels == 0


def test_un_dispositif_termine_est_archive_par_la_porte_et_quitte_la_recherche(structure, nevers):
    service = service_a(nevers, structure=structure, date_fin=dt.date(2026, 11, 30))
    indexer_services([service.pk])
    bilan = dispositifs.cloturer_dispositifs(le=AUJOURDHUI)
    service.refresh_from_db()
    assert bilan.archives == 1 and service.statut == Service.Statut.ARCHIVE
    assert service.history.latest("history_date").history_change_reason == "fin-de-dispositif"
    assert not IndexService.objects.filter(service=service).exists()


def test_la_commande_lancee_deux_fois_ne_refait_rien(structure, nevers):
    service_a(nevers, structure=structure, date_fin=dt.date(2026, 11, 30))
    service_a(nevers, structure=structure, date_fin=dt.date.today() + dt.timedelta(days=5))
    call_command("cloturer_dispositifs", stdout=(premiere := StringIO()))
    call_command("cloturer_dispositifs", stdout=(seconde := StringIO()))
    assert "1 dispositif(s) terminé(s) archivé(s)" in premiere.getvalue()
    assert "1 courriel(s) envoyé(s)" in premiere.getvalue()
    assert "0 courriel(s) envoyé(s), 0 dispositif(s) terminé(s) archivé(s)" in seconde.getvalue()
    assert len(mail.outbox) == 1


def test_une_reservation_deja_prise_par_un_processus_concurrent_n_envoie_rien(structure, nevers):
    service = service_a(nevers, structure=structure, date_fin=dt.date(2026, 12, 20))
    Rappel.objects.create(service=service, echeance=service.date_fin, moment=Moment.FIN)
    assert dispositifs.cloturer_dispositifs(le=AUJOURDHUI).courriels == 0
