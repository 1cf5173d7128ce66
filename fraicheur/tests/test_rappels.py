"""Rappels aux gestionnaires avant et après l'échéance : une fois par échéance, même lancés
deux fois ; une adresse désinscrite n'en reçoit plus."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from fraicheur import services
from fraicheur.models import Desinscription, Moment, Rappel
from fraicheur.tests.conftest import service_a
from repertoire.tests.factories import StructureFactory

pytestmark = pytest.mark.django_db
AUJOURDHUI = dt.date(2026, 12, 1)


@pytest.fixture
def gestionnaire():
    institution = InstitutionFactory()
    utilisateur = UtilisateurFactory(email="gestion@structure.fr")
    RoleFactory(type=TypeRole.GESTIONNAIRE, institution=institution, utilisateur=utilisateur)
    return utilisateur


@pytest.fixture
def structure(gestionnaire):
    return StructureFactory(institution=gestionnaire.roles.get().institution)


def test_une_fiche_proche_de_son_echeance_est_rappelee_avant(structure, nevers):
    service_a(nevers, structure=structure, nom="Répit", date_verification=dt.date(2026, 6, 20))
    bilan = services.relancer_verifications(le=AUJOURDHUI)
    assert bilan == services.BilanRappels(rappels=1, courriels=1)
    message = mail.outbox[0]
    assert message.to == ["gestion@structure.fr"]
    assert "Répit : à vérifier avant le 20 décembre 2026" in message.body
    assert Rappel.objects.get().moment == Moment.AVANT


def test_une_fiche_echue_est_rappelee_apres(structure, nevers):
    service_a(nevers, structure=structure, nom="Répit", date_verification=dt.date(2026, 1, 10))
    services.relancer_verifications(le=AUJOURDHUI)
    assert "dépassée depuis le 10 juillet 2026" in mail.outbox[0].body


def test_une_fiche_loin_de_son_echeance_n_est_pas_rappelee(structure, nevers):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 11, 1))
    assert services.relancer_verifications(le=AUJOURDHUI).rappels == 0
    assert mail.outbox == []


def test_une_fiche_sans_gestionnaire_n_envoie_rien(nevers):
    service_a(nevers, date_verification=dt.date(2020, 1, 1))
    assert services.relancer_verifications(le=AUJOURDHUI).rappels == 0


def test_la_commande_lancee_deux_fois_n_envoie_qu_une_fois(structure, nevers):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    call_command("relancer_verifications", stdout=(premiere := StringIO()))
    call_command("relancer_verifications", stdout=(seconde := StringIO()))
    assert "1 fiche(s) rappelée(s), 1 courriel(s) envoyé(s)." in premiere.getvalue()
    assert "0 fiche(s) rappelée(s), 0 courriel(s) envoyé(s)." in seconde.getvalue()
    assert len(mail.outbox) == 1


def test_le_rappel_apres_part_une_fois_l_echeance_passee_meme_apres_le_rappel_avant(
    structure, nevers
):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 6, 20))
    services.relancer_verifications(le=AUJOURDHUI)
    services.relancer_verifications(le=dt.date(2026, 12, 21))
    services.relancer_verifications(le=dt.date(2026, 12, 22))
    assert sorted(Rappel.objects.values_list("moment", flat=True)) == ["apres", "avant"]
    assert len(mail.outbox) == 2


def test_une_reservation_deja_prise_par_un_autre_processus_n_est_pas_renvoyee(structure, nevers):
    """Deux commandes concurrentes : la contrainte unique de `Rappel` départage ; celle qui
    arrive la seconde voit la ligne déjà posée et n'envoie rien."""
    service = service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    echeance, moment = services.rappel_du(service, le=AUJOURDHUI)
    assert services._reserver(service, echeance, moment) is True
    assert services._reserver(service, echeance, moment) is False
    assert services.relancer_verifications(le=AUJOURDHUI).courriels == 0


def test_une_adresse_desinscrite_ne_recoit_plus_de_rappel(client, structure, nevers):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    services.relancer_verifications(le=AUJOURDHUI)
    message = mail.outbox[0]
    lien = re.search(r"https://autonomie\.example\.fr(/lien/desinscription/\S+/)", message.body)
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{lien.group(1)}>")
    assert "Ne plus recevoir ces rappels" in message.alternatives[0][0]

    page = client.get(lien.group(1))
    assert "Voulez-vous que l'adresse gestion@structure.fr" in page.content.decode()
    assert not Desinscription.objects.exists()  # ouvrir le lien ne suffit pas (aperçus)
    assert "ne recevra plus" in client.post(lien.group(1)).content.decode()
    client.post(lien.group(1))
    assert Desinscription.objects.count() == 1

    mail.outbox.clear()
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 2, 10))
    assert services.relancer_verifications(le=AUJOURDHUI).courriels == 0
    assert mail.outbox == []


def test_un_lien_de_desinscription_falsifie_est_inconnu(client):
    assert client.get("/lien/desinscription/gestion@structure.fr/").status_code == 404


def lien_de_confirmation(message) -> str:
    return re.search(r"https://autonomie\.example\.fr(/lien/confirmation/\S+/)", message.body)[1]


def test_le_gestionnaire_confirme_sa_fiche_depuis_le_rappel_sans_se_connecter(
    client, structure, nevers, gestionnaire
):
    service = service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    services.relancer_verifications(le=AUJOURDHUI)
    lien = lien_de_confirmation(mail.outbox[0])
    assert "est-elle toujours juste" in client.get(lien).content.decode()
    service.refresh_from_db()
    assert service.date_verification == dt.date(2026, 1, 10)  # ouvrir ne confirme rien
    assert "Merci, la fiche est vérifiée" in client.post(lien).content.decode()
    service.refresh_from_db()
    assert service.date_verification == timezone.localdate()
    assert service.verifie_par == "gestionnaire"
    derniere = service.history.first()
    assert (derniere.history_change_reason, derniere.history_user) == ("gestionnaire", gestionnaire)


def test_un_ancien_gestionnaire_ne_confirme_plus_par_un_vieux_rappel(
    client, structure, nevers, gestionnaire
):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    services.relancer_verifications(le=AUJOURDHUI)
    gestionnaire.roles.update(actif=False)
    reponse = client.post(lien_de_confirmation(mail.outbox[0]))
    assert reponse.status_code == 403
    assert "Vous ne gérez plus cette fiche" in reponse.content.decode()


def test_un_lien_de_rappel_trop_ancien_est_refuse(client, structure, nevers, monkeypatch):
    service_a(nevers, structure=structure, date_verification=dt.date(2026, 1, 10))
    services.relancer_verifications(le=AUJOURDHUI)
    monkeypatch.setattr(services, "AGE_MAX_D_UN_RAPPEL", dt.timedelta(seconds=-1))
    reponse = client.get(lien_de_confirmation(mail.outbox[0]))
    assert reponse.status_code == 410
    assert "Le délai de ce lien est passé" in reponse.content.decode()
