"""Le dossier d'accompagnement : qui le lit, qui l'écrit, le plan d'actions, l'évaluation."""

import datetime as dt

import pytest
from django.urls import reverse

from accompagnement.models import Accompagnement, ActionPlan, EtatAction
from accompagnement.selectors import (
    debit_mesure,
    evaluation,
    evaluation_satisfaction,
    stock_par_etape,
    tableau_stock,
)
from accompagnement.services import changer_etat
from pilotage.tests.conftest import role_de_pilotage
from pilotage.tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(departements):
    return Accompagnement.objects.create(
        departement_id="58", motif="Délai supérieur à 6 mois", debut=dt.date(2024, 7, 1)
    )


@pytest.fixture
def cd58(connecte):
    """Le pilotage du conseil départemental de la Nièvre : il accompagne sa MDPH."""
    return connecte(role_de_pilotage())


def test_le_departement_ouvre_un_dossier_et_y_ajoute_une_action(cd58, departements):
    reponse = cd58.post(
        reverse("accompagnement:ouvrir", args=["58"]),
        {"motif": "Stock au-dessus de la moitié des décisions", "debut": "2024-07-01"},
    )
    dossier = Accompagnement.objects.get()
    assert reponse.status_code == 302

    cd58.post(
        reverse("accompagnement:ajouter_action", args=[dossier.pk]),
        {
            "intitule": "Séances de CDAPH supplémentaires",
            "responsable": "MDPH",
            "echeance": "2024-12-31",
        },
    )

    page = cd58.get(reverse("accompagnement:fiche", args=[dossier.pk])).content.decode()
    assert "Séances de CDAPH supplémentaires" in page
    assert "Démarrer" in page
    assert dossier.historique.count() == 1
    assert ActionPlan.historique.count() == 1


def test_la_mdph_lit_son_dossier_sans_pouvoir_l_ecrire(connecte, dossier):
    client = connecte(role_de_pilotage(type="mdph"))

    assert client.get(reverse("accompagnement:fiche", args=[dossier.pk])).status_code == 200
    reponse = client.post(
        reverse("accompagnement:ajouter_renfort", args=[dossier.pk]),
        {"intitule": "Intérim", "agents_etp": "2", "mois": "6", "budget_euros": "60000"},
    )
    assert reponse.status_code == 403


def test_un_autre_departement_ne_voit_pas_le_dossier(connecte, dossier):
    client = connecte(role_de_pilotage(departement_id="21"))

    assert client.get(reverse("accompagnement:fiche", args=[dossier.pk])).status_code == 403


def test_un_renfort_invalide_est_refuse_en_francais(cd58, dossier):
    reponse = cd58.post(
        reverse("accompagnement:ajouter_renfort", args=[dossier.pk]),
        {"intitule": "Intérim", "agents_etp": "0", "mois": "6", "budget_euros": "1"},
    )

    assert reponse.status_code == 400
    assert "Indiquez un nombre d&#x27;agents positif." in reponse.content.decode()


def test_le_plan_suit_ses_etats_et_refuse_un_retour_en_arriere(cd58, dossier):
    action = ActionPlan.objects.create(
        accompagnement=dossier, intitule="Tri", responsable="MDPH", echeance=dt.date(2024, 9, 1)
    )

    changer_etat(action=action, transition="demarrer")
    changer_etat(action=action, transition="terminer")

    assert ActionPlan.objects.get().etat == EtatAction.REALISEE
    with pytest.raises(ValueError, match="réalisée"):
        changer_etat(action=action, transition="abandonner")
    reponse = cd58.post(
        reverse("accompagnement:changer_etat", args=[dossier.pk, action.pk, "demarrer"])
    )
    assert reponse.status_code == 302
    assert ActionPlan.objects.get().etat == EtatAction.REALISEE


def test_l_evaluation_avant_apres_est_calculee_depuis_les_demandes(dossier):
    # Avant : décidée en 100 jours ; après : en 40 jours.
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 1, 10), decidee=True, jours=100)
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 8, 1), decidee=True, jours=40)
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 12, 1))

    avant, apres = evaluation(departement="58", debut=dossier.debut, jour=dt.date(2024, 12, 31))

    assert round(avant.delai_mois, 1) == 3.3
    assert round(apres.delai_mois, 1) == 1.3
    assert (avant.stock_fin, apres.stock_fin) == (0, 1)


def test_le_stock_se_lit_par_etape_et_prestation(departements):
    jour = dt.date(2024, 12, 31)
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 12, 20), date_recevable=None)
    DemandeFactory(
        departement_id="58", date_depot=dt.date(2024, 11, 1), prestation="pch", famille="pch"
    )
    DemandeFactory(
        departement_id="58",
        date_depot=dt.date(2024, 10, 1),
        date_evaluation=dt.date(2024, 12, 1),
    )
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 3, 1), decidee=True)

    stock = stock_par_etape(departement="58", jour=jour)

    assert stock == {("depose", "aah"): 1, ("recevable", "pch"): 1, ("evaluee", "aah"): 1}
    _, lignes = tableau_stock(stock)
    assert lignes[-1] == ["Toutes prestations", 0, 1, 1, 1, 3]
    debit = debit_mesure(departement="58", jour=jour, etp=2)
    assert (debit.stock, debit.entrees_mois * 12, debit.sorties_mois * 12) == (3, 4, 1)


def test_la_page_du_stock_simule_les_renforts_et_ecrit_sa_formule(cd58, departements):
    for mois in range(1, 13):
        DemandeFactory(
            departement_id="58", date_depot=dt.date(2024, mois, 2), decidee=True, jours=20
        )
    DemandeFactory.create_batch(6, departement_id="58", date_depot=dt.date(2024, 12, 10))
    url = reverse("accompagnement:stock", args=["58"])

    page = cd58.get(url, {"etp": "1", "agents": "3", "mois": "12", "delai_cible": "1"})

    texte = page.content.decode()
    assert "loi de Little" in texte
    assert "Le stock atteint la cible de 1 demande(s) en 2 mois, vers 03/2025." in texte
    assert cd58.get(url, {"etp": "zéro"}).status_code == 200


def test_la_liste_propose_d_ouvrir_un_dossier_pour_une_mdph_signalee(cd58, departements):
    from pilotage.barometres import importer_barometre
    from pilotage.tests.conftest import DONNEES

    importer_barometre(chemin=DONNEES / "extrait_ditp_ind-297_14_24_58.csv")
    importer_barometre(
        chemin=DONNEES / "extrait_etalab_dmt_aah_14_24_58.csv", indicateur="etalab-dmt-aah"
    )
    admin = cd58  # le Département de la Nièvre ne voit que la Nièvre, qui n'est pas signalée
    assert (
        "Aucune MDPH de votre territoire"
        in admin.get(reverse("accompagnement:liste")).content.decode()
    )


def test_la_cnsa_voit_les_mdph_signalees_et_le_lien_pour_ouvrir(connecte, departements):
    from pilotage.barometres import importer_barometre
    from pilotage.tests.conftest import DONNEES

    importer_barometre(chemin=DONNEES / "extrait_ditp_ind-297_14_24_58.csv")
    importer_barometre(
        chemin=DONNEES / "extrait_etalab_dmt_aah_14_24_58.csv", indicateur="etalab-dmt-aah"
    )
    client = connecte(role_de_pilotage(nationale=True))

    page = client.get(reverse("accompagnement:liste")).content.decode()

    assert (
        "MDPH 24 en difficulté en 2023 d&#x27;après le baromètre publié (DITP 2022, DITP 2023)"
        in page
    )
    assert reverse("accompagnement:ouvrir", args=["24"]) in page


def test_l_evaluation_lit_aussi_le_delai_publie_avant_et_depuis(departements):
    from accompagnement.selectors import evaluation_publiee
    from pilotage.barometres import importer_barometre
    from pilotage.tests.conftest import DONNEES

    importer_barometre(chemin=DONNEES / "extrait_ditp_ind-297_14_24_58.csv")
    importer_barometre(
        chemin=DONNEES / "extrait_etalab_dmt_aah_14_24_58.csv", indicateur="etalab-dmt-aah"
    )

    avant, apres = evaluation_publiee(departement="24", debut=dt.date(2022, 1, 15))

    assert (avant.annee, avant.delai_mois, avant.source) == (2021, 7.8, "Etalab")
    assert (apres.annee, apres.delai_mois, apres.source) == (2023, 7.0, "DITP")


def test_un_renfort_du_dossier_pre_remplit_la_simulation_sans_erreur(cd58, dossier):
    url = reverse("accompagnement:stock", args=["58"])
    DemandeFactory(departement_id="58", date_depot=dt.date(2024, 12, 1))

    page = cd58.get(url, {"agents": "2.0", "mois": "6"}).content.decode()

    assert 'name="agents" value="2.0"' in page
    assert "errorlist" not in page


def test_l_evaluation_lit_aussi_la_satisfaction_des_usagers_avant_et_depuis(departements, settings):
    from satisfaction.models import Origine
    from satisfaction.services import enregistrer_reponse
    from satisfaction.tests.conftest import creer_version_1

    settings.SATISFACTION_SEUIL_PUBLICATION = 3
    version = creer_version_1()
    for mois, niveaux in (
        (dt.date(2023, 5, 1), ["satisfait", "insatisfait", "tres_insatisfait", "satisfait"]),
        (dt.date(2024, 9, 1), ["satisfait", "tres_satisfait"]),
    ):
        for niveau in niveaux:
            enregistrer_reponse(
                version=version,
                departement=departements[0],
                valeurs={
                    "pour_qui": "moi",
                    "motifs": ["aah"],
                    "etat": "decision",
                    "globale": niveau,
                },
                texte_libre="",
                origine=Origine.EN_LIGNE,
                mois=mois,
            )
    avant, depuis = evaluation_satisfaction(departement="58", debut=dt.date(2024, 7, 1))

    assert (avant.annee, avant.taux, avant.repondants) == (2023, 50.0, 4)
    assert (depuis.annee, depuis.taux, depuis.repondants) == (2024, None, 2)  # sous le seuil
