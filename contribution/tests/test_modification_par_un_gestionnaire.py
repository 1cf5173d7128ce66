"""Un gestionnaire modifie les champs principaux de ses fiches ; selon le réglage du territoire
la modification est publiée tout de suite (et relue après) ou retenue jusqu'à relecture."""

import pytest
from django.urls import reverse

from contribution import services
from contribution.models import Proposition, ReglageModeration
from repertoire.ecriture import Auteur, Changement, ecrire_fiches

from .conftest import AUXERRE, NEVERS, gestionnaire_de, service_a, structure_a

pytestmark = pytest.mark.django_db


def regler(departement: str, mode: str) -> None:
    ReglageModeration.objects.create(departement_id=departement, mode=mode)


def formulaire(fiche, **valeurs):
    return {
        "version_lue": fiche.version,
        "nom": fiche.nom,
        "description": fiche.description,
        "site_web": fiche.site_web,
        "resume_falc": getattr(fiche, "resume_falc", ""),
        "telephone": getattr(fiche, "telephone", ""),
        **valeurs,
    }


def test_le_reglage_vient_du_departement_de_la_fiche_sinon_du_reglage_par_defaut(settings):
    settings.CONTRIBUTION_MODERATION = "publie_puis_relu"
    nievre, yonne = structure_a(NEVERS), structure_a(AUXERRE)
    regler("58", ReglageModeration.Mode.RETENU)
    assert services.mode_de_moderation(nievre) == ReglageModeration.Mode.RETENU
    assert services.mode_de_moderation(yonne) == ReglageModeration.Mode.PUBLIE_PUIS_RELU
    settings.CONTRIBUTION_MODERATION = "retenu"
    assert services.mode_de_moderation(yonne) == ReglageModeration.Mode.RETENU


def test_retenue_la_modification_attend_un_moderateur(client, structure_nievre):
    regler("58", ReglageModeration.Mode.RETENU)
    gestionnaire = gestionnaire_de(structure_nievre)
    client.force_login(gestionnaire)
    url = reverse("contribution:modifier-structure", args=[structure_nievre.pk])
    page = client.get(url).content.decode()
    assert "publiées après la relecture d'un modérateur" in page
    reponse = client.post(url, formulaire(structure_nievre, description="Accueil des aidants."))
    assert reponse.status_code == 302
    structure_nievre.refresh_from_db()
    assert structure_nievre.description == ""
    proposition = Proposition.objects.get()
    assert proposition.diff == {"description": {"avant": "", "apres": "Accueil des aidants."}}
    assert proposition.auteur == gestionnaire and not proposition.deja_publiee


def test_publiee_tout_de_suite_la_modification_est_relue_apres_et_un_refus_la_defait(
    client, moderateur_nievre
):
    regler("58", ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS, nom="Plateforme de répit")
    gestionnaire = gestionnaire_de(service.structure)
    client.force_login(gestionnaire)
    url = reverse("contribution:modifier-service", args=[service.pk])
    client.post(url, formulaire(service, resume_falc="On vous aide. C'est gratuit."))
    service.refresh_from_db()
    assert service.resume_falc == "On vous aide. C'est gratuit."
    derniere = service.history.latest("history_date")
    assert (derniere.history_change_reason, derniere.history_user) == ("gestionnaire", gestionnaire)
    proposition = Proposition.objects.get()
    assert proposition.deja_publiee and proposition.etat == Proposition.Etat.PROPOSEE

    services.refuser(proposition=proposition, par=moderateur_nievre, raison="Pas du FALC.")
    service.refresh_from_db()
    assert service.resume_falc == ""
    assert service.history.latest("history_date").history_change_reason == "moderation"


def test_confirmer_une_modification_deja_publiee_ne_reecrit_rien(moderateur_nievre):
    regler("58", ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    structure = structure_a(NEVERS)
    gestionnaire = gestionnaire_de(structure)
    services.modifier_par_gestionnaire(
        fiche=structure,
        valeurs={"nom": "Nom neuf"},
        version_lue=structure.version,
        par=gestionnaire,
    )
    version = structure.version
    proposition = Proposition.objects.get()
    services.accepter(proposition=proposition, par=moderateur_nievre)
    structure.refresh_from_db()
    assert structure.version == version and structure.nom == "Nom neuf"


def test_un_gestionnaire_ne_modifie_pas_la_fiche_d_une_autre_institution(client):
    la_sienne, une_autre = structure_a(NEVERS), structure_a(NEVERS)
    client.force_login(gestionnaire_de(la_sienne))
    url = reverse("contribution:modifier-structure", args=[une_autre.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, formulaire(une_autre, nom="Pris")).status_code == 403
    assert not Proposition.objects.exists()


def test_une_version_perimee_est_refusee_en_francais_sans_rien_ecrire(client, settings):
    settings.CONTRIBUTION_MODERATION = "publie_puis_relu"
    structure = structure_a(NEVERS, nom="Nom d'origine")
    client.force_login(gestionnaire_de(structure))
    donnees = formulaire(structure, nom="Ma correction")
    ecrire_fiches(
        changements=[Changement(structure, {"nom": "Correction d'un collègue"})],
        auteur=Auteur("administration"),
    )
    reponse = client.post(reverse("contribution:modifier-structure", args=[structure.pk]), donnees)
    assert reponse.status_code == 400
    assert (
        "modifiée par quelqu&#x27;un d&#x27;autre pendant votre saisie" in reponse.content.decode()
    )
    structure.refresh_from_db()
    assert structure.nom == "Correction d'un collègue"
    assert not Proposition.objects.exists()


def test_les_erreurs_de_saisie_sont_dites_a_cote_du_champ(client, structure_nievre):
    client.force_login(gestionnaire_de(structure_nievre))
    reponse = client.post(
        reverse("contribution:modifier-structure", args=[structure_nievre.pk]),
        formulaire(structure_nievre, nom="", site_web="pas une adresse"),
    )
    page = reponse.content.decode()
    assert reponse.status_code == 400
    assert 'id="id_nom_error"' in page and "Le champ « Nom » est obligatoire." in page
    assert 'id="id_site_web_error"' in page and "Adresse web non valide" in page


def test_le_resume_falc_s_ecrit_avec_sa_mesure_et_les_regles_a_cote(client):
    service = service_a(NEVERS)
    client.force_login(gestionnaire_de(service.structure))

    page = client.get(reverse("contribution:modifier-service", args=[service.pk]))

    texte = page.content.decode()
    assert 'id_resume_falc-aide-falc" id="id_resume_falc"' in texte  # aria-describedby
    assert '<div class="aide-falc" id="id_resume_falc-aide-falc">' in texte
    assert "Les règles du « facile à lire et à comprendre »" in texte
