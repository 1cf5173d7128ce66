"""Répliques en lecture, sur une vraie seconde base : qui voit quoi quand la réplique a du retard.

La réplique devient ici une base distincte, copie de la principale prise à un instant (comme
une réplique en flux qui n'aurait pas encore reçu la suite) : une fiche publiée ensuite n'est
que sur la principale. On sait donc, à ce qu'une page montre, quelle base l'a servie ; et
`CaptureQueriesContext` dit quelles requêtes SQL chaque base a reçues.

Ne tourne qu'avec DATABASE_REPLICA_URL (la CI le pose pour ce fichier, voir docs/tests.md) :
sans réplique, il n'y a rien à router. Transactionnel : la copie ne voit que ce qui est validé.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptes.tests.factories import UtilisateurFactory
from core.bases import TEMOIN_ECRITURE, lire_sur
from repertoire.models import Service, Structure
from repertoire.recherche import Critere, rechercher
from repertoire.recherche.index import indexer_services
from repertoire.services import synchroniser_referentiels
from repertoire.tests.factories import LieuFactory, ServiceFactory

REPLIQUES = settings.REPLIQUES_EN_LECTURE
# La remise à zéro de fin de test épargne les communes (les recharger coûte 6 s).
APPLICATIONS_REMISES_A_ZERO = [
    config.name for config in django_apps.get_app_configs() if config.name != "territoires"
]

pytestmark = [
    pytest.mark.skipif(not REPLIQUES, reason="sans DATABASE_REPLICA_URL, rien à router"),
    pytest.mark.django_db(
        transaction=True, databases="__all__", available_apps=APPLICATIONS_REMISES_A_ZERO
    ),
]
NEVERS = (46.9908, 3.1593)


@contextmanager
def replique_en_retard(alias: str) -> Iterator[None]:
    """La réplique (le miroir de la base de test) devient une base distincte : une copie de la
    principale prise maintenant, qui ne recevra pas les écritures suivantes."""
    principale, replique = connections[DEFAULT_DB_ALIAS], connections[alias]
    nom = replique.settings_dict["NAME"]
    replique.close()
    if principale.vendor == "postgresql":
        # CREATE DATABASE … TEMPLATE : le clonage des bases de test de Django (tests en
        # parallèle) ; il exige qu'aucune autre session ne soit connectée à la base copiée.
        principale.creation.clone_test_db(suffix="replique", verbosity=0)
        copie = principale.creation.get_test_db_clone_settings("replique")["NAME"]
        tenue = None
    else:
        copie = f"file:memorydb_{alias}_en_retard?mode=memory&cache=shared"
        tenue = sqlite3.connect(copie, uri=True)  # la base en mémoire vit tant qu'elle est ouverte
        principale.ensure_connection()
        principale.connection.backup(tenue)
    replique.settings_dict["NAME"] = copie
    try:
        yield
    finally:
        replique.close()
        replique.settings_dict["NAME"] = nom
        if tenue is not None:
            tenue.close()
        else:
            principale.creation.destroy_test_db(verbosity=0, suffix="replique")


def publier(nom: str) -> Service:
    service = ServiceFactory(nom=nom)
    service.lieux.add(
        LieuFactory(structure=service.structure, latitude=NEVERS[0], longitude=NEVERS[1])
    )
    # Tout l'index, reconstruit : la remise à zéro d'un test transactionnel précédent ne vide
    # pas les tables de l'index plein texte, qui ne sont pas des modèles.
    indexer_services()
    return service


@pytest.fixture
def bases(settings) -> Iterator[tuple[Service, Service]]:
    """(ancienne, nouvelle) : l'ancienne est sur les deux bases, la nouvelle, publiée après
    la copie, seulement sur la principale."""
    settings.API_LIMITE_PAR_MINUTE = 0
    synchroniser_referentiels()  # un test transactionnel précédent a pu vider le thésaurus
    ancienne = publier("Tilleuls ancienne fiche")
    with replique_en_retard(REPLIQUES[0]):
        yield ancienne, publier("Tilleuls nouvelle fiche")


def noms_trouves(client: Client, adresse: str = "/recherche/?q=tilleuls") -> set[str]:
    contenu = client.get(adresse).content.decode()
    return {nom for nom in ("Tilleuls ancienne fiche", "Tilleuls nouvelle fiche") if nom in contenu}


def lit_index_et_fiches(requetes: list[dict]) -> tuple[bool, bool]:
    lectures = [r["sql"] for r in requetes if r["sql"].lstrip().upper().startswith("SELECT")]
    index = any(
        table in sql
        for sql in lectures
        for table in ("recherche_mot", "recherche_fts", "repertoire_indexservice")
    )
    return index, any('FROM "repertoire_service"' in sql for sql in lectures)


def test_une_recherche_anonyme_est_servie_par_la_replique(bases):
    with (
        CaptureQueriesContext(connections[REPLIQUES[0]]) as sur_la_replique,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as sur_la_principale,
    ):
        assert noms_trouves(Client()) == {"Tilleuls ancienne fiche"}

    # Le moteur (SQL brut : vocabulaire, index plein texte) et le chargement des fiches
    # (ORM) lisent sur la réplique ; la principale n'en reçoit aucune lecture.
    assert lit_index_et_fiches(sur_la_replique.captured_queries) == (True, True)
    assert lit_index_et_fiches(sur_la_principale.captured_queries) == (False, False)


def test_l_api_publique_anonyme_est_servie_par_la_replique(bases):
    reponse = Client().get("/api/v1/services/recherche?q=tilleuls")

    assert [r["service"]["nom"] for r in reponse.json()["resultats"]] == ["Tilleuls ancienne fiche"]


def test_une_fiche_publiee_a_l_instant_n_est_pas_encore_sur_la_replique(bases):
    ancienne, nouvelle = bases
    client = Client()

    assert client.get(f"/services/{ancienne.pk}/").status_code == 301
    assert client.get(f"/services/{nouvelle.pk}/").status_code == 404
    client.cookies[TEMOIN_ECRITURE] = "1"  # celui qui vient de la publier la voit
    assert client.get(f"/services/{nouvelle.pk}/").status_code == 301


def test_une_personne_connectee_lit_sur_la_principale(bases):
    client = Client()
    client.force_login(UtilisateurFactory())

    assert noms_trouves(client) == {"Tilleuls ancienne fiche", "Tilleuls nouvelle fiche"}


def test_le_navigateur_qui_vient_d_ecrire_lit_sur_la_principale(bases):
    client = Client()
    client.cookies[TEMOIN_ECRITURE] = "1"

    assert noms_trouves(client) == {"Tilleuls ancienne fiche", "Tilleuls nouvelle fiche"}


def test_hors_requete_et_dans_une_transaction_on_lit_sur_la_principale(bases):
    _, nouvelle = bases
    with lire_sur(REPLIQUES[0]):
        assert not Service.objects.filter(pk=nouvelle.pk).exists()
        assert [r.service.nom for r in rechercher(Critere(q="tilleuls")).resultats] == [
            "Tilleuls ancienne fiche"
        ]
        with transaction.atomic():
            assert Service.objects.filter(pk=nouvelle.pk).exists()
    assert Service.objects.filter(pk=nouvelle.pk).exists()  # une commande, un script


def test_un_objet_lu_sur_la_replique_se_modifie_et_se_lie_sur_la_principale(bases):
    ancienne, _ = bases
    with lire_sur(REPLIQUES[0]):
        structure = Structure.objects.get(pk=ancienne.structure_id)
    assert structure._state.db == REPLIQUES[0]

    structure.nom = "CCAS renommé"
    structure.save()
    liee = ServiceFactory(nom="Portage de repas", structure=structure)

    assert Structure.objects.using(DEFAULT_DB_ALIAS).get(pk=structure.pk).nom == "CCAS renommé"
    assert Structure.objects.using(REPLIQUES[0]).get(pk=structure.pk).nom != "CCAS renommé"
    assert Service.objects.using(DEFAULT_DB_ALIAS).filter(pk=liee.pk).exists()
    assert not Service.objects.using(REPLIQUES[0]).filter(pk=liee.pk).exists()
