"""Ce que l'écriture en masse de l'import FINESS laisse derrière elle : une ligne d'historique
par fiche créée ou changée (source « finess », ancien → nouveau par `diff_against`), aucune
pour une fiche inchangée ; et un index de recherche identique à celui que `reindexer`
reconstruit en relisant la base (docs/adr/0007-une-porte-pour-les-fiches.md)."""

from pathlib import Path

import pytest
from django.db import connection

from echanges.finess import importer_finess
from repertoire.models import IndexService, Lieu, PointService, Service, Structure
from repertoire.recherche.index import indexer_services

DONNEES = Path(__file__).parent / "data"
REELS = DONNEES / "finess_reels.csv"
NIEVRE = Path(__file__).parent.parent / "donnees" / "finess_58_2021-01.csv"
MODELES = (Structure, Lieu, Service)

pytestmark = pytest.mark.django_db


def copie_renommee(tmp_path: Path, ancien: str, nouveau: str) -> Path:
    texte = REELS.read_bytes().decode("iso-8859-1").replace(ancien, nouveau)
    chemin = tmp_path / "etalab-cs1100507-stock-20210108-0428.csv"
    chemin.write_bytes(texte.encode("iso-8859-1"))
    return chemin


def lignes_d_historique() -> dict[type, int]:
    return {modele: modele.history.count() for modele in MODELES}


def test_un_import_laisse_une_ligne_d_historique_de_creation_par_fiche():
    importer_finess(REELS)

    for modele in MODELES:
        fiches = modele.objects.count()
        assert modele.history.filter(history_type="+", history_change_reason="finess").count()
        assert modele.history.count() == fiches, modele
        assert modele.history.values("id").distinct().count() == fiches, modele
    service = Service.objects.get(lieux__finess_et="2A0000253")
    creation = service.history.get()
    assert set(creation.besoins.values_list("besoin__slug", flat=True)) == {"ehpad"}


def test_un_reimport_identique_n_ecrit_aucun_historique():
    importer_finess(REELS)
    avant = lignes_d_historique()

    importer_finess(REELS)

    assert lignes_d_historique() == avant


def test_un_etablissement_change_a_une_seule_ligne_d_historique_qui_dit_ancien_et_nouveau(
    tmp_path,
):
    importer_finess(REELS)
    avant = lignes_d_historique()

    importer_finess(copie_renommee(tmp_path, "EHPAD LE CISTE", "EHPAD LE CISTE FLEURI"))

    service = Service.objects.get(lieux__finess_et="2A0000253")
    lieu = Lieu.objects.get(finess_et="2A0000253")
    for fiche in (service, lieu):
        nouvelle, precedente = fiche.history.all()[:2]
        assert (nouvelle.history_type, nouvelle.history_change_reason) == ("~", "finess")
        assert nouvelle.version == precedente.version + 1 == fiche.version
        diff = nouvelle.diff_against(precedente)
        assert diff.changed_fields == ["nom"]
        (changement,) = diff.changes
        assert (changement.old, changement.new) == ("EHPAD LE CISTE", "EHPAD LE CISTE FLEURI")
    apres = lignes_d_historique()
    # Sa structure ne prend jamais le nom d'un établissement (ADR 0014) : elle ne change pas.
    assert service.structure.nom == "Organisme gestionnaire (FINESS juridique 2A0003687)"
    assert {m: apres[m] - avant[m] for m in MODELES} == {Structure: 0, Lieu: 1, Service: 1}


def test_un_telephone_change_change_la_version_du_service_et_pas_celle_du_lieu(tmp_path):
    importer_finess(REELS)
    service = Service.objects.get(lieux__finess_et="350000253")
    avant = lignes_d_historique()

    importer_finess(copie_renommee(tmp_path, ";0299589578;", ";0299589579;"))

    service.refresh_from_db()
    assert service.version == 2
    assert service.contacts.get(libelle="Accueil").telephone == "02 99 58 95 79"
    apres = lignes_d_historique()
    assert {m: apres[m] - avant[m] for m in MODELES} == {Structure: 0, Lieu: 0, Service: 1}


def etat_de_l_index() -> dict[str, set]:
    """L'index tel que le moteur le lit : fiches, points, et les tables propres à la base."""
    etat = {
        "fiches": set(
            IndexService.objects.values_list(
                "service_id", "nom", "texte", "cles", "joignable_partout"
            )
        ),
        "points": set(
            PointService.objects.values_list("service_id", "lieu_id", "latitude", "longitude")
        ),
    }
    with connection.cursor() as curseur:
        curseur.execute("SELECT mot FROM recherche_mot")
        etat["mots"] = set(curseur.fetchall())
        if connection.vendor == "sqlite":
            curseur.execute("SELECT rowid, nom, texte, cles FROM recherche_fts")
            etat["fts"] = set(curseur.fetchall())
            curseur.execute("SELECT service_id, latitude, longitude FROM recherche_points")
            etat["rtree"] = set(curseur.fetchall())
        else:
            curseur.execute(
                "SELECT service_id, document::text, cles_document::text "
                "FROM repertoire_indexservice"
            )
            etat["tsvector"] = set(curseur.fetchall())
    return etat


@pytest.mark.parametrize("fichier", [REELS, NIEVRE], ids=["reels", "nievre"])
def test_l_index_ecrit_par_l_import_est_celui_que_reindexer_reconstruit(fichier):
    importer_finess(fichier)
    par_l_import = etat_de_l_index()
    assert par_l_import["fiches"] and par_l_import["points"]

    indexer_services()

    assert etat_de_l_index() == par_l_import


def test_apres_une_mise_a_jour_l_index_est_encore_celui_que_reindexer_reconstruit(tmp_path):
    importer_finess(REELS)
    importer_finess(copie_renommee(tmp_path, "EHPAD LE CISTE", "EHPAD LE CISTE FLEURI"))
    par_l_import = etat_de_l_index()

    indexer_services()

    assert etat_de_l_index() == par_l_import
    assert any("fleuri" in nom for _, nom, *_ in par_l_import["fiches"])
