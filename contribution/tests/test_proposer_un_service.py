"""Une institution partenaire propose un nouveau service (issue 11, § 1) : qui le peut, le
formulaire et ses erreurs en français, la file du bon territoire, puis la décision du modérateur
(créé par la porte des fiches, publié, trouvable, une ligne d'historique), sans JavaScript."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from contribution import nouveaux_services
from contribution.models import Proposition
from contribution.services import ContributionRefusee
from repertoire.models import Besoin, Public, Service
from repertoire.recherche import Critere, rechercher

from .conftest import AUXERRE, NEVERS, structure_a

pytestmark = pytest.mark.django_db


def role_de(type_: TypeRole, departement: str = "58", **institution):
    institution = InstitutionFactory(departement_id=departement, **institution)
    return RoleFactory(institution=institution, type=type_).utilisateur


@pytest.fixture
def professionnel(db):
    return role_de(TypeRole.PROFESSIONNEL)


def adresse(structure) -> str:
    return reverse("contribution:proposer-service", args=[structure.pk])


def besoin() -> Besoin:
    return Besoin.objects.filter(parent__isnull=False).order_by("pk").first()


def public() -> Public:
    return Public.objects.order_by("pk").first()


def saisie(structure, **autres) -> dict:
    return {
        "nom": "Café des aidants de Nevers",
        "description": "Un temps d'échange mensuel entre aidants, animé par une psychologue.",
        "resume_falc": "Vous aidez un proche. Venez parler avec d'autres aidants.",
        "besoins": [besoin().slug],
        "publics": [public().slug],
        "accueil": ["accueil_sur_place", "accueil_a_distance"],
        "lieux": [lieu.pk for lieu in structure.lieux.all()],
        "site_web": "cafe-des-aidants.example.fr",
        "telephone": "03 86 00 00 00",
        "courriel": "cafe@example.fr",
        **autres,
    }


def proposer(client, auteur, structure, **autres) -> Proposition:
    client.force_login(auteur)
    reponse = client.post(adresse(structure), saisie(structure, **autres))
    assert reponse.status_code == 302, reponse.content.decode()
    return Proposition.objects.get(origine=Proposition.Origine.NOUVEAU_SERVICE)


def test_un_professionnel_du_territoire_propose_un_service_et_lit_une_confirmation(
    client, professionnel, structure_nievre
):
    client.force_login(professionnel)
    reponse = client.post(adresse(structure_nievre), saisie(structure_nievre), follow=True)
    assert "Merci, votre proposition est envoyée" in reponse.content.decode()
    assert "attend la relecture d'un modérateur" in reponse.content.decode()
    proposition = Proposition.objects.get()
    assert proposition.est_un_nouveau_service and proposition.service is None
    assert proposition.structure == structure_nievre and proposition.auteur == professionnel
    assert proposition.diff["nom"] == {"avant": None, "apres": "Café des aidants de Nevers"}
    assert proposition.apres()["site_web"] == "https://cafe-des-aidants.example.fr"
    assert proposition.apres()["accueil_a_domicile"] is False
    assert not Service.objects.filter(nom="Café des aidants de Nevers").exists()


@pytest.mark.parametrize("type_", [TypeRole.GESTIONNAIRE, TypeRole.ANIMATEUR, TypeRole.MODERATEUR])
def test_tout_role_du_territoire_sauf_le_pilotage_peut_proposer(client, structure_nievre, type_):
    client.force_login(role_de(type_))
    assert client.get(adresse(structure_nievre)).status_code == 200


def test_le_pilotage_et_un_role_d_un_autre_territoire_sont_refuses(client, structure_nievre):
    client.force_login(role_de(TypeRole.PILOTAGE))
    assert client.get(adresse(structure_nievre)).status_code == 403
    assert client.get(reverse("contribution:proposer-un-service")).status_code == 403
    client.force_login(role_de(TypeRole.PROFESSIONNEL, departement="89"))
    reponse = client.post(adresse(structure_nievre), saisie(structure_nievre))
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()
    assert not Proposition.objects.exists()


def test_le_public_est_invite_a_se_connecter(client, structure_nievre):
    reponse = client.get(adresse(structure_nievre))
    assert reponse.status_code == 302 and "/compte/connexion/" in reponse["Location"]


def test_une_structure_de_son_institution_hors_de_son_territoire_est_permise(client):
    gestionnaire = role_de(TypeRole.GESTIONNAIRE, departement="89")
    institution = gestionnaire.roles.get().institution
    structure = structure_a(NEVERS, nom="Antenne nivernaise", institution=institution)
    client.force_login(gestionnaire)
    assert client.get(adresse(structure)).status_code == 200


def test_la_page_de_choix_ne_propose_que_les_structures_permises(client, professionnel):
    nevers = structure_a(NEVERS, nom="CLIC de Nevers")
    structure_a(AUXERRE, nom="CLIC d'Auxerre")
    client.force_login(professionnel)
    page = client.get(reverse("contribution:proposer-un-service")).content.decode()
    assert "CLIC de Nevers" in page and "CLIC d'Auxerre" not in page
    suite = client.get(reverse("contribution:proposer-un-service"), {"structure": nevers.pk})
    assert suite.status_code == 302 and suite["Location"] == adresse(nevers)


def test_la_fiche_d_une_structure_montre_le_lien_a_qui_peut_proposer(
    client, professionnel, structure_nievre
):
    fiche = reverse("repertoire:structure-courte", args=[structure_nievre.pk])
    lien = "Proposer un service pour cette structure"
    assert lien not in client.get(fiche, follow=True).content.decode()
    client.force_login(professionnel)
    assert lien in client.get(fiche, follow=True).content.decode()


def test_un_formulaire_invalide_est_rendu_avec_des_erreurs_en_francais(
    client, professionnel, structure_nievre
):
    client.force_login(professionnel)
    reponse = client.post(
        adresse(structure_nievre),
        {"accueil": ["accueil_sur_place"], "site_web": "pas une adresse", "courriel": "x@"},
    )
    page = reponse.content.decode()
    assert reponse.status_code == 400
    for message in (
        "Le formulaire contient des erreurs",
        "Donnez le nom du service.",
        "Décrivez le service en quelques phrases.",
        "Cochez au moins un besoin",
        "Adresse web non valide. Format : https://…",
        "Cette adresse n&#x27;est pas valide. Format : nom@domaine.fr",
        "Accueil sur place : cochez au moins un lieu d&#x27;accueil.",
    ):
        assert message in page
    assert 'id="id_nom_error"' in page and 'aria-describedby="id_besoins_error"' in page
    reponse = client.post(adresse(structure_nievre), {"besoins": ["inconnu"], "accueil": []})
    page = reponse.content.decode()
    assert "Choisissez parmi les besoins proposés." in page
    assert "Cochez au moins un mode d&#x27;accueil." in page
    assert not Proposition.objects.exists()


def test_la_page_fonctionne_sans_javascript(client, professionnel, structure_nievre):
    """Aucune saisie ne dépend d'un script : des cases et des champs natifs, envoyés en POST."""
    client.force_login(professionnel)
    page = client.get(adresse(structure_nievre)).content.decode()
    formulaire = page[page.index('<form method="post"') : page.index("</form>")]
    assert "<script" not in formulaire
    assert formulaire.count('type="checkbox"') > 10
    # Une légende par groupe du thésaurus (besoins et publics), plus les quatre groupes de cases.
    groupes = len({b.parent_id or b.pk for b in Besoin.objects.all()})
    assert len(re.findall(r"<legend", formulaire)) >= groupes + 4
    assert proposer(client, professionnel, structure_nievre).etat == Proposition.Etat.PROPOSEE


def test_la_proposition_n_arrive_que_dans_la_file_du_territoire_de_la_structure(
    client, professionnel, structure_nievre, moderateur_nievre, moderateur_yonne
):
    proposition = proposer(client, professionnel, structure_nievre)
    client.force_login(moderateur_nievre)
    file = client.get(reverse("contribution:file")).content.decode()
    assert "Proposition d&#x27;un nouveau service" in file
    assert "Café des aidants de Nevers" in file and besoin().libelle in file
    client.force_login(moderateur_yonne)
    assert (
        "Café des aidants de Nevers"
        not in client.get(reverse("contribution:file")).content.decode()
    )
    page = reverse("contribution:proposition", args=[proposition.pk])
    assert client.get(page).status_code == 403


def test_accepter_cree_un_service_publie_trouvable_avec_ses_liens_et_une_ligne_d_historique(
    client, professionnel, structure_nievre, moderateur_nievre, django_capture_on_commit_callbacks
):
    proposition = proposer(client, professionnel, structure_nievre)
    client.force_login(moderateur_nievre)
    page = reverse("contribution:proposition", args=[proposition.pk])
    assert "Café des aidants de Nevers" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(page, {"action": "accepter"}, follow=True)
    assert "Proposition acceptée : le service est publié." in reponse.content.decode()

    service = Service.objects.get(nom="Café des aidants de Nevers")
    assert service.statut == Service.Statut.PUBLIE and service.structure == structure_nievre
    assert list(service.besoins.all()) == [besoin()]
    assert list(service.publics.all()) == [public()]
    assert set(service.lieux.all()) == set(structure_nievre.lieux.all())
    assert service.accueil_sur_place and service.accueil_a_distance
    assert service.contacts.get().telephone == "03 86 00 00 00"
    assert service.date_verification is not None and service.verifie_par == "moderation"

    ligne = service.history.get()
    assert ligne.history_type == "+" and ligne.history_change_reason == "moderation"
    assert ligne.history_user == moderateur_nievre
    assert [b.besoin_id for b in ligne.besoins.all()] == [besoin().pk]

    resultats = rechercher(Critere(q="café des aidants")).resultats
    assert [r.service.pk for r in resultats] == [service.pk]
    assert [r.service.pk for r in rechercher(Critere(besoin=besoin().slug)).resultats] == [
        service.pk
    ]

    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.ACCEPTEE and proposition.service == service
    assert mail.outbox[-1].to == [professionnel.email]
    assert "a été acceptée" in mail.outbox[-1].body
    assert "Café des aidants de Nevers" in mail.outbox[-1].subject
    client.force_login(professionnel)
    confirmation = reverse("contribution:service-propose", args=[proposition.pk])
    assert "Voir le service publié" in client.get(confirmation).content.decode()


def test_modifier_puis_accepter_publie_les_valeurs_corrigees(
    client, professionnel, structure_nievre, moderateur_nievre
):
    proposition = proposer(client, professionnel, structure_nievre)
    client.force_login(moderateur_nievre)
    page = reverse("contribution:proposition", args=[proposition.pk])
    corrigee = saisie(structure_nievre, nom="Café des aidants du Nivernais", action="modifier")
    corrigee["accueil"] = ["accueil_a_domicile"]
    reponse = client.post(page, corrigee, follow=True)
    assert "modifiée puis acceptée" in reponse.content.decode()
    service = Service.objects.get(nom="Café des aidants du Nivernais")
    assert service.accueil_a_domicile and not service.accueil_sur_place
    proposition.refresh_from_db()
    assert proposition.apres()["nom"] == "Café des aidants du Nivernais"


def test_un_refus_exige_une_raison_et_l_envoie_a_l_auteur(
    client, professionnel, structure_nievre, moderateur_nievre, django_capture_on_commit_callbacks
):
    proposition = proposer(client, professionnel, structure_nievre)
    client.force_login(moderateur_nievre)
    page = reverse("contribution:proposition", args=[proposition.pk])
    reponse = client.post(page, {"action": "refuser", "raison": ""})
    assert reponse.status_code == 400
    assert "la raison est obligatoire" in reponse.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            page, {"action": "refuser", "raison": "Ce service existe déjà sous un autre nom."}
        )
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.REFUSEE
    assert not Service.objects.filter(nom="Café des aidants de Nevers").exists()
    assert "Ce service existe déjà sous un autre nom." in mail.outbox[-1].body
    assert "a été refusée" in mail.outbox[-1].body


def test_une_seconde_acceptation_est_refusee_et_rien_n_est_cree_deux_fois(
    client, professionnel, structure_nievre, moderateur_nievre
):
    proposition = proposer(client, professionnel, structure_nievre)
    lue_par_le_second = Proposition.objects.get(pk=proposition.pk)
    nouveaux_services.accepter_un_service(proposition=proposition, par=moderateur_nievre)
    with pytest.raises(ContributionRefusee, match="déjà acceptée"):
        nouveaux_services.accepter_un_service(proposition=lue_par_le_second, par=moderateur_nievre)
    assert Service.objects.filter(nom="Café des aidants de Nevers").count() == 1

    client.force_login(moderateur_nievre)
    page = reverse("contribution:proposition", args=[proposition.pk])
    reponse = client.post(page, {"action": "accepter"}, follow=True)
    assert "déjà acceptée : rien n&#x27;a été modifié" in reponse.content.decode()
    assert Service.objects.filter(nom="Café des aidants de Nevers").count() == 1


def test_une_proposition_de_modification_ne_remplace_pas_un_service_propose(
    client, structure_nievre
):
    from contribution import services

    moderateur = role_de(TypeRole.MODERATEUR)
    propose = proposer(client, moderateur, structure_nievre)
    services.proposer(
        fiche=structure_nievre,
        valeurs={"nom": "CLIC du Nivernais"},
        version_lue=structure_nievre.version,
        auteur=moderateur,
        origine=Proposition.Origine.GESTIONNAIRE,
    )
    propose.refresh_from_db()
    assert propose.etat == Proposition.Etat.PROPOSEE
