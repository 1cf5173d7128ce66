"""Une réponse « à corriger » à une campagne arrive dans la file de modération : un
signalement de la structure, avec le message, que les modérateurs du territoire voient."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from contribution.models import Motif, Signalement
from fraicheur import services
from fraicheur.models import Campagne, Demande, Reponse
from fraicheur.tests.conftest import service_a
from territoires.models import Departement

pytestmark = pytest.mark.django_db


@pytest.fixture
def campagne(animateur, nevers, besoin) -> Campagne:
    service_a(nevers, nom="Plateforme de répit", besoins=[besoin], courriel="repit@exemple.fr")
    return services.lancer_campagne(
        nom="Printemps 2026",
        departement=Departement.objects.get(pk="58"),
        besoins=[besoin],
        categories=[],
        par=animateur,
    )


def lien_du_courriel(message) -> str:
    return re.search(r"(/lien/verification/[^/\s]+/)", message.body).group(1)


def test_a_corriger_devient_un_signalement_dans_la_file_des_moderateurs(client, campagne):
    lien = lien_du_courriel(mail.outbox[0])
    client.post(lien, {"reponse": "a-corriger", "message": "Fermé le mercredi désormais."})
    demande = Demande.objects.get(courriel="repit@exemple.fr")
    signalement = Signalement.objects.get()
    assert signalement.structure == demande.structure and signalement.service is None
    assert signalement.motif == Motif.AUTRE
    assert signalement.courriel == "repit@exemple.fr"
    assert signalement.client == f"campagne:{campagne.pk}"
    assert "« Printemps 2026 »" in signalement.texte
    assert "Plateforme de répit" in signalement.texte
    assert signalement.texte.endswith("Fermé le mercredi désormais.")

    moderateur = RoleFactory(
        type=TypeRole.MODERATEUR, institution=InstitutionFactory(departement_id="58")
    ).utilisateur
    client.force_login(moderateur)
    page = client.get(reverse("contribution:file")).content.decode()
    assert "Signalements d'erreur (1)" in page
    assert "Fermé le mercredi désormais." in page


def test_rien_n_a_change_ne_signale_rien(campagne):
    demande = Demande.objects.get(courriel="repit@exemple.fr")
    services.repondre(demande=demande, reponse=Reponse.CONFIRMEE)
    assert not Signalement.objects.exists()


def test_le_meme_message_envoye_deux_fois_n_est_signale_qu_une_fois(campagne):
    demande = Demande.objects.get(courriel="repit@exemple.fr")
    for _ in range(2):
        services.repondre(demande=demande, reponse=Reponse.A_CORRIGER, message="Nouveau numéro")
    assert Signalement.objects.count() == 1
