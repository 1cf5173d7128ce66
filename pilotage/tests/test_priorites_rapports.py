"""Priorités de la branche, rapports départemental et de branche, prévision du stock, démo."""

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from pilotage.agregation import agreger_activite
from pilotage.graphiques import GRILLE, cartogramme
from pilotage.indicateurs import JOURS_PAR_MOIS
from pilotage.models import FicheIndicateur, Indicateur, Priorite
from pilotage.priorites import FICHES, synchroniser_priorites
from pilotage.rapports import rapport_branche
from pilotage.tableaux_de_bord import prevision_resorption
from pilotage.tests.factories import DemandeFactory

FIN = dt.date(2024, 12, 31)


def test_la_prevision_divise_le_stock_par_la_sortie_nette_moyenne():
    prevision = prevision_resorption(stocks=[1000, 900, 800, 700, 600], fin=FIN)
    assert prevision.sortie_nette_moyenne == 100
    assert prevision.trimestres == 6
    assert "18,0 mois" in prevision.message


def test_seuls_les_quatre_derniers_trimestres_comptent():
    prevision = prevision_resorption(stocks=[5000, 1000, 900, 800, 700, 600], fin=FIN)
    assert prevision.sortie_nette_moyenne == 100


@pytest.mark.parametrize("stocks", [[500, 550, 600, 650, 700], [500, 500, 500], [400, 300, 500]])
def test_un_stock_qui_ne_baisse_pas_n_a_pas_de_date_de_resorption(stocks):
    prevision = prevision_resorption(stocks=stocks, fin=FIN)
    assert prevision.date is None
    assert prevision.message == "Le stock ne diminue pas au rythme actuel."


def test_un_seul_trimestre_ne_permet_pas_de_prevision():
    assert prevision_resorption(stocks=[300], fin=FIN).date is None


def test_le_cartogramme_place_chaque_departement_une_fois():
    assert len(GRILLE) == 101 and len(set(GRILLE.values())) == 101
    carte = cartogramme(valeurs={"58": 4.0, "21": 6.0}, noms={}, titre="t", unite="mois")
    classes = {t.code: t.classe for t in carte.tuiles}
    assert classes["58"] < classes["21"] and classes["75"] is None


def test_la_synchronisation_des_priorites_est_idempotente(db):
    premiere = synchroniser_priorites()
    seconde = synchroniser_priorites()
    assert premiere["creees"] > 0 and seconde["creees"] == 0
    assert Priorite.objects.count() == 11
    assert FicheIndicateur.objects.count() == len(FICHES)
    assert Priorite.objects.get(numero=5).indicateurs.filter(code="delai-global").exists()
    assert {p.axe for p in Priorite.objects.all()} == {"service_rendu", "offre", "efficience"}


def test_la_synchronisation_garde_un_indicateur_de_barometre_deja_importe(db):
    Indicateur.objects.create(code="IND-297", libelle="ancien libellé")
    synchroniser_priorites()
    assert Indicateur.objects.get(code="IND-297").fiche.source.startswith("DITP")


def test_le_rapport_de_branche_poole_les_valeurs_sans_moyenne_des_moyennes(departements):
    """58 : une décision en 30 jours ; 21 : trois en 90 jours. Poolé : 300 / 4 = 75 jours ;
    la moyenne des moyennes (60 jours) serait fausse."""
    nievre, cote_d_or, _ = departements
    DemandeFactory(departement=nievre, decidee=True, jours=30)
    DemandeFactory.create_batch(3, departement=cote_d_or, decidee=True, jours=90)
    agreger_activite()
    synchroniser_priorites()
    rapport = rapport_branche(annee=2024)
    poolee = round(75 / JOURS_PAR_MOIS, 1)
    assert poolee != round(60 / JOURS_PAR_MOIS, 1)
    assert rapport["activite"].lignes[3][-1] == poolee
    priorite_5 = next(s for s in rapport["sections"] if s.priorite.numero == 5)
    ligne = next(
        li
        for li in priorite_5.tableau.lignes
        if li[0].startswith("Délai moyen de traitement, toutes")
    )
    assert ligne[1] == poolee
    assert ligne[2:] == [2, round(30 / JOURS_PAR_MOIS, 1), 2.0, round(90 / JOURS_PAR_MOIS, 1)]


def test_le_rapport_departemental_est_un_pdf_au_nom_du_departement(professionnel, activite):
    synchroniser_priorites()
    reponse = professionnel.get("/pilotage/rapports/58/2024/rapport.pdf")
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF") and len(reponse.content) > 5000
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (paquet Debian poppler-utils) manque en CI")
        pytest.skip("pdftotext (poppler-utils) absent : texte du PDF non vérifié")
    texte = subprocess.run(
        ["pdftotext", "-", "-"], input=reponse.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Nièvre" in texte and "Priorité 5" in texte


def test_le_rapport_de_branche_existe_en_pdf(professionnel, activite):
    reponse = professionnel.get("/pilotage/rapports/branche/2024/rapport.pdf")
    assert reponse.content.startswith(b"%PDF")


def test_la_commande_generer_rapport_ecrit_le_pdf(activite, tmp_path):
    sortie = tmp_path / "rapport.pdf"
    call_command("generer_rapport", departement="58", annee=2024, sortie=sortie)
    assert sortie.read_bytes().startswith(b"%PDF")


def test_la_commande_verifier_alertes_donne_la_raison_en_francais(departements, capsys):
    for annee in (2022, 2023, 2024):  # 2022 : l'année de rodage, non jugée
        DemandeFactory.create_batch(
            2,
            departement=departements[0],
            decidee=True,
            jours=250,
            date_depot=dt.date(annee, 1, 5),
        )
    agreger_activite()
    call_command("verifier_alertes", annee=2024)
    sortie = capsys.readouterr().out
    assert (
        "MDPH 58 en difficulté en 2024 d'après les demandes transmises : délai moyen "
        "supérieur à 6 mois" in sortie
    )


def test_la_page_des_alertes_liste_les_regles_declenchees(professionnel, departements):
    for annee in (2022, 2023, 2024):  # 2022 : l'année de rodage, non jugée
        DemandeFactory(
            departement=departements[0], decidee=True, jours=250, date_depot=dt.date(annee, 1, 5)
        )
    agreger_activite()
    contenu = professionnel.get("/pilotage/alertes/?annee=2024").content.decode()
    assert "MDPH en difficulté" in contenu and "Nièvre" in contenu
    csv_ = professionnel.get("/pilotage/alertes/tableaux/alertes.csv?annee=2024").content
    assert "délai moyen supérieur à 6 mois" in csv_.decode("utf-8-sig")


def test_la_demo_du_pilotage_se_recharge_sans_doublon(departements):
    from pilotage.demo import charger_demo_pilotage
    from pilotage.models import Demande, ValeurBarometre

    charger_demo_pilotage(annees=(2024,), departements=("58",))
    demandes, valeurs = Demande.objects.count(), ValeurBarometre.objects.count()
    charger_demo_pilotage(annees=(2024,), departements=("58",))
    assert Demande.objects.count() == demandes > 0
    assert ValeurBarometre.objects.count() == valeurs > 1000
    assert Priorite.objects.count() == 11


def test_la_page_d_une_priorite_donne_valeur_cible_et_avancement_par_departement(
    professionnel, activite
):
    from pilotage.models import Cible, ValeurBarometre

    synchroniser_priorites()
    ind = Indicateur.objects.get(code="IND-296")
    ValeurBarometre.objects.create(
        indicateur=ind, maille="DEPT", territoire="58", annee=2023, trimestre=4, valeur=5.0
    )
    Cible.objects.create(
        indicateur=ind,
        maille="DEPT",
        territoire="58",
        valeur_initiale=6.0,
        valeur_actuelle=5.0,
        valeur_cible=4.0,
    )
    contenu = professionnel.get("/pilotage/priorites/5/").content.decode()
    section = contenu[contenu.index('id="tableau-ind-296"') :]
    ligne = re.search(r'<th scope="row">Nièvre</th><td>58</td>(.*?)</tr>', section).group(1)
    assert re.findall(r">([\d,—]+)</td>", ligne)[-3:] == ["5,0", "4,0", "50,0"]
    assert "Délai moyen de traitement, toutes demandes" in contenu
