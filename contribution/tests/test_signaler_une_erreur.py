"""« Signaler une erreur » : ouvert au public, sans tiers contre les abus (pot de miel, débit
par adresse pseudonymisée, fenêtre des doublons), erreurs en français à côté des champs."""

import pytest
from django.urls import reverse

from contribution.models import Motif, Signalement
from core.models import CompteurDebit
from repertoire.views import url_service, url_structure

from .conftest import NEVERS, service_a

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def envoyer(client, fiche, **donnees):
    nom = "signaler-service" if fiche._meta.model_name == "service" else "signaler-structure"
    valeurs = {"motif": Motif.HORAIRES, "texte": "Fermé le mercredi désormais.", **donnees}
    return client.post(reverse(f"contribution:{nom}", args=[fiche.pk]), valeurs, REMOTE_ADDR=IP)


def test_chaque_fiche_de_structure_et_de_service_offre_de_signaler_une_erreur(client):
    service = service_a(NEVERS)
    for url, lien in [
        (url_service(service), reverse("contribution:signaler-service", args=[service.pk])),
        (
            url_structure(service.structure),
            reverse("contribution:signaler-structure", args=[service.structure.pk]),
        ),
    ]:
        page = client.get(url).content.decode()
        assert f'href="{lien}"' in page
        assert "Signaler une erreur" in page
        formulaire = client.get(lien)
        assert formulaire.status_code == 200
        assert "Fermé définitivement" in formulaire.content.decode()


def test_un_anonyme_signale_une_erreur_sans_que_son_adresse_ip_soit_gardee(
    client, structure_nievre
):
    reponse = envoyer(client, structure_nievre, courriel="aidant@exemple.fr")
    assert reponse.status_code == 200
    assert "Merci pour votre signalement" in reponse.content.decode()
    signalement = Signalement.objects.get()
    assert signalement.structure == structure_nievre
    assert signalement.motif == Motif.HORAIRES
    assert signalement.courriel == "aidant@exemple.fr"
    assert signalement.etat == Signalement.Etat.NOUVEAU
    assert IP not in signalement.client and len(signalement.client) == 64
    assert not CompteurDebit.objects.filter(adresse__contains=IP).exists()


def test_un_robot_qui_remplit_le_pot_de_miel_croit_reussir_mais_rien_n_est_enregistre(
    client, structure_nievre
):
    reponse = envoyer(client, structure_nievre, site_internet="http://spam.example")
    assert reponse.status_code == 200
    assert "Merci pour votre signalement" in reponse.content.decode()
    assert not Signalement.objects.exists()


def test_le_pot_de_miel_est_cache_a_tous(client, structure_nievre):
    page = client.get(reverse("contribution:signaler-structure", args=[structure_nievre.pk]))
    assert '<div hidden><div class="groupe-champ">' in page.content.decode().replace("\n", "")


def test_trop_d_envois_d_une_meme_adresse_rendent_une_page_429_en_francais(
    client, settings, structure_nievre
):
    settings.CONTRIBUTION_SIGNALEMENTS_PAR_MINUTE = 2
    for numero in range(2):
        assert envoyer(client, structure_nievre, texte=f"Erreur {numero}").status_code == 200
    reponse = envoyer(client, structure_nievre, texte="Erreur de trop")
    assert reponse.status_code == 429
    assert "Trop d'envois en peu de temps" in reponse.content.decode()
    assert Signalement.objects.count() == 2
    # Une autre adresse n'est pas bloquée.
    autre = client.post(
        reverse("contribution:signaler-structure", args=[structure_nievre.pk]),
        {"motif": Motif.AUTRE, "texte": "Autre chose"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert autre.status_code == 200


def test_le_meme_signalement_dans_la_fenetre_n_est_pas_enregistre_deux_fois(
    client, structure_nievre
):
    envoyer(client, structure_nievre, texte="Fermé le mercredi désormais.")
    reponse = envoyer(client, structure_nievre, texte="  fermé le MERCREDI   desormais. ")
    assert "déjà parvenu récemment" in reponse.content.decode()
    assert Signalement.objects.count() == 1
    envoyer(client, structure_nievre, motif=Motif.AUTRE, texte="Fermé le mercredi désormais.")
    assert Signalement.objects.count() == 2


def test_un_signalement_identique_hors_de_la_fenetre_est_enregistre(
    client, settings, structure_nievre
):
    envoyer(client, structure_nievre)
    Signalement.objects.update(cree_le="2020-01-01T00:00:00Z")
    settings.CONTRIBUTION_DOUBLON_HEURES = 24
    envoyer(client, structure_nievre)
    assert Signalement.objects.count() == 2


def test_les_erreurs_sont_dites_en_francais_a_cote_des_champs(client, structure_nievre):
    reponse = envoyer(client, structure_nievre, motif="", texte="", courriel="pas-une-adresse")
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Choisissez ce qui est faux." in page
    assert 'id="motif-erreur"' in page
    assert 'id="id_texte_error"' in page and "Dites-nous ce qui est faux" in page
    assert 'id="id_courriel_error"' in page and "Cette adresse n&#x27;est pas valide" in page
    assert not Signalement.objects.exists()
