import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.imports import ErreursImport
from echanges import demo
from repertoire import referentiels
from repertoire.models import (
    Contact,
    HoraireExceptionnel,
    Lieu,
    PlageHoraire,
    Provenance,
    Service,
    Structure,
    ZoneIntervention,
)

FINESS_ABSENT = pytest.mark.skipif(
    not demo.FINESS.exists(),
    reason="echanges/donnees/finess_58_2021-01.csv n'est pas encore livré (importeur FINESS)",
)


def _fiches() -> dict:
    return json.loads(demo.FICHES.read_text(encoding="utf-8"))


def _services() -> list[dict]:
    return [service for structure in _fiches()["structures"] for service in structure["services"]]


def _slugs(entrees: tuple) -> set[str]:
    return {e.slug for e in entrees} | {s for e in entrees for s in _slugs(e.enfants)}


def _comptes() -> dict[str, int]:
    modeles = (Structure, Service, Lieu, Contact, PlageHoraire, HoraireExceptionnel)
    return {
        **{modele.__name__: modele.objects.count() for modele in modeles},
        "ZoneIntervention": ZoneIntervention.objects.count(),
        "Provenance": Provenance.objects.count(),
    }


def _copie(tmp_path: Path, modifier) -> Path:
    fiches = _fiches()
    modifier(fiches["structures"])
    chemin = tmp_path / "fiches.json"
    chemin.write_text(json.dumps(fiches), encoding="utf-8")
    return chemin


def test_les_besoins_et_publics_des_fiches_sont_ceux_du_thesaurus():
    besoins = {slug for service in _services() for slug in service["besoins"]}
    publics = {slug for service in _services() for slug in service["publics"]}

    assert besoins <= _slugs(referentiels.THESAURUS), besoins - _slugs(referentiels.THESAURUS)
    assert publics <= _slugs(referentiels.PUBLICS), publics - _slugs(referentiels.PUBLICS)


def test_chaque_fiche_a_un_resume_falc_des_horaires_et_un_contact_public():
    for service in _services():
        assert service["resume_falc"] and service["horaires"], service["id"]
        assert any(c["visibilite"] == "public" for c in service["contacts"]), service["id"]
    assert any(service.get("exceptions") for service in _services())


@pytest.mark.django_db
def test_les_fiches_se_rechargent_sans_doublon_ni_reecriture():
    premier = demo.charger_fiches(demo.FICHES)
    comptes = _comptes()

    second = demo.charger_fiches(demo.FICHES)

    assert _comptes() == comptes
    assert premier.creees == premier.lues > 0
    assert (second.creees, second.mises_a_jour, second.inchangees) == (0, 0, second.lues)
    assert Service.objects.filter(provenances__source="demo").count() == len(_services())


@pytest.mark.django_db
def test_une_fiche_changee_dans_le_fichier_est_mise_a_jour_a_sa_place(tmp_path):
    demo.charger_fiches(demo.FICHES)
    comptes = _comptes()

    def renommer(structures: list[dict]) -> None:
        structures[0]["services"][0]["nom"] = "Accueil de la MDA"

    rapport = demo.charger_fiches(_copie(tmp_path, renommer))

    assert rapport.mises_a_jour == 1
    assert _comptes() == comptes
    service = Service.objects.get(nom="Accueil de la MDA")
    assert service.version == 2


@pytest.mark.django_db
def test_un_slug_inconnu_arrete_le_chargement_sans_rien_ecrire(tmp_path):
    def abimer(structures: list[dict]) -> None:
        structures[0]["services"][0]["besoins"].append("besoin-invente")
        structures[0]["lieux"][0]["commune"] = "99999"

    with pytest.raises(ErreursImport) as erreurs:
        demo.charger_fiches(_copie(tmp_path, abimer))

    assert {e.champ for e in erreurs.value.erreurs} == {"besoins", "commune"}
    assert "besoin-invente" in str(erreurs.value)
    assert not Provenance.objects.filter(source="demo").exists()


@pytest.mark.django_db
def test_les_contacts_reserves_aux_professionnels_de_la_demo_restent_caches(client):
    demo.charger_fiches(demo.FICHES)
    mda = Service.objects.get(provenances__identifiant="mda-58-accueil")

    fiche = client.get(f"/api/v1/services/{mda.pk}").json()

    assert mda.contacts.filter(visibilite="professionnels").exists()
    assert {c["libelle"] for c in fiche["contacts"]} == {"accueil"}
    assert fiche["horaires"]["osm"].startswith("Mo-Fr 08:30-12:00,13:00-16:30")


@pytest.mark.django_db
def test_un_point_d_information_se_trouve_depuis_une_commune_de_son_epci(client):
    demo.charger_fiches(demo.FICHES)
    filtres = {"commune": "58079", "besoin": "information-et-orientation"}

    resultats = client.get("/api/v1/services", filtres).json()["resultats"]

    structures = {service["structure"]["nom"] for service in resultats}
    assert "Point d'information autonomie du Haut-Nivernais" in structures
    assert "Point d'information autonomie Cœur de Loire" not in structures


@FINESS_ABSENT
@pytest.mark.django_db
def test_la_demo_complete_se_relance_a_l_identique(monkeypatch):
    # Communes déjà chargées pour la session ; leur rechargement est testé dans territoires.
    monkeypatch.setattr(demo, "charger_communes", lambda **_: {})
    demo.charger_demo()
    comptes = _comptes()

    demo.charger_demo()

    assert _comptes() == comptes
    assert Service.objects.filter(provenances__source="finess").exists()


@FINESS_ABSENT
@pytest.mark.django_db
def test_la_commande_affiche_les_comptes_en_francais(monkeypatch, settings, capsys):
    monkeypatch.setattr(demo, "charger_communes", lambda **_: {})
    settings.DEBUG = False

    call_command("demo")

    sortie = capsys.readouterr().out
    assert "Fiches de démonstration : " in sortie and "créées" in sortie
    assert "non créé (DEBUG est désactivé)" in sortie


@pytest.mark.django_db
def test_le_compte_admin_n_existe_qu_en_developpement(settings, monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    settings.DEBUG = False
    assert demo.creer_admin_local() == (False, None)

    settings.DEBUG = True
    cree, mot_de_passe = demo.creer_admin_local()

    assert cree and mot_de_passe
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(mot_de_passe)
    assert demo.creer_admin_local() == (False, None)


@pytest.mark.django_db
def test_le_mot_de_passe_admin_peut_venir_de_l_environnement(settings, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "un-mot-de-passe-de-test")
    settings.DEBUG = True

    assert demo.creer_admin_local() == (True, None)
    assert get_user_model().objects.get(username="admin").check_password("un-mot-de-passe-de-test")
