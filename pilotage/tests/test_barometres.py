from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.imports import ErreursImport
from pilotage.barometres import controler_taux, date_de_trimestre, importer_barometre
from pilotage.codes import normaliser_territoire
from pilotage.indicateurs import taux_avancement, trimestre_de
from pilotage.models import Cible, Indicateur, ValeurBarometre
from pilotage.tests.conftest import DONNEES

ETALAB_DEPARTEMENTS = DONNEES / "etalab_barometre_dmt_aah_departements_2017_2022.csv"
ETALAB_NATIONAL = DONNEES / "etalab_barometre_dmt_aah_national_2017_2022.csv"
DITP_296 = DONNEES / "ditp_ind-296_dmt_global_hors_aah.csv"
DITP_297 = DONNEES / "ditp_ind-297_dmt_aah.csv"


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [
        ("01", ("DEPT", "01")),
        ("001", ("DEPT", "01")),
        ("D01", ("DEPT", "01")),
        ("1", ("DEPT", "01")),
        ("2A", ("DEPT", "2A")),
        ("D2A", ("DEPT", "2A")),
        ("02B", ("DEPT", "2B")),
        ("971", ("DEPT", "971")),
        ("D971", ("DEPT", "971")),
        ("D976", ("DEPT", "976")),
        (" d58 ", ("DEPT", "58")),
        ("R84", ("REG", "84")),
        ("R01", ("REG", "01")),
        ("FRANCE", ("NAT", "FR")),
        ("NAT", ("NAT", "FR")),
    ],
)
def test_chaque_forme_de_code_de_territoire_est_reconnue(brut, attendu):
    assert normaliser_territoire(brut) == attendu


@pytest.mark.parametrize("brut", ["20", "100", "D", "2C", "R", "ABC", "975x"])
def test_un_code_de_territoire_illisible_est_refuse(brut):
    with pytest.raises(ValueError):
        normaliser_territoire(brut)


def test_la_maille_declaree_doit_correspondre_au_code():
    with pytest.raises(ValueError, match="maille"):
        normaliser_territoire("R84", maille="DEPT")


def test_les_deux_conventions_de_date_donnent_le_meme_trimestre():
    assert trimestre_de(date_de_trimestre("2022-06-01")) == (2022, 2)  # DITP
    assert trimestre_de(date_de_trimestre("2022-06-30")) == (2022, 2)  # Etalab
    assert trimestre_de(date_de_trimestre("2017-12-31")) == (2017, 4)
    with pytest.raises(ValueError, match="dernier mois"):
        date_de_trimestre("2022-04-01")


@pytest.mark.django_db
def test_le_barometre_etalab_reel_s_importe_sans_les_valeurs_0_0(tmp_path):
    rapport = importer_barometre(chemin=ETALAB_DEPARTEMENTS, indicateur="etalab-dmt-aah")

    assert rapport.lues == 1100
    manquantes = ETALAB_DEPARTEMENTS.read_text().count(",0.0\n")
    assert rapport.ignorees == manquantes > 0
    assert ValeurBarometre.objects.count() == 1100 - manquantes
    # Ain, 2019 : publié 0.0, donc absent ; 2020-T3 : 6,2 mois.
    ain = ValeurBarometre.objects.filter(territoire="01")
    assert not ain.filter(annee=2019).exists()
    assert ain.get(annee=2020, trimestre=3).valeur == 6.2
    assert ValeurBarometre.objects.filter(territoire="2A").exists()
    assert ValeurBarometre.objects.filter(territoire="971").exists()


@pytest.mark.django_db
def test_reimporter_un_barometre_ne_change_rien():
    importer_barometre(chemin=ETALAB_NATIONAL, indicateur="etalab-dmt-aah")
    rapport = importer_barometre(chemin=ETALAB_NATIONAL, indicateur="etalab-dmt-aah")

    assert (rapport.creees, rapport.inchangees) == (0, 12)
    national = ValeurBarometre.objects.filter(maille="NAT", territoire="FR")
    assert national.count() == 12
    assert national.get(annee=2021, trimestre=4).valeur == 4.8


@pytest.mark.django_db
def test_un_fichier_etalab_exige_un_code_d_indicateur():
    with pytest.raises(ErreursImport, match="indicateur requis"):
        importer_barometre(chemin=ETALAB_NATIONAL)


@pytest.mark.django_db
def test_une_ligne_fautive_de_barometre_est_nommee_et_rien_n_est_ecrit(tmp_path):
    chemin = tmp_path / "ditp.csv"
    chemin.write_text(
        "indic_id,enforce_zone_id,metric_enforce_date,maille,indic_vi,indic_va,indic_vc,indic_ta\n"
        "IND-1,D01,2022-06-01,DEPT,,3.1,,\n"
        "IND-1,D20,2022-06-01,DEPT,,3.1,,\n"
        "IND-1,R84,2022-05-01,REG,,3.1,,\n"
        "IND-1,D02,2022-06-01,DEPT,,trois,,\n",
        encoding="utf-8",
    )

    with pytest.raises(ErreursImport) as erreurs:
        importer_barometre(chemin=chemin)

    assert [(e.ligne, e.champ) for e in erreurs.value.erreurs] == [
        (3, "enforce_zone_id"),
        (4, "metric_enforce_date"),
        (5, "indic_va"),
    ]
    assert not ValeurBarometre.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("chemin", [DITP_296, DITP_297])
def test_le_taux_d_avancement_recalcule_egale_celui_publie_par_la_ditp(chemin):
    importer_barometre(chemin=chemin, libelle="Délai moyen de traitement")

    controles = controler_taux(indicateur=chemin.name[5:12].upper())

    assert len(controles) > 90
    exacts = [c for c in controles if abs(c["publie"] - c["calcule"]) <= 0.01]
    hors_arrondi = [c for c in controles if abs(c["publie"] - c["calcule"]) > c["tolerance"]]
    assert hors_arrondi == []
    # La plupart sont exacts à 0,01 près ; les autres tiennent à l'arrondi de VA à 0,1.
    assert len(exacts) / len(controles) > 0.8


@pytest.mark.django_db
def test_les_cibles_ditp_portent_valeurs_initiale_actuelle_et_cible():
    importer_barometre(chemin=DITP_297)

    national = Cible.objects.get(indicateur__code="IND-297", maille="NAT")
    assert (national.valeur_initiale, national.valeur_actuelle, national.valeur_cible) == (
        5.0,
        4.9,
        3.0,
    )
    assert national.taux_publie == 5.0 and national.taux_avancement() == 5.0
    # Les lignes régionales publiées sont vides (ni date ni valeur) : ignorées.
    assert not Cible.objects.filter(maille="REG").exists()
    assert Cible.objects.filter(territoire="2A").exists()
    assert Indicateur.objects.get(code="IND-297").sens == "baisse"


@pytest.mark.parametrize(
    ("initiale", "actuelle", "cible", "sens", "attendu"),
    [
        (6.49, 6.0, 4.0, "baisse", 19.68),  # Isère, IND-296
        (7.32, 5.4, 4.0, "baisse", 57.83),
        (4.48, 6.0, 4.0, "baisse", 0.0),  # s'éloigne de la cible : borné à 0
        (3.01, 3.6, 4.0, "baisse", 100.0),  # cible respectée
        (3.37, 4.1, 4.0, "baisse", 0.0),  # respectait la cible, ne la respecte plus
        (50.0, 60.0, 70.0, "hausse", 50.0),
        (50.0, 80.0, 70.0, "hausse", 100.0),
        (50.0, 40.0, 70.0, "hausse", 0.0),
    ],
)
def test_le_taux_d_avancement_tient_compte_du_sens(initiale, actuelle, cible, sens, attendu):
    assert taux_avancement(initiale=initiale, actuelle=actuelle, cible=cible, sens=sens) == (
        pytest.approx(attendu, abs=0.01)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("encodage", ["utf-16", "cp1252"])
def test_un_barometre_qui_n_est_pas_en_utf8_est_refuse_par_la_commande_sans_trace(
    tmp_path, encodage
):
    chemin = tmp_path / "etalab.csv"
    contenu = "code_departement,libelle_departement,date,valeur\n07,Ardèche,2022-06-30,4.5\n"
    chemin.write_bytes(contenu.encode(encodage))

    with pytest.raises(CommandError, match=r"etalab\.csv, .* UTF-8 attendu"):
        call_command("importer_barometre", str(chemin), "--indicateur", "DMT", stdout=StringIO())

    assert not ValeurBarometre.objects.exists()
