"""La file de modération d'un territoire : ce qui y est, ce qu'un modérateur y décide, et le
rétablissement d'une version de l'historique, toujours par la porte des fiches."""

import pytest
from django.core import mail
from django.urls import reverse

from contribution import services
from contribution.models import Motif, Proposition, Signalement
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Service

from .conftest import AUXERRE, NEVERS, service_a, structure_a

pytestmark = pytest.mark.django_db


def proposer(fiche, **valeurs):
    return services.proposer(
        fiche=fiche,
        valeurs=valeurs,
        version_lue=fiche.version,
        auteur=None,
        origine=Proposition.Origine.GESTIONNAIRE,
    )


def signaler(fiche, texte="Le numéro a changé : 03 86 00 00 00", courriel=""):
    return services.signaler(
        fiche=fiche, motif=Motif.COORDONNEES, texte=texte, courriel=courriel, client="x" * 64
    )


def test_la_file_ne_montre_que_le_territoire_du_moderateur_avec_le_diff(client, moderateur_nievre):
    nievre = structure_a(NEVERS, nom="CLIC de Nevers")
    yonne = structure_a(AUXERRE, nom="CLIC d'Auxerre")
    proposer(nievre, nom="CLIC du Nivernais")
    proposer(yonne, nom="CLIC de l'Auxerrois")
    signaler(service_a(NEVERS, nom="Accueil de jour"))
    signaler(service_a(AUXERRE, nom="Plateforme de répit de l'Yonne"))
    client.force_login(moderateur_nievre)
    page = client.get(reverse("contribution:file")).content.decode()
    assert "CLIC de Nevers" in page and "CLIC du Nivernais" in page
    assert "CLIC d&#x27;Auxerre" not in page and "Auxerrois" not in page
    assert "Le numéro a changé" in page
    assert page.count("Le numéro a changé") == 1


def test_un_moderateur_hors_du_territoire_ne_peut_ni_voir_ni_decider(client, moderateur_yonne):
    structure = structure_a(NEVERS)
    proposition = proposer(structure, nom="Nouveau nom")
    signalement = signaler(structure)
    client.force_login(moderateur_yonne)
    url = reverse("contribution:proposition", args=[proposition.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "accepter"}).status_code == 403
    url_sig = reverse("contribution:signalement", args=[signalement.pk])
    assert client.post(url_sig, {"action": "classer", "raison": "Non"}).status_code == 403
    historique = reverse("contribution:historique-structure", args=[structure.pk])
    assert client.get(historique).status_code == 403
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.PROPOSEE
    assert "Accès refusé" in client.get(url).content.decode()


def test_le_public_et_un_compte_sans_role_n_ouvrent_pas_la_file(client, django_user_model):
    assert client.get(reverse("contribution:file")).status_code == 302
    client.force_login(django_user_model.objects.create(username="sans-role"))
    assert client.get(reverse("contribution:file")).status_code == 403


def test_un_moderateur_accepte_une_proposition_depuis_sa_page(
    client, moderateur_nievre, structure_nievre
):
    proposition = proposer(structure_nievre, nom="CLIC du Nivernais")
    client.force_login(moderateur_nievre)
    url = reverse("contribution:proposition", args=[proposition.pk])
    page = client.get(url).content.decode()
    assert "CLIC de Nevers" in page and "CLIC du Nivernais" in page
    reponse = client.post(url, {"action": "accepter"}, follow=True)
    assert "Proposition acceptée" in reponse.content.decode()
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC du Nivernais"


def test_le_second_moderateur_lit_un_message_clair_et_la_proposition_reste_ouverte(
    client, moderateur_nievre, structure_nievre
):
    premiere = proposer(structure_nievre, nom="CLIC du Nivernais")
    seconde = proposer(structure_nievre, nom="CLIC de la Nièvre")
    client.force_login(moderateur_nievre)
    client.post(reverse("contribution:proposition", args=[premiere.pk]), {"action": "accepter"})
    url = reverse("contribution:proposition", args=[seconde.pk])
    reponse = client.post(url, {"action": "accepter"}, follow=True)
    page = reponse.content.decode()
    assert "a été modifiée par quelqu&#x27;un d&#x27;autre" in page
    assert "La fiche a changé depuis cette proposition" in page
    seconde.refresh_from_db()
    assert seconde.etat == Proposition.Etat.PROPOSEE


def test_refuser_sans_raison_est_dit_a_cote_du_champ(client, moderateur_nievre, structure_nievre):
    proposition = proposer(structure_nievre, nom="Autre")
    client.force_login(moderateur_nievre)
    url = reverse("contribution:proposition", args=[proposition.pk])
    reponse = client.post(url, {"action": "refuser", "raison": ""})
    assert reponse.status_code == 400
    assert "la raison est obligatoire" in reponse.content.decode()
    client.post(url, {"action": "refuser", "raison": "Nom officiel inchangé."})
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.REFUSEE


def test_modifier_puis_accepter_publie_les_valeurs_du_moderateur(
    client, moderateur_nievre, structure_nievre
):
    proposition = proposer(structure_nievre, nom="Clic du nivernais")
    client.force_login(moderateur_nievre)
    client.post(
        reverse("contribution:proposition", args=[proposition.pk]),
        {
            "action": "modifier",
            "version_lue": structure_nievre.version,
            "nom": "CLIC du Nivernais",
            "description": "",
            "site_web": "",
            "telephone": "",
        },
    )
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC du Nivernais"
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.ACCEPTEE
    assert proposition.diff == {"nom": {"avant": "CLIC de Nevers", "apres": "CLIC du Nivernais"}}


def test_un_signalement_corrige_publie_la_fiche_et_informe_son_auteur(
    client, moderateur_nievre, structure_nievre, django_capture_on_commit_callbacks
):
    signalement = signaler(structure_nievre, courriel="aidant@exemple.fr")
    client.force_login(moderateur_nievre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("contribution:signalement", args=[signalement.pk]),
            {
                "action": "corriger",
                "version_lue": structure_nievre.version,
                "nom": "CLIC de Nevers",
                "description": "",
                "site_web": "",
                "telephone": "03 86 00 00 00",
            },
        )
    structure_nievre.refresh_from_db()
    assert structure_nievre.telephone == "03 86 00 00 00"
    signalement.refresh_from_db()
    assert signalement.etat == Signalement.Etat.CORRIGE
    proposition = signalement.propositions.get()
    assert proposition.etat == Proposition.Etat.ACCEPTEE
    assert proposition.diff == {"telephone": {"avant": "", "apres": "03 86 00 00 00"}}
    (courriel,) = mail.outbox
    assert courriel.to == ["aidant@exemple.fr"] and "a été corrigée" in courriel.subject
    assert courriel.alternatives[0][1] == "text/html"


def test_un_signalement_classe_sans_suite_dit_pourquoi_a_son_auteur(
    client, moderateur_nievre, structure_nievre, django_capture_on_commit_callbacks
):
    signalement = signaler(structure_nievre, courriel="aidant@exemple.fr")
    client.force_login(moderateur_nievre)
    url = reverse("contribution:signalement", args=[signalement.pk])
    assert client.post(url, {"action": "classer", "raison": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "classer", "raison": "Le numéro est bien le bon."})
    signalement.refresh_from_db()
    assert signalement.etat == Signalement.Etat.CLASSE
    assert "Le numéro est bien le bon." in mail.outbox[0].body


def test_un_moderateur_retablit_une_version_precedente_par_la_porte(
    client, moderateur_nievre, structure_nievre
):
    ecrire_fiches(
        changements=[Changement(structure_nievre, {"nom": "Nom erroné", "telephone": "0"})],
        auteur=Auteur("administration"),
    )
    structure_nievre.refresh_from_db()
    version = structure_nievre.version
    avant = structure_nievre.history.order_by("history_date").first()
    client.force_login(moderateur_nievre)
    url = reverse("contribution:historique-structure", args=[structure_nievre.pk])
    page = client.get(url).content.decode()
    assert "Rétablir cette version" in page and "Nom erroné" in page
    reponse = client.post(
        url, {"history_id": avant.history_id, "version_lue": version}, follow=True
    )
    assert "Version rétablie" in reponse.content.decode()
    structure_nievre.refresh_from_db()
    assert (structure_nievre.nom, structure_nievre.telephone) == ("CLIC de Nevers", "")
    assert structure_nievre.version == version + 1
    derniere = structure_nievre.history.latest("history_date")
    assert derniere.history_change_reason == "moderation"
    assert derniere.history_user == moderateur_nievre


def test_retablir_depuis_une_page_perimee_est_refuse_en_francais(
    client, moderateur_nievre, structure_nievre
):
    avant = structure_nievre.history.get()
    ecrire_fiches(
        changements=[Changement(structure_nievre, {"nom": "Nom récent"})],
        auteur=Auteur("administration"),
    )
    client.force_login(moderateur_nievre)
    url = reverse("contribution:historique-structure", args=[structure_nievre.pk])
    reponse = client.post(
        url, {"history_id": avant.history_id, "version_lue": avant.version}, follow=True
    )
    assert "a été modifiée par quelqu&#x27;un d&#x27;autre" in reponse.content.decode()
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "Nom récent"


def test_une_proposition_deja_decidee_ne_l_est_pas_une_seconde_fois(
    client, moderateur_nievre, structure_nievre
):
    proposition = proposer(structure_nievre, nom="CLIC du Nivernais")
    client.force_login(moderateur_nievre)
    url = reverse("contribution:proposition", args=[proposition.pk])
    client.post(url, {"action": "accepter"})
    reponse = client.post(url, {"action": "refuser", "raison": "Trop tard"}, follow=True)
    assert "Cette proposition est déjà acceptée : rien n&#x27;a été modifié." in (
        reponse.content.decode()
    )
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.ACCEPTEE
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC du Nivernais"


def test_un_signalement_deja_traite_ne_l_est_pas_une_seconde_fois(
    client, moderateur_nievre, structure_nievre
):
    signalement = signaler(structure_nievre)
    services.classer_signalement(signalement=signalement, par=moderateur_nievre, reponse="Non")
    client.force_login(moderateur_nievre)
    reponse = client.post(
        reverse("contribution:signalement", args=[signalement.pk]),
        {"action": "classer", "raison": "Encore"},
        follow=True,
    )
    assert "Ce signalement a déjà été traité" in reponse.content.decode()
    signalement.refresh_from_db()
    assert signalement.reponse == "Non"


def test_on_ne_signale_pas_un_service_non_publie(client):
    service = service_a(NEVERS)
    Service.objects.filter(pk=service.pk).update(statut=Service.Statut.BROUILLON)
    url = reverse("contribution:signaler-service", args=[service.pk])
    assert client.get(url).status_code == 404


def test_la_file_ne_fait_pas_une_requete_par_element(
    client, moderateur_nievre, django_assert_max_num_queries
):
    client.force_login(moderateur_nievre)
    for numero in range(2):
        proposer(structure_a(NEVERS), nom=f"Proposé {numero}")
        signaler(service_a(NEVERS), texte=f"Erreur {numero}")
    client.get(reverse("contribution:file"))  # session et rôles lus une fois
    with django_assert_max_num_queries(30) as requetes:
        client.get(reverse("contribution:file"))
    avant = len(requetes)
    for numero in range(4):
        proposer(structure_a(NEVERS), nom=f"Encore {numero}")
        signaler(service_a(NEVERS), texte=f"Encore {numero}")
    with django_assert_max_num_queries(avant):
        page = client.get(reverse("contribution:file")).content.decode()
    assert "Propositions de modification (6)" in page
    assert "Signalements d'erreur (6)" in page
