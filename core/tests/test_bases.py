"""Qui lit où : les règles du choix de la base de lecture, sans réplique réelle.

La preuve sur une vraie seconde base (ce qu'une réplique en retard montre, et à qui) est
dans `repertoire/tests/test_repliques.py`, que la CI lance avec DATABASE_REPLICA_URL.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from core.bases import (
    TEMOIN_ECRITURE,
    LecturesSurRepliqueMiddleware,
    RouteurDesLectures,
    alias_de_lecture,
    base_de_lecture,
    lire_sur,
)
from core.memoire import Memoire
from repertoire.models import Service, Structure

REPLIQUE = "replique_1"


@pytest.fixture
def avec_replique(settings):
    settings.REPLIQUES_EN_LECTURE = [REPLIQUE]


@pytest.fixture
def sans_replique(settings):
    settings.REPLIQUES_EN_LECTURE = []


def requete(methode: str = "get", chemin: str = "/recherche/", connectee: bool = False, **extra):
    demande = getattr(RequestFactory(), methode)(chemin, **extra)
    demande.user = User(username="gestionnaire") if connectee else AnonymousUser()
    return demande


def test_sans_replique_toute_lecture_reste_sur_la_base_principale(sans_replique):
    assert base_de_lecture(requete()) == DEFAULT_DB_ALIAS


def test_sans_replique_le_middleware_se_retire_de_la_chaine(sans_replique):
    with pytest.raises(MiddlewareNotUsed):
        LecturesSurRepliqueMiddleware(lambda demande: HttpResponse())


@pytest.mark.parametrize(
    "chemin",
    ["/recherche/", "/services/12/", "/structures/3/ccas/", "/api/v1/services/recherche"],
)
def test_une_lecture_publique_anonyme_va_sur_une_replique(avec_replique, chemin):
    assert base_de_lecture(requete(chemin=chemin)) == REPLIQUE
    assert base_de_lecture(requete("head", chemin=chemin)) == REPLIQUE


@pytest.mark.parametrize(
    "chemin", ["/", "/compte/connexion/", "/pilotage/", "/api/v1/pro/services", "/admin/"]
)
def test_une_page_hors_des_lectures_publiques_reste_sur_la_principale(avec_replique, chemin):
    assert base_de_lecture(requete(chemin=chemin)) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("methode", ["post", "put", "patch", "delete", "options"])
def test_une_requete_qui_n_est_pas_une_lecture_reste_sur_la_principale(avec_replique, methode):
    assert base_de_lecture(requete(methode)) == DEFAULT_DB_ALIAS


def test_une_personne_connectee_lit_sur_la_principale(avec_replique):
    assert base_de_lecture(requete(connectee=True)) == DEFAULT_DB_ALIAS


def test_un_navigateur_qui_vient_d_ecrire_lit_sur_la_principale(avec_replique):
    demande = requete()
    demande.COOKIES[TEMOIN_ECRITURE] = "1"

    assert base_de_lecture(demande) == DEFAULT_DB_ALIAS


def test_une_ecriture_pose_un_temoin_court_et_une_lecture_n_en_pose_pas(avec_replique, settings):
    settings.REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES = 7
    middleware = LecturesSurRepliqueMiddleware(lambda demande: HttpResponse())

    temoin = middleware(requete("post")).cookies[TEMOIN_ECRITURE]

    assert temoin["max-age"] == 7
    assert temoin["httponly"] and temoin["samesite"] == "Lax"
    assert TEMOIN_ECRITURE not in middleware(requete()).cookies


def test_la_base_choisie_vaut_pour_la_vue_et_seulement_pendant_la_requete(avec_replique):
    vues = []
    middleware = LecturesSurRepliqueMiddleware(
        lambda demande: vues.append(alias_de_lecture()) or HttpResponse()
    )

    middleware(requete())
    middleware(requete("post"))

    assert vues == [REPLIQUE, DEFAULT_DB_ALIAS]
    assert alias_de_lecture() == DEFAULT_DB_ALIAS  # les commandes lisent sur la principale


def test_hors_requete_le_routeur_lit_sur_la_principale():
    assert RouteurDesLectures().db_for_read(Service) == DEFAULT_DB_ALIAS


def test_les_ecritures_vont_toujours_sur_la_principale():
    with lire_sur(REPLIQUE):
        assert RouteurDesLectures().db_for_read(Service) == REPLIQUE
        assert RouteurDesLectures().db_for_write(Service) == DEFAULT_DB_ALIAS


def test_sessions_et_comptes_se_lisent_toujours_sur_la_principale():
    with lire_sur(REPLIQUE):
        assert RouteurDesLectures().db_for_read(Session) == DEFAULT_DB_ALIAS
        assert RouteurDesLectures().db_for_read(User) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_une_lecture_dans_une_transaction_se_fait_sur_la_principale():
    with lire_sur(REPLIQUE), transaction.atomic():
        assert alias_de_lecture() == DEFAULT_DB_ALIAS
        assert RouteurDesLectures().db_for_read(Service) == DEFAULT_DB_ALIAS


def test_seule_la_principale_recoit_les_migrations():
    routeur = RouteurDesLectures()

    assert routeur.allow_migrate(DEFAULT_DB_ALIAS, "repertoire") is True
    assert routeur.allow_migrate(REPLIQUE, "repertoire") is False


def test_un_objet_lu_sur_une_replique_peut_etre_lie_a_un_objet_de_la_principale(avec_replique):
    lue, neuve = Structure(nom="CCAS"), Service(nom="Portage")
    lue._state.db, neuve._state.db = REPLIQUE, DEFAULT_DB_ALIAS

    assert RouteurDesLectures().allow_relation(lue, neuve) is True
    lue._state.db = "autre"
    assert RouteurDesLectures().allow_relation(lue, neuve) is None


def test_les_referentiels_gardes_en_memoire_se_calculent_sur_la_principale():
    lus_sur = Memoire(lambda: alias_de_lecture())

    with lire_sur(REPLIQUE):
        assert lus_sur() == DEFAULT_DB_ALIAS
