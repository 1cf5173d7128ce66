"""Campagnes de vérification : un animateur les lance sur son territoire, chaque structure
confirme ou signale une correction par un lien signé, sans compte ; le lien expire."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from fraicheur import services
from fraicheur.courriels import SEL_CAMPAGNE
from fraicheur.models import Campagne, Demande, Reponse
from fraicheur.tests.conftest import service_a
from repertoire.models import Service, Structure
from territoires.models import Departement

pytestmark = pytest.mark.django_db


def texte(reponse) -> str:
    return " ".join(reponse.content.decode().split())


def lien_du_courriel(message) -> str:
    return re.search(
        r"https://autonomie\.example\.fr(/lien/verification/[^/\s]+/)", message.body
    ).group(1)


@pytest.fixture
def campagne(animateur, nevers, besoin) -> Campagne:
    service_a(nevers, nom="Plateforme de répit", besoins=[besoin], courriel="repit@exemple.fr")
    service_a(nevers, nom="Accueil de jour", besoins=[besoin], courriel="")
    service_a(nevers, nom="Hors campagne")  # sans le besoin demandé
    return services.lancer_campagne(
        nom="Printemps 2026",
        departement=Departement.objects.get(pk="58"),
        besoins=[besoin],
        categories=[],
        par=animateur,
    )


def test_un_animateur_lance_une_campagne_et_chaque_structure_recoit_un_lien(
    client, animateur, nevers, besoin
):
    service_a(nevers, nom="Plateforme de répit", besoins=[besoin], courriel="repit@exemple.fr")
    reponse = client.post(
        "/fraicheur/campagnes/",
        {
            "nom": "Printemps",
            "departement": "58",
            "besoins": [besoin.pk],
            "categories": "",
            "jours": 30,
        },
    )
    campagne = Campagne.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/fraicheur/campagnes/{campagne.pk}/"
    assert campagne.lancee_par == animateur
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["repit@exemple.fr"]
    assert "Plateforme de répit" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "sans mot de passe" in message.alternatives[0][0]


def test_une_structure_sans_adresse_est_listee_a_appeler(client, campagne):
    assert campagne.demandes.count() == 2
    assert len(mail.outbox) == 1
    html = texte(client.get(f"/fraicheur/campagnes/{campagne.pk}/"))
    assert "aucune adresse : à appeler" in html


def test_un_animateur_ne_lance_pas_de_campagne_hors_de_son_territoire(client, animateur_du_cher):
    reponse = client.post(
        "/fraicheur/campagnes/", {"nom": "Ailleurs", "departement": "58", "jours": 30}
    )
    assert reponse.status_code == 200
    assert "Sélectionnez un choix valide" in texte(reponse)
    assert not Campagne.objects.exists()


def test_le_tableau_de_bord_d_une_campagne_est_refuse_hors_du_territoire(
    client, campagne, animateur_du_cher
):
    assert client.get(f"/fraicheur/campagnes/{campagne.pk}/").status_code == 403


def test_rien_n_a_change_ecrit_la_date_de_verification_par_la_porte_sans_compte(client, campagne):
    lien = lien_du_courriel(mail.outbox[0])
    client.logout()
    page = client.get(lien)
    assert page.status_code == 200
    assert "Plateforme de répit" in texte(page)
    assert client.post(lien, {"reponse": "confirmee"}).status_code == 302

    service = Service.objects.get(nom="Plateforme de répit")
    assert service.date_verification == timezone.localdate()
    assert service.verifie_par == "campagne"
    assert service.structure.date_verification == timezone.localdate()
    assert service.history.first().history_change_reason == "campagne"
    assert Service.objects.get(nom="Hors campagne").date_verification is None
    demande = Demande.objects.get(courriel="repit@exemple.fr")
    assert demande.reponse == Reponse.CONFIRMEE
    assert "Merci : votre réponse" in texte(client.get(lien))


def test_a_corriger_garde_le_message_pour_les_moderateurs_sans_toucher_la_fiche(
    client, campagne, animateur
):
    lien = lien_du_courriel(mail.outbox[0])
    vide = client.post(lien, {"reponse": "a-corriger", "message": ""})
    assert "Dites-nous ce qui a changé." in texte(vide)
    client.post(lien, {"reponse": "a-corriger", "message": "Fermé le mercredi désormais."})
    demande = Demande.objects.get(courriel="repit@exemple.fr")
    assert (demande.reponse, demande.message) == (
        Reponse.A_CORRIGER,
        "Fermé le mercredi désormais.",
    )
    assert Service.objects.get(nom="Plateforme de répit").date_verification is None
    html = texte(client.get(f"/fraicheur/campagnes/{campagne.pk}/"))
    assert "Fermé le mercredi désormais." in html


def test_un_lien_reutilise_apres_l_expiration_est_refuse_clairement(client, campagne):
    lien = lien_du_courriel(mail.outbox[0])
    Campagne.objects.filter(pk=campagne.pk).update(
        expire_le=timezone.now() - dt.timedelta(minutes=1)
    )
    for reponse in (client.get(lien), client.post(lien, {"reponse": "confirmee"})):
        assert reponse.status_code == 410
        html = texte(reponse)
        assert "Ce lien de vérification n'est plus valable" in html
        assert "écrivez ou téléphonez à l'équipe du site" in html
    assert Service.objects.get(nom="Plateforme de répit").date_verification is None


def test_un_lien_d_une_campagne_cloturee_est_refuse(client, campagne):
    lien = lien_du_courriel(mail.outbox[0])
    assert services.cloturer_campagnes(le=campagne.expire_le) == 1
    assert client.get(lien).status_code == 410


def test_un_lien_abime_ou_falsifie_est_inconnu(client, campagne):
    demande = campagne.demandes.first()
    falsifie = signing.dumps(demande.pk, salt="autre-chose")
    assert client.get(f"/lien/verification/{falsifie}/").status_code == 404
    reponse = client.get("/lien/verification/n-importe-quoi/")
    assert reponse.status_code == 404
    assert "Lien de vérification inconnu" in texte(reponse)


def test_une_signature_trop_ancienne_est_refusee(client, campagne, monkeypatch):
    demande = campagne.demandes.exclude(courriel="").get()
    jeton = signing.dumps(demande.pk, salt=SEL_CAMPAGNE, compress=True)
    monkeypatch.setattr(services, "AGE_MAX_D_UN_LIEN", dt.timedelta(seconds=-1))
    assert client.get(f"/lien/verification/{jeton}/").status_code == 410


def test_le_tableau_de_bord_compte_par_commune_et_par_categorie(client, campagne):
    services.repondre(demande=campagne.demandes.get(courriel=""), reponse=Reponse.CONFIRMEE)
    html = texte(client.get(f"/fraicheur/campagnes/{campagne.pk}/"))
    assert "<tr><td>1</td><td>0</td><td>1</td></tr>" in html
    assert '<th scope="row">Nevers</th><td>1</td><td>0</td><td>1</td>' in html
    assert '<th scope="row">sans catégorie FINESS</th><td>1</td><td>0</td><td>1</td>' in html


def test_relancer_les_silencieux_ne_renvoie_qu_a_ceux_qui_n_ont_pas_repondu(
    client, campagne, nevers, besoin
):
    autre = service_a(nevers, nom="Autre", besoins=[besoin], courriel="autre@exemple.fr")
    Demande.objects.create(
        campagne=campagne, structure=autre.structure, courriel="autre@exemple.fr"
    )
    services.repondre(
        demande=campagne.demandes.get(courriel="repit@exemple.fr"), reponse=Reponse.CONFIRMEE
    )
    mail.outbox.clear()
    reponse = client.post(f"/fraicheur/campagnes/{campagne.pk}/relancer/")
    assert reponse.status_code == 302
    assert [m.to for m in mail.outbox] == [["autre@exemple.fr"]]
    assert mail.outbox[0].subject.startswith("Rappel : ")
    assert Demande.objects.get(courriel="autre@exemple.fr").relancee_le is not None
    assert "1 structure(s) sans réponse" in texte(client.get(reponse["Location"]))


def test_cloturer_les_campagnes_deux_fois_ne_change_rien_la_seconde(campagne):
    Campagne.objects.filter(pk=campagne.pk).update(expire_le=timezone.now())
    call_command("cloturer_campagnes", stdout=(sortie := StringIO()))
    assert "1 campagne(s) clôturée(s)." in sortie.getvalue()
    cloturee_le = Campagne.objects.get().cloturee_le
    call_command("cloturer_campagnes", stdout=(sortie := StringIO()))
    assert "0 campagne(s) clôturée(s)." in sortie.getvalue()
    assert Campagne.objects.get().cloturee_le == cloturee_le


def test_une_campagne_par_categorie_finess(animateur, nevers):
    service_a(nevers, nom="EHPAD", categorie_finess="500")
    service_a(nevers, nom="SSIAD", categorie_finess="354")
    campagne = services.lancer_campagne(
        nom="EHPAD",
        departement=Departement.objects.get(pk="58"),
        besoins=[],
        categories=["500"],
        par=animateur,
    )
    assert list(campagne.demandes.values_list("services__nom", flat=True)) == ["EHPAD"]
    assert Structure.objects.count() == 2


def test_le_jeton_d_un_lien_de_campagne_n_apparait_pas_dans_les_journaux(campagne):
    from core.journaux import masquer

    lien = lien_du_courriel(mail.outbox[0])
    jeton = lien.split("/")[3]
    assert jeton not in masquer(f"Not Found: {lien}")
