"""Un gestionnaire tient à jour chaque partie de ses fiches : pour qui et comment, horaires
(par lieu), fermetures, permanences, contacts, lieux ; tout passe par la porte des fiches et
par la modération de son territoire (publié puis relu, ou retenu)."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from contribution import services
from contribution.models import Proposition, ReglageModeration
from repertoire.models import Contact, Lieu, Permanence, PlageHoraire, Service
from repertoire.permanences import prochaines_dates
from repertoire.tests.factories import BesoinFactory, LieuFactory
from repertoire.views import url_service

from .conftest import NEVERS, gestionnaire_de, moderateur_de, service_a, structure_a

pytestmark = pytest.mark.django_db
DECIZE = "58095"


def regler(mode: str) -> None:
    ReglageModeration.objects.update_or_create(departement_id="58", defaults={"mode": mode})


def gestion(formset: str, lignes: list[dict], *, version: int, **entete) -> dict:
    """Les données POST d'une page à lignes (formset Django) : l'en-tête, puis chaque ligne."""
    donnees = {
        "version_lue": version,
        f"{formset}-TOTAL_FORMS": len(lignes),
        f"{formset}-INITIAL_FORMS": 0,
        **entete,
    }
    for i, ligne in enumerate(lignes):
        donnees.update({f"{formset}-{i}-{c}": v for c, v in ligne.items()})
    return donnees


def url_partie(service: Service, partie: str) -> str:
    return reverse("contribution:modifier-service-partie", args=[service.pk, partie])


def test_des_horaires_propres_a_un_lieu_sont_publies_et_dits_avec_le_nom_du_lieu(client):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS)
    antenne = LieuFactory(structure=service.structure, commune_id=DECIZE, nom="Antenne de Decize")
    client.force_login(gestionnaire_de(service.structure))
    reponse = client.post(
        url_partie(service, "horaires"),
        gestion(
            "plages",
            [
                {"jour": 0, "ouverture": "09:00", "fermeture": "12:00"},
                {"jour": 2, "ouverture": "14:00", "fermeture": "17:00", "lieu": antenne.pk},
            ],
            version=service.version,
            horaires_precisions="Sur rendez-vous l'après-midi.",
        ),
    )
    assert reponse.status_code == 302
    service.refresh_from_db()
    assert service.version == 2
    assert PlageHoraire.objects.get(service=service, lieu=antenne).jour == 2
    diff = Proposition.objects.get().diff
    assert diff["horaires_precisions"]["apres"] == "Sur rendez-vous l'après-midi."
    assert {"jour": 2, "ouverture": "14:00", "fermeture": "17:00", "lieu": antenne.pk} in diff[
        "plages"
    ]["apres"]


def test_la_fiche_publique_dit_les_horaires_de_chaque_lieu(client):
    service = service_a(NEVERS)
    antenne = LieuFactory(structure=service.structure, commune_id=DECIZE, nom="Antenne de Decize")
    service.lieux.add(antenne)
    PlageHoraire.objects.create(
        service=service, jour=2, ouverture=dt.time(14), fermeture=dt.time(17), lieu=antenne
    )
    page = client.get(url_service(service)).content.decode()
    assert "À « Antenne de Decize » : le mercredi de 14 h à 17 h" in page


def test_retenus_les_contacts_attendent_le_moderateur_qui_les_publie(client):
    regler(ReglageModeration.Mode.RETENU)
    service = service_a(NEVERS)
    client.force_login(gestionnaire_de(service.structure))
    client.post(
        url_partie(service, "contacts"),
        gestion(
            "contacts",
            [
                {"libelle": "Accueil", "telephone": "03 86 00 00 00", "visibilite": "public"},
                {
                    "libelle": "Ligne des partenaires",
                    "telephone": "03 86 99 99 99",
                    "visibilite": "professionnels",
                },
            ],
            version=service.version,
        ),
    )
    assert not Contact.objects.filter(service=service).exists()
    proposition = Proposition.objects.get()
    services.accepter(proposition=proposition, par=moderateur_de("58"))
    contacts = Contact.objects.filter(service=service)
    assert {c.visibilite for c in contacts} == {"public", "professionnels"}
    page = client.get(url_service(service)).content.decode()
    assert "03 86 00 00 00" in page


def test_refuser_des_horaires_deja_publies_retablit_les_anciens():
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS)
    PlageHoraire.objects.create(
        service=service, jour=0, ouverture=dt.time(9), fermeture=dt.time(12)
    )
    services.modifier_par_gestionnaire(
        fiche=service,
        valeurs={"plages": [{"jour": 4, "ouverture": dt.time(8), "fermeture": dt.time(10)}]},
        version_lue=service.version,
        par=gestionnaire_de(service.structure),
    )
    assert list(service.plages.values_list("jour", flat=True)) == [4]
    services.refuser(
        proposition=Proposition.objects.get(), par=moderateur_de("58"), raison="Erreur de jour."
    )
    assert list(service.plages.values_list("jour", "ouverture")) == [(0, dt.time(9))]


def test_une_fermeture_mal_saisie_est_dite_en_francais_a_cote_du_champ(client):
    service = service_a(NEVERS)
    client.force_login(gestionnaire_de(service.structure))
    reponse = client.post(
        url_partie(service, "exceptions"),
        gestion(
            "exceptions",
            [{"date_debut": "2027-01-10", "date_fin": "2027-01-02", "motif": "Inventaire"}],
            version=service.version,
        ),
    )
    assert reponse.status_code == 400
    assert "La date de fin doit venir après la date de début." in reponse.content.decode()
    assert not Proposition.objects.exists()


def test_une_permanence_mensuelle_devient_une_regle_et_ses_prochaines_dates_sont_montrees(
    client,
):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS)
    mairie = LieuFactory(structure=service.structure, commune_id=DECIZE, nom="Mairie de Decize")
    client.force_login(gestionnaire_de(service.structure))
    reponse = client.post(
        url_partie(service, "permanences"),
        gestion(
            "permanences",
            [
                {
                    "lieu": mairie.pk,
                    "frequence": "mensuelle",
                    "jour_semaine": 1,
                    "rang": 2,
                    "date_debut": "2026-01-01",
                    "ouverture": "09:00",
                    "fermeture": "12:00",
                }
            ],
            version=service.version,
        ),
    )
    assert reponse.status_code == 302
    permanence = Permanence.objects.get(service=service)
    assert permanence.regle == "FREQ=MONTHLY;BYDAY=2TU"
    page = client.get(url_service(service)).content.decode()
    assert "le 2e mardi de chaque mois, de 9 h 00 à 12 h 00" in page
    assert "Prochaines dates" in page and "Mairie de Decize" in page
    # La page rouverte repart de la règle enregistrée.
    formulaire = client.get(url_partie(service, "permanences")).content.decode()
    assert 'value="mensuelle" selected' in formulaire or 'value="mensuelle"\n' in formulaire


def test_une_permanence_ne_se_tient_pas_un_jour_ferie():
    permanence = Permanence(
        regle="FREQ=MONTHLY;BYDAY=-1FR",
        date_debut=dt.date(2026, 1, 1),
        ouverture=dt.time(9),
        fermeture=dt.time(12),
    )
    dates = prochaines_dates(permanence, apres=dt.date(2026, 12, 1), nombre=2)
    assert dt.date(2026, 12, 25) not in dates and dates[0] == dt.date(2027, 1, 29)


def test_besoins_publics_et_dates_d_un_dispositif_passent_par_la_porte_avec_leurs_liens(client):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS)
    besoin = BesoinFactory()
    client.force_login(gestionnaire_de(service.structure))
    donnees = {
        "version_lue": service.version,
        "besoins": [besoin.pk],
        "lieux": [lieu.pk for lieu in service.lieux.all()],
        "accueil_sur_place": "on",
        "date_debut": "2026-09-01",
        "date_fin": "2027-06-30",
    }
    assert client.post(url_partie(service, "acces"), donnees).status_code == 302
    service.refresh_from_db()
    assert service.date_fin == dt.date(2027, 6, 30)
    derniere = service.history.latest("history_date")
    assert [b.besoin_id for b in derniere.besoins.all()] == [besoin.pk]
    assert service.history.count() == 2  # création, puis une seule ligne pour tout ceci


def test_une_fin_avant_le_debut_est_refusee(client):
    service = service_a(NEVERS)
    client.force_login(gestionnaire_de(service.structure))
    donnees = {"version_lue": service.version, "date_debut": "2027-01-01", "date_fin": "2026-01-01"}
    reponse = client.post(url_partie(service, "acces"), donnees)
    assert reponse.status_code == 400
    assert "La date de fin doit venir après la date de début." in reponse.content.decode()


def test_un_dispositif_termine_n_est_plus_publie_des_le_lendemain(client):
    service = service_a(NEVERS, nom="Expérimentation répit")
    Service.objects.filter(pk=service.pk).update(date_fin=dt.date.today() - dt.timedelta(days=1))
    assert not Service.objects.publies().filter(pk=service.pk).exists()
    assert client.get(url_service(service)).status_code in (404, 410)


def test_un_lieu_qui_change_de_commune_est_place_a_sa_mairie_et_garde_son_historique(client):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    structure = structure_a(NEVERS)
    lieu = structure.lieux.get()
    client.force_login(gestionnaire_de(structure))
    url = reverse("contribution:modifier-lieu", args=[structure.pk, lieu.pk])
    assert client.get(url).status_code == 200
    reponse = client.post(
        url,
        {
            "version_lue": structure.version,
            "version_lieu": lieu.version,
            "nom": "Antenne",
            "adresse": "1 place de la Mairie",
            "code_postal": "58300",
            "commune": "Decize",
            "entree_plain_pied": "true",
            "stationnement_adapte": "unknown",
            "sanitaires_adaptes": "unknown",
            "boucle_magnetique": "false",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()
    lieu.refresh_from_db()
    structure.refresh_from_db()
    assert (lieu.commune_id, lieu.nom, lieu.entree_plain_pied) == (DECIZE, "Antenne", True)
    assert (lieu.latitude, lieu.longitude) == (lieu.commune.latitude, lieu.commune.longitude)
    assert lieu.history.latest("history_date").history_change_reason == "gestionnaire"
    assert structure.version == 2


def test_un_gestionnaire_ajoute_un_lieu_et_une_commune_inconnue_est_refusee(client):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    structure = structure_a(NEVERS)
    client.force_login(gestionnaire_de(structure))
    url = reverse("contribution:ajouter-lieu", args=[structure.pk])
    base = {"version_lue": structure.version, "nom": "Permanence", "commune": "Zzyzx-sur-Rien"}
    reponse = client.post(url, base)
    assert reponse.status_code == 400
    assert "Aucune commune ne correspond à « Zzyzx-sur-Rien »" in reponse.content.decode()
    reponse = client.post(url, {**base, "commune": "Chateau Chinnon"})
    assert reponse.status_code == 400, "une commune devinée n'est pas écrite sans confirmation"
    assert "Vouliez-vous dire « Château-Chinon (Ville) (58) »" in unescape(reponse.content.decode())
    assert client.post(url, {**base, "commune": "58300"}).status_code == 302
    assert Lieu.objects.filter(structure=structure, nom="Permanence").exists()


def test_mes_fiches_montre_les_structures_de_son_institution_seulement(client):
    la_sienne, une_autre = structure_a(NEVERS, nom="CLIC du Nivernais"), structure_a(NEVERS)
    une_autre.nom = "Autre structure"
    une_autre.save()
    client.force_login(gestionnaire_de(la_sienne))
    page = client.get(reverse("contribution:mes-fiches")).content.decode()
    assert "CLIC du Nivernais" in page and "Autre structure" not in page
    interdit = client.get(
        reverse("contribution:modifier-structure-partie", args=[une_autre.pk, "contacts"])
    )
    assert interdit.status_code == 403


def test_le_moderateur_lit_les_horaires_proposes_en_mots(client):
    regler(ReglageModeration.Mode.RETENU)
    service = service_a(NEVERS)
    services.modifier_par_gestionnaire(
        fiche=service,
        valeurs={"plages": [{"jour": 0, "ouverture": dt.time(9), "fermeture": dt.time(12)}]},
        version_lue=service.version,
        par=gestionnaire_de(service.structure),
    )
    client.force_login(moderateur_de("58"))
    proposition = Proposition.objects.get()
    page = client.get(reverse("contribution:proposition", args=[proposition.pk])).content.decode()
    assert "lundi 09:00–12:00" in page and "Modifier puis accepter</button>" not in page


def test_l_historique_montre_les_horaires_changes_et_les_retablit(client):
    regler(ReglageModeration.Mode.PUBLIE_PUIS_RELU)
    service = service_a(NEVERS)
    gestionnaire = gestionnaire_de(service.structure)
    for jour in (0, 3):
        services.modifier_par_gestionnaire(
            fiche=service,
            valeurs={"plages": [{"jour": jour, "ouverture": dt.time(9), "fermeture": dt.time(12)}]},
            version_lue=service.version,
            par=gestionnaire,
        )
    moderateur = moderateur_de("58")
    client.force_login(moderateur)
    url = reverse("contribution:historique-service", args=[service.pk])
    page = client.get(url).content.decode()
    assert "Horaires de la semaine : « lundi 09:00–12:00 » → « jeudi 09:00–12:00 »" in page

    version_lundi = service.history.get(version=2)
    client.post(url, {"history_id": version_lundi.history_id, "version_lue": service.version})
    service.refresh_from_db()
    assert service.version == 4
    assert list(service.plages.values_list("jour", flat=True)) == [0]
