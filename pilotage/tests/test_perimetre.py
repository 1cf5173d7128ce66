"""Pilotage par territoire : chaque rôle voit les données des demandes de son territoire, les
valeurs publiées de tout le déploiement, et rien hors du déploiement (docs/adr/0008)."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from comptes.models import TypeInstitution, TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory
from pilotage.acces import departements_visibles
from pilotage.agregation import agreger_activite
from pilotage.generation import generer_activite
from pilotage.models import Indicateur, ValeurBarometre
from pilotage.priorites import synchroniser_priorites
from pilotage.tests.conftest import role_de_pilotage
from pilotage.tests.factories import DemandeFactory
from territoires.models import Departement

PAGES_D_UN_DEPARTEMENT = (
    "/pilotage/mdph/{}/activite/",
    "/pilotage/mdph/{}/activite/tableaux/flux.xlsx",
    "/pilotage/mdph/{}/tableaux/delai-global.csv",
    "/pilotage/rapports/{}/2024/",
    "/pilotage/rapports/{}/2024/rapport.pdf",
)


@pytest.fixture
def deux_departements(settings, db):
    """Un déploiement sur la Nièvre et l'Yonne ; de l'activité aussi en Côte-d'Or (hors du
    déploiement, même région) ; une valeur publiée pour chacun des trois."""
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"
    generer_activite(departements=["58", "89", "21"], annees=[2023, 2024], graine=3,
                     taux_pour_mille=2)  # fmt: skip
    agreger_activite()
    synchroniser_priorites()
    ind = Indicateur.objects.get(code="IND-296")
    for code, valeur in (("58", 5.1), ("89", 6.2), ("21", 7.3)):
        ValeurBarometre.objects.create(
            indicateur=ind, maille="DEPT", territoire=code, annee=2023, trimestre=4, valeur=valeur
        )


def mdph_nievre() -> User:
    return role_de_pilotage(type=TypeInstitution.MDPH, nom="MDPH de la Nièvre")


def ars_bfc() -> User:
    return role_de_pilotage(regionale=True, nom="ARS Bourgogne-Franche-Comté")


def cnsa() -> User:
    return role_de_pilotage(nationale=True, nom="CNSA")


def _codes_du_classement(client) -> set[str]:
    lignes = client.get("/pilotage/classement/tableaux/classement.csv?annee=2024")
    return {ligne.split(";")[2] for ligne in lignes.content.decode("utf-8-sig").splitlines()[1:]}


# ---------------------------------------------------------------- accès


def test_un_visiteur_anonyme_du_pilotage_est_renvoye_vers_la_connexion(client, deux_departements):
    for url in ("/pilotage/", "/pilotage/mdph/58/activite/", "/pilotage/rapports/branche/2024/"):
        assert client.get(url)["Location"].startswith("/pilotage/connexion/?next=")


@pytest.mark.parametrize("type_role", [TypeRole.PROFESSIONNEL, TypeRole.MODERATEUR])
def test_un_role_sans_droit_de_pilotage_recoit_une_page_de_refus_en_francais(
    connecte, deux_departements, type_role
):
    utilisateur = RoleFactory(type=type_role).utilisateur
    reponse = connecte(utilisateur).get("/pilotage/")
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


def test_l_ancienne_permission_du_modele_ne_donne_plus_le_pilotage(connecte, deux_departements):
    from django.contrib.auth.models import Permission

    utilisateur = User.objects.create_user("ancien", password="mot-de-passe-long")
    utilisateur.user_permissions.add(Permission.objects.get(codename="view_agregattrimestriel"))
    assert connecte(utilisateur).get("/pilotage/").status_code == 403


# ---------------------------------------------------------------- déploiement sur 58 et 89


def test_la_mdph_de_la_nievre_voit_la_nievre_et_pas_l_yonne(connecte, deux_departements):
    client = connecte(mdph_nievre())
    assert departements_visibles(mdph_nievre()) == {"58"}
    accueil = client.get("/pilotage/").content.decode()
    assert "/pilotage/mdph/58/activite/" in accueil and "/pilotage/mdph/89/" not in accueil
    for url in PAGES_D_UN_DEPARTEMENT:
        assert client.get(url.format("58")).status_code == 200, url
        reponse = client.get(url.format("89"))
        assert reponse.status_code == 403, url
        assert "Accès refusé" in reponse.content.decode()
    assert _codes_du_classement(client) == {"58"}


def test_un_conseil_departemental_voit_les_demandes_de_son_departement(connecte, deux_departements):
    client = connecte(role_de_pilotage(type=TypeInstitution.CONSEIL_DEPARTEMENTAL))
    assert client.get("/pilotage/mdph/58/activite/").status_code == 200
    assert client.get("/pilotage/mdph/89/activite/").status_code == 403


def test_l_ars_de_bourgogne_franche_comte_voit_58_et_89_mais_pas_21_hors_deploiement(
    connecte, deux_departements
):
    client = connecte(ars_bfc())
    assert departements_visibles(ars_bfc()) == {"58", "89"}
    for code in ("58", "89"):
        assert client.get(f"/pilotage/mdph/{code}/activite/").status_code == 200
    assert client.get("/pilotage/mdph/21/").status_code == 404
    assert client.get("/pilotage/mdph/21/activite/").status_code == 404
    assert client.get("/pilotage/rapports/21/2024/").status_code == 404
    assert _codes_du_classement(client) == {"58", "89"}


def test_la_cnsa_voit_les_deux_departements_du_deploiement(connecte, deux_departements):
    client = connecte(cnsa())
    assert departements_visibles(cnsa()) == {"58", "89"}
    assert _codes_du_classement(client) == {"58", "89"}
    accueil = client.get("/pilotage/").content.decode()
    assert "/pilotage/mdph/58/" in accueil and "/pilotage/mdph/89/" in accueil
    assert "/pilotage/mdph/21/" not in accueil


def test_un_deploiement_national_montre_tout_a_la_cnsa(connecte, deux_departements, settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    assert departements_visibles(cnsa()) is None
    assert _codes_du_classement(connecte(cnsa())) == {"58", "89", "21"}
    assert departements_visibles(ars_bfc()) >= {"58", "89", "21"}


# ---------------------------------------------------------------- valeurs publiées


def test_la_mdph_de_la_nievre_voit_les_valeurs_publiees_de_l_yonne_et_pas_ses_demandes(
    connecte, deux_departements
):
    client = connecte(mdph_nievre())
    reponse = client.get("/pilotage/mdph/89/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "ne montre que les valeurs publiées" in contenu
    assert 'id="tableau-publie-ind-296"' in contenu
    assert 'id="tableau-delai-global"' not in contenu and "Activité de la MDPH" not in contenu
    assert client.get("/pilotage/mdph/89/tableaux/publie-ind-296.csv").status_code == 200
    assert client.get("/pilotage/mdph/89/tableaux/delai-global.csv").status_code == 403
    propre = client.get("/pilotage/mdph/58/").content.decode()
    assert 'id="tableau-delai-global"' in propre and "données des demandes" in propre


def test_une_priorite_montre_les_valeurs_publiees_du_deploiement_et_les_demandes_du_territoire(
    connecte, deux_departements
):
    contenu = connecte(mdph_nievre()).get("/pilotage/priorites/5/?annee=2024").content.decode()
    publie = contenu[contenu.index('id="tableau-ind-296"') :]
    publie = publie[: publie.index("</table>")]
    assert "<td>58</td>" in publie and "<td>89</td>" in publie and "<td>21</td>" not in publie
    calcule = contenu[contenu.index('id="tableau-delai-global"') :]
    calcule = calcule[: calcule.index("</table>")]
    assert "<td>58</td>" in calcule and "<td>89</td>" not in calcule
    assert "indicateur publié" in contenu


def test_les_alertes_publiees_couvrent_le_deploiement_et_les_calculees_le_territoire(
    connecte, deux_departements
):
    for annee in (2022, 2023, 2024):  # 2022 : l'année de rodage, non jugée
        for departement in ("58", "89"):
            DemandeFactory(
                departement=Departement.objects.get(code=departement),
                decidee=True,
                jours=400,
                date_depot=dt.date(annee, 1, 5),
            )
    agreger_activite()
    ind = Indicateur.objects.get(code="IND-296")
    for code in ("89", "21"):  # une série publiée avec un trimestre aberrant
        for i, valeur in enumerate([4.0, 4.1, 3.9, 4.0, 4.2, 3.8, 4.0, 15.0]):
            ValeurBarometre.objects.update_or_create(
                indicateur=ind, maille="DEPT", territoire=code, annee=2021 + i // 4,
                trimestre=i % 4 + 1, defaults={"valeur": valeur},
            )  # fmt: skip
    csv_ = connecte(mdph_nievre()).get("/pilotage/alertes/tableaux/alertes.csv?annee=2024")
    lignes = [ligne.split(";") for ligne in csv_.content.decode("utf-8-sig").splitlines()[1:]]
    calculees = {ligne[1] for ligne in lignes if not ligne[4].startswith("IND-")}
    publiees = {ligne[1] for ligne in lignes if ligne[4].startswith("IND-")}
    assert "58" in calculees and "89" not in calculees
    assert publiees == {"89"}


# ---------------------------------------------------------------- rapport de branche


def test_le_rapport_de_branche_est_reserve_aux_roles_nationaux(connecte, deux_departements):
    assert connecte(ars_bfc()).get("/pilotage/rapports/branche/2024/").status_code == 403
    assert connecte(mdph_nievre()).get("/pilotage/rapports/branche/2024/").status_code == 403
    assert "Rapport de branche" not in connecte(ars_bfc()).get("/pilotage/").content.decode()
    reponse = connecte(cnsa()).get("/pilotage/rapports/branche/2024/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    tableau = contenu[contenu.index('id="tableau-departements"') :]
    assert "<td>58</td>" in tableau and "<td>89</td>" in tableau and "<td>21</td>" not in tableau
    assert "départements de ce déploiement" in contenu


def test_un_superutilisateur_voit_chaque_page(connecte, deux_departements):
    client = connecte(User.objects.create_superuser("verification", "v@exemple.fr", "x" * 12))
    for url in ("/pilotage/", "/pilotage/rapports/branche/2024/", "/pilotage/mdph/89/activite/"):
        assert client.get(url).status_code == 200, url


# ---------------------------------------------------------------- requêtes


def test_les_departements_visibles_se_calculent_en_quelques_requetes(
    deux_departements, settings, django_assert_max_num_queries
):
    settings.AUTONOMIE_TERRITOIRE = "national"
    ars = ars_bfc()
    with django_assert_max_num_queries(4):
        visibles = departements_visibles(ars)
    assert len(visibles) == 8  # les huit départements de Bourgogne-Franche-Comté


def test_l_accueil_ne_lit_pas_les_departements_un_par_un(connecte, deux_departements, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.AUTONOMIE_TERRITOIRE = "national"
    requetes = []
    for utilisateur in (mdph_nievre(), ars_bfc()):  # un département, puis huit
        client = connecte(utilisateur)
        with CaptureQueriesContext(connection) as lues:
            assert client.get("/pilotage/").status_code == 200
        requetes.append(len(lues))
    assert requetes[0] == requetes[1]


def test_une_institution_intercommunale_ne_voit_aucun_departement(deux_departements):
    clic = RoleFactory(
        type=TypeRole.PILOTAGE, institution=InstitutionFactory(intercommunale=True)
    ).utilisateur
    assert departements_visibles(clic) == frozenset()


# ---------------------------------------------------------------- démonstration


def test_la_demo_cree_un_compte_de_pilotage_par_territoire(db, settings, monkeypatch):
    from pilotage.demo import creer_comptes_pilotage_demo

    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "un-mot-de-passe-de-test")
    settings.DEBUG = True
    crees, mot_de_passe = creer_comptes_pilotage_demo()
    assert crees == ["pilotage-mdph58", "pilotage-ars-bfc", "pilotage-cnsa"]
    assert mot_de_passe is None
    comptes = {u.username: u for u in User.objects.filter(username__in=crees)}
    assert departements_visibles(comptes["pilotage-mdph58"]) == {"58"}
    assert "89" in departements_visibles(comptes["pilotage-ars-bfc"])
    assert departements_visibles(comptes["pilotage-cnsa"]) is None
    assert comptes["pilotage-cnsa"].check_password("un-mot-de-passe-de-test")
    assert creer_comptes_pilotage_demo() == ([], None)


def test_la_demo_ne_cree_aucun_compte_hors_developpement(db, settings):
    from pilotage.demo import creer_comptes_pilotage_demo

    settings.DEBUG = False
    assert creer_comptes_pilotage_demo() == ([], None)
    assert not User.objects.filter(username__startswith="pilotage-").exists()
