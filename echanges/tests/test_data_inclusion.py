import datetime as dt
import json
import shutil
import zipfile
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from data_inclusion.schema import v1
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.imports import ErreurImport, ErreursImport
from core.tests.test_imports import bombe
from core.texte import normaliser
from echanges.data_inclusion import (
    exporter_structures_et_services,
    importer_data_inclusion,
)
from repertoire.horaires import vers_osm
from repertoire.models import (
    Besoin,
    Frais,
    Lieu,
    Provenance,
    Public,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.selectors import besoins_pour_thematiques_di, publics_pour_publics_di
from repertoire.tests.factories import (
    ContactFactory,
    HoraireExceptionnelFactory,
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    ServiceRelieFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from territoires.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db

DONNEES = Path(__file__).parent / "data"
JSON_NIEVRE = DONNEES / "data_inclusion_ccas_nievre.json"
# Le classeur du valideur reste dans repertoire/tests/data : core/tests/test_imports.py le lit.
CLASSEUR = (
    Path(__file__).resolve().parents[2]
    / "repertoire/tests/data/data_inclusion_valideur_fixture_dataset.xlsx"
)


def commune(code: str, nom: str, departement: str, region: str, lat: float, lon: float) -> Commune:
    """Les communes utiles, même si le référentiel complet n'est pas (encore) chargé."""
    Region.objects.get_or_create(code=region, defaults={"nom": f"Région {region}"})
    Departement.objects.get_or_create(
        code=departement, defaults={"nom": f"Département {departement}", "region_id": region}
    )
    return Commune.objects.get_or_create(
        code_insee=code,
        defaults={
            "nom": nom,
            "nom_normalise": normaliser(nom),
            "departement_id": departement,
            "latitude": lat,
            "longitude": lon,
        },
    )[0]


@pytest.fixture
def nevers() -> Commune:
    return commune("58194", "Nevers", "58", "27", 46.9896, 3.159)


@pytest.fixture
def lille() -> Commune:
    return commune("59350", "Lille", "59", "32", 50.6365, 3.0635)


def copie_json(tmp_path: Path, modifier) -> Path:
    donnees = json.loads(JSON_NIEVRE.read_text(encoding="utf-8"))
    modifier(donnees)
    chemin = tmp_path / "envoi.json"
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")
    return chemin


def fiche_importee(modele, identifiant: str):
    return Provenance.objects.get(
        content_type__model=modele._meta.model_name,
        source="data-inclusion:cd58",
        identifiant=identifiant,
    ).objet


# --- Import JSON ------------------------------------------------------------------------------


def test_un_json_valide_cree_la_structure_son_lieu_et_ses_services(nevers):
    rapport = importer_data_inclusion(JSON_NIEVRE)

    assert (rapport.lues, rapport.creees, rapport.avertissements) == (3, 3, [])
    ccas = fiche_importee(Structure, "cd58--ccas-nevers")
    assert (ccas.nom, ccas.siret, ccas.typologie) == (
        "CCAS de Nevers",
        "26580194600017",
        Structure.Typologie.CCAS,
    )
    assert ccas.date_verification == dt.date(2026, 9, 15)
    lieu = ccas.lieux.get()
    assert (lieu.adresse, lieu.code_postal, lieu.commune, lieu.latitude) == (
        "1 place de l'Hôtel de Ville",
        "58000",
        nevers,
        46.9896,
    )


def test_un_service_importe_recoit_besoins_publics_accueil_frais_zones_et_contact(nevers):
    importer_data_inclusion(JSON_NIEVRE)

    portage = fiche_importee(Service, "cd58--ccas-nevers-portage-repas")
    assert {b.slug for b in portage.besoins.all()} == set(
        besoins_pour_thematiques_di(["equipement-et-alimentation--alimentation"])
    )
    assert {p.slug for p in portage.publics.all()} == set(
        publics_pour_publics_di(["seniors", "personnes-en-situation-de-handicap"])
    )
    assert (portage.accueil_sur_place, portage.accueil_a_distance) == (False, True)
    assert (portage.frais, portage.conditions_acces) == (Frais.PAYANT, "Habiter Nevers.")
    assert list(portage.zones.values_list("type", "code")) == [("commune", "58194")]
    contact = portage.contacts.get()
    assert (contact.telephone, contact.courriel, contact.visibilite) == (
        "03 86 68 45 10",
        "portage-repas@ville-nevers.fr",
        "public",
    )
    assert vers_osm(portage) == "Mo-Fr 09:00-12:00; PH off"
    assert portage.statut == Service.Statut.PUBLIE


def test_un_service_sans_horaires_ni_adresse_prend_ceux_de_sa_structure(nevers):
    importer_data_inclusion(JSON_NIEVRE)

    aidants = fiche_importee(Service, "cd58--ccas-nevers-aidants")
    assert vers_osm(aidants) == "Mo-Fr 08:30-12:00,13:30-17:00; PH off"
    assert list(aidants.lieux.all()) == list(aidants.structure.lieux.all())
    assert list(aidants.zones.values_list("type", "code")) == [("departement", "58")]
    assert (aidants.accueil_sur_place, aidants.accueil_a_distance) == (True, True)
    assert aidants.frais == Frais.GRATUIT


def test_reimporter_le_meme_fichier_ne_change_rien(nevers):
    importer_data_inclusion(JSON_NIEVRE)
    comptes = [m.objects.count() for m in (Structure, Lieu, Service, Provenance)]

    rapport = importer_data_inclusion(JSON_NIEVRE)

    assert (rapport.creees, rapport.mises_a_jour, rapport.inchangees) == (0, 0, 3)
    assert [m.objects.count() for m in (Structure, Lieu, Service, Provenance)] == comptes


def test_un_enregistrement_modifie_met_a_jour_sa_fiche_sans_doublon(nevers, tmp_path):
    importer_data_inclusion(JSON_NIEVRE)

    def renommer(donnees):
        donnees["services"][0]["nom"] = "Portage de repas et de courses"
        donnees["services"][0]["zone_eligibilite"] = ["58194", "58086"]

    rapport = importer_data_inclusion(copie_json(tmp_path, renommer))

    assert (rapport.creees, rapport.mises_a_jour, rapport.inchangees) == (0, 1, 2)
    portage = fiche_importee(Service, "cd58--ccas-nevers-portage-repas")
    assert portage.nom == "Portage de repas et de courses"
    assert portage.zones.count() == 2
    assert Service.objects.filter(structure=portage.structure).count() == 2


def test_un_enregistrement_invalide_nomme_ligne_et_champ_et_rien_n_est_ecrit(nevers, tmp_path):
    def abimer(donnees):
        donnees["services"][1]["frais"] = "sur devis"
        donnees["services"][1]["courriel"] = "pas un courriel"

    with pytest.raises(ErreursImport) as exc:
        importer_data_inclusion(copie_json(tmp_path, abimer))

    assert exc.value.erreurs == [
        ErreurImport(
            "envoi.json (services)",
            2,
            "courriel",
            "courriel invalide (valeur : « pas un courriel »)",
        ),
        ErreurImport(
            "envoi.json (services)",
            2,
            "frais",
            "la valeur « sur devis » n'existe pas dans le schéma data·inclusion "
            "(valeurs possibles : gratuit, payant)",
        ),
    ]
    assert not Structure.objects.filter(nom="CCAS de Nevers").exists()
    assert not Provenance.objects.filter(source="data-inclusion:cd58").exists()


def test_un_service_d_une_structure_inconnue_est_une_erreur(nevers, tmp_path):
    def debrancher(donnees):
        donnees["services"][0]["structure_id"] = "cd58--inconnue"

    with pytest.raises(ErreursImport) as exc:
        importer_data_inclusion(copie_json(tmp_path, debrancher))

    assert [(e.ligne, e.champ) for e in exc.value.erreurs] == [(1, "structure_id")]
    assert "« cd58--inconnue »" in exc.value.erreurs[0].raison


def test_une_liste_de_services_peut_viser_une_structure_deja_importee(nevers, tmp_path):
    importer_data_inclusion(JSON_NIEVRE)
    services = json.loads(JSON_NIEVRE.read_text(encoding="utf-8"))["services"]
    services[1]["nom"] = "Café des aidants"
    chemin = tmp_path / "services.json"
    chemin.write_text(json.dumps(services), encoding="utf-8")

    rapport = importer_data_inclusion(chemin)

    assert (rapport.lues, rapport.mises_a_jour, rapport.inchangees) == (2, 1, 1)
    assert rapport.disparues == []


def test_des_horaires_illisibles_restent_en_precisions_avec_un_avertissement(nevers, tmp_path):
    def horaires_libres(donnees):
        donnees["services"][0]["horaires_accueil"] = "Mo-Fr 09:00-12:00; Dec 25 off"

    rapport = importer_data_inclusion(copie_json(tmp_path, horaires_libres))

    portage = fiche_importee(Service, "cd58--ccas-nevers-portage-repas")
    assert portage.horaires_precisions == "Mo-Fr 09:00-12:00; Dec 25 off"
    assert not portage.plages.exists()
    [avertissement] = rapport.avertissements
    assert (avertissement.ligne, avertissement.champ) == (1, "horaires_accueil")
    assert "« Dec 25 off »" in avertissement.raison


def test_la_simulation_compte_sans_rien_ecrire(nevers):
    rapport = importer_data_inclusion(JSON_NIEVRE, dry_run=True)

    assert (rapport.creees, rapport.a_blanc) == (3, True)
    assert rapport.resume().startswith("Simulation (--dry-run), rien n'a été écrit.")
    assert not Provenance.objects.filter(source="data-inclusion:cd58").exists()


def test_une_fiche_absente_du_nouvel_envoi_est_signalee_mais_gardee(nevers, tmp_path):
    importer_data_inclusion(JSON_NIEVRE)

    rapport = importer_data_inclusion(copie_json(tmp_path, lambda d: d["services"].pop()))

    assert rapport.disparues == ["data-inclusion:cd58 : cd58--ccas-nevers-aidants"]
    assert fiche_importee(Service, "cd58--ccas-nevers-aidants").pk


# --- Classeur du valideur data·inclusion ------------------------------------------------------


def test_le_classeur_du_valideur_est_refuse_avec_les_erreurs_du_valideur_officiel(lille):
    """Mêmes défauts que ceux que relève le valideur de data·inclusion sur ce classeur, plus
    leur cause : l'en-tête de la colonne date_maj a été écrasé par une date."""
    with pytest.raises(ErreursImport) as exc:
        importer_data_inclusion(CLASSEUR)

    structures = "data_inclusion_valideur_fixture_dataset.xlsx, feuille « Structures »"
    services = "data_inclusion_valideur_fixture_dataset.xlsx, feuille « Services »"
    mobilisable_par = (
        "la valeur « autres » n'existe pas dans le schéma data·inclusion "
        "(valeurs possibles : usagers, professionnels)"
    )
    assert exc.value.erreurs == [
        ErreurImport(
            structures,
            1,
            "C",
            "l'en-tête de la colonne C n'est pas un nom de champ : « 23/02/2026 »",
        ),
        ErreurImport(
            structures,
            4,
            "code_postal",
            "la chaîne doit contenir au plus 5 caractères (valeur : « 750121 »)",
        ),
        ErreurImport(structures, 4, "courriel", "courriel invalide (valeur : « pas une adresse »)"),
        ErreurImport(structures, 4, "date_maj", "champ requis"),
        ErreurImport(
            structures, 4, "site_web", "adresse web (URL) invalide (valeur : « pas une url ! »)"
        ),
        ErreurImport(
            services, 1, "D", "l'en-tête de la colonne D n'est pas un nom de champ : « 03/03/2026 »"
        ),
        ErreurImport(services, 4, "date_maj", "champ requis"),
        ErreurImport(services, 4, "mobilisable_par", mobilisable_par),
        ErreurImport(
            services, 4, "nombre_semaines", "nombre entier attendu (valeur : « beaucoup »)"
        ),
        ErreurImport(
            services,
            4,
            "thematiques",
            "la valeur « logement-hebergement--louer-un-appartement » n'existe pas dans le schéma "
            "data·inclusion ; vouliez-vous dire « logement-hebergement--louer-un-logement » ?",
        ),
        ErreurImport(services, 5, "code_insee", "le code commune 59999 n'existe pas"),
        ErreurImport(services, 5, "date_maj", "champ requis"),
        ErreurImport(services, 5, "mobilisable_par", mobilisable_par),
        ErreurImport(
            services, 5, "nombre_semaines", "nombre entier attendu (valeur : « beaucoup »)"
        ),
    ]
    assert not Provenance.objects.filter(source__startswith="data-inclusion:").exists()


def classeur_corrige(tmp_path: Path) -> Path:
    """Le classeur du valideur une fois ses défauts de contenu corrigés ; les pièges de forme
    (nombres au lieu de textes, colonnes en trop ou en double, lignes d'aide) restent."""
    chemin = tmp_path / "action-logement.xlsx"
    shutil.copy(CLASSEUR, chemin)
    classeur = openpyxl.load_workbook(chemin)
    structures, services = classeur["Structures"], classeur["Services"]
    structures["C1"] = "date_maj"
    structures["J4"], structures["L4"], structures["N4"] = 75012.0, None, None
    services["D1"] = "date_maj"
    for ligne in (4, 5):
        services[f"I{ligne}"] = "logement-hebergement--louer-un-logement"
        services[f"AB{ligne}"] = "professionnels, usagers"
        services[f"AE{ligne}"] = 4.0
    services["Q5"], services["X4"] = 59350.0, 59350.0
    classeur.save(chemin)
    return chemin


def test_le_classeur_corrige_s_importe_apres_normalisation_des_nombres_d_excel(lille, tmp_path):
    rapport = importer_data_inclusion(classeur_corrige(tmp_path))

    assert (rapport.lues, rapport.creees) == (3, 3)
    structure = Provenance.objects.get(
        source="data-inclusion:action-logement", identifiant="005d3060-c322-4ec5-bd70-a60f054d3b81"
    ).objet
    assert (structure.nom, structure.siret) == ("AGENCE ACTION LOGEMENT.", "82454114801871")
    assert structure.lieux.filter(nom=structure.nom, code_postal="75012").exists()
    service = Provenance.objects.get(
        source="data-inclusion:action-logement", identifiant="53669028-8862-4f42-a80c-d3f269456edc"
    ).objet
    assert (service.structure, service.lieux.get().commune) == (structure, lille)
    assert list(service.zones.values_list("type", "code")) == [("commune", "59350")]
    assert (service.accueil_sur_place, service.accueil_a_distance) == (True, True)
    assert [(a.ligne, a.champ) for a in rapport.avertissements] == [
        (1, ""),  # colonnes « colonne en trop », « colonne en double » ignorées
        (1, ""),  # colonnes « lien_url_gen », « lien_url_widget » ignorées
        (4, "nom"),  # le nom se termine par un point : avertissement du schéma
    ]
    assert "colonne en trop, colonne en double" in rapport.avertissements[0].raison


# --- Commande d'import ------------------------------------------------------------------------


def test_la_commande_d_import_affiche_le_resume(nevers):
    sortie = StringIO()

    call_command("importer_data_inclusion", str(JSON_NIEVRE), stdout=sortie, verbosity=0)

    assert "3 lignes lues : 3 créées" in sortie.getvalue()


def test_la_commande_d_import_ecrit_les_erreurs_en_francais_et_echoue(lille):
    erreurs = StringIO()

    with pytest.raises(CommandError, match="14 erreur"):
        call_command("importer_data_inclusion", str(CLASSEUR), stderr=erreurs, verbosity=0)

    assert "feuille « Services », ligne 5, champ « code_insee » : le code commune 59999" in (
        erreurs.getvalue()
    )


def test_un_json_qui_n_est_pas_en_utf8_est_refuse_en_disant_l_encodage_attendu(nevers, tmp_path):
    chemin = tmp_path / "envoi.json"
    chemin.write_bytes(JSON_NIEVRE.read_text(encoding="utf-8").encode("cp1252"))

    with pytest.raises(ErreursImport) as refus:
        importer_data_inclusion(chemin)

    (erreur,) = refus.value.erreurs
    assert erreur.ligne is not None
    assert "n'est pas de l'UTF-8 ; UTF-8 attendu" in erreur.raison
    assert not Structure.objects.exists()


def test_une_bombe_zip_deguisee_en_classeur_est_refusee_par_la_commande(lille, tmp_path):
    chemin = bombe(tmp_path / "bombe.xlsx", mo=150)
    erreurs = StringIO()

    with pytest.raises(CommandError, match="1 erreur"):
        call_command("importer_data_inclusion", str(chemin), stderr=erreurs, verbosity=0)

    assert "bombe.xlsx, fichier : classeur refusé, trop volumineux" in erreurs.getvalue()
    assert not Structure.objects.exists()


def test_un_classeur_dont_une_feuille_est_tronquee_est_refuse_sans_trace_python(lille, tmp_path):
    entier = classeur_corrige(tmp_path)
    tronque = tmp_path / "tronque.xlsx"
    with zipfile.ZipFile(entier) as source, zipfile.ZipFile(tronque, "w") as copie:
        for membre in source.infolist():
            contenu = source.read(membre)
            if membre.filename.startswith("xl/worksheets/"):
                contenu = contenu[: len(contenu) // 2]
            copie.writestr(membre, contenu)

    with pytest.raises(ErreursImport, match="classeur illisible"):
        importer_data_inclusion(tronque)
    assert not Structure.objects.exists()


# --- Export data·inclusion --------------------------------------------------------------------


def besoins(*slugs: str) -> list[Besoin]:
    return list(Besoin.objects.filter(slug__in=slugs))


def publics(*slugs: str) -> list[Public]:
    return list(Public.objects.filter(slug__in=slugs))


@pytest.fixture
def services_varies(nevers) -> list[Service]:
    ccas = StructureFactory(
        nom="CCAS de Nevers", typologie=Structure.Typologie.CCAS, siret="26580194600017"
    )
    lieu = LieuFactory(
        structure=ccas, commune=nevers, accessibilite_url="https://acceslibre.beta.gouv.fr/x/"
    )
    complet = ServiceRelieFactory(
        structure=ccas,
        nom="Portage de repas",
        besoins=besoins("portage-de-repas", "aide-a-domicile"),
        publics=publics("personnes-agees", "tous-publics"),
        lieux=[lieu],
        frais=Frais.RESTE_A_CHARGE,
        frais_precisions="Selon les ressources.",
        age_min=60,
        accueil_a_distance=True,
        date_verification=timezone.localdate() + dt.timedelta(days=3),
    )
    PlageHoraireFactory(service=complet, jour=1)
    HoraireExceptionnelFactory(service=complet)
    ContactFactory(service=complet, professionnels=True)
    ContactFactory(service=complet, courriel="portage@ville-nevers.fr")
    for type_, code in [("commune", "58194"), ("epci", "200067676"), ("region", "27")]:
        ZoneInterventionFactory(service=complet, type=type_, code=code)
    a_domicile = ServiceFactory(a_domicile=True, description="", nom="Aide", structure__siret="123")
    ServiceRelieFactory(besoins=besoins("teleassistance"), publics=publics("adultes"))
    ZoneInterventionFactory(service=ServiceFactory(nature="dispositif"), type="france", code="")
    ServiceFactory(brouillon=True)
    return [complet, a_domicile]


def test_chaque_enregistrement_exporte_est_valide_par_le_schema_officiel(services_varies):
    export = exporter_structures_et_services()

    assert len(export["services"]) == 4
    assert len(export["structures"]) == 4
    for structure in export["structures"]:
        v1.Structure.model_validate(structure, context={"ignore_warnings": False})
    for service in export["services"]:
        v1.Service.model_validate(service, context={"ignore_warnings": False})


def test_l_export_traduit_le_service_dans_le_vocabulaire_data_inclusion(services_varies):
    complet = services_varies[0]

    export = exporter_structures_et_services()

    service = next(s for s in export["services"] if s["id"] == f"autonomie--{complet.pk}")
    assert service["structure_id"] == f"autonomie--{complet.structure_id}"
    assert service["source"] == "autonomie"
    assert service["thematiques"] == [
        "equipement-et-alimentation--aide-menagere",
        "equipement-et-alimentation--alimentation",
        "famille--prise-en-charge-personne-dependante",
    ]
    assert service["publics"] == ["seniors"]
    assert service["publics_precisions"] == "À partir de 60 ans."
    assert (service["frais"], service["modes_accueil"]) == (
        "payant",
        ["en-presentiel", "a-distance"],
    )
    assert service["zone_eligibilite"][:2] == ["58194", "200067676"]
    assert "58" in service["zone_eligibilite"]
    assert service["horaires_accueil"] == vers_osm(complet)
    assert service["horaires_accueil"].startswith("Tu 09:00-12:00; PH off; ")
    assert service["courriel"] == "portage@ville-nevers.fr"
    assert (service["code_insee"], service["commune"]) == ("58194", "Nevers")
    # L'export a pu passer minuit entre son calcul et cette ligne.
    assert service["date_maj"] in {
        (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        timezone.localdate().isoformat(),
    }
    structure = next(s for s in export["structures"] if s["id"] == service["structure_id"])
    assert (structure["reseaux_porteurs"], structure["siret"]) == (["ccas-cias"], "26580194600017")


def test_l_export_comble_ce_que_le_schema_exige(services_varies):
    a_domicile = services_varies[1]

    export = exporter_structures_et_services()

    service = next(s for s in export["services"] if s["id"] == f"autonomie--{a_domicile.pk}")
    assert service["description"] == "Service : Aide"
    assert (service["modes_accueil"], service["thematiques"], service["publics"]) == (None,) * 3
    assert service["adresse"] is None
    structure = next(s for s in export["structures"] if s["id"] == service["structure_id"])
    assert structure["siret"] is None
    france = next(s for s in export["services"] if s["zone_eligibilite"] == ["france"])
    assert france


def test_l_export_ne_contient_que_les_services_publies(services_varies):
    brouillons = Service.objects.exclude(statut=Service.Statut.PUBLIE)

    export = exporter_structures_et_services()

    assert brouillons.exists()
    exportes = {s["id"] for s in export["services"]}
    assert not exportes & {f"autonomie--{s.pk}" for s in brouillons}


def test_l_export_coute_autant_de_requetes_pour_deux_ou_vingt_services(nevers):
    def requetes() -> int:
        with CaptureQueriesContext(connection) as contexte:
            exporter_structures_et_services()
        return len(contexte)

    def creer(nombre: int) -> None:
        for _ in range(nombre):
            service = ServiceRelieFactory(
                besoins=besoins("portage-de-repas"),
                publics=publics("aidants"),
                lieux=[LieuFactory(commune=nevers)],
            )
            PlageHoraireFactory(service=service)
            ZoneInterventionFactory(service=service)
            ContactFactory(service=service)

    creer(2)
    peu = requetes()
    creer(18)

    assert requetes() == peu


def test_l_export_d_une_fiche_importee_repasse_le_schema(nevers):
    importer_data_inclusion(JSON_NIEVRE)

    export = exporter_structures_et_services(Service.objects.filter(nom__startswith="Portage"))

    [service] = export["services"]
    assert v1.Service.model_validate(service).nom == "Portage de repas à domicile"
    assert service["zone_eligibilite"] == ["58194"]


# --- Commande d'export ------------------------------------------------------------------------


def test_la_commande_d_export_ecrit_du_json_sur_la_sortie_standard(services_varies):
    sortie = StringIO()

    call_command("exporter_data_inclusion", stdout=sortie)

    assert len(json.loads(sortie.getvalue())["services"]) == 4


@pytest.mark.parametrize("format_", ["csv", "geojson"])
def test_la_commande_d_export_ecrit_dans_un_fichier(services_varies, tmp_path, format_):
    chemin = tmp_path / f"export.{format_}"

    call_command(
        "exporter_data_inclusion", "--format", format_, "--sortie", str(chemin), stderr=StringIO()
    )

    assert chemin.read_text(encoding="utf-8").strip()
    assert ZoneIntervention.objects.exists()
