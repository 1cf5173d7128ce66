"""Noms des fiches FINESS (issue 13, § 5 ; ADR 0014) : guillemets décodés, structure nommée par le
stock des entités juridiques quand il est fourni, jamais d'après un de ses établissements."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.imports import ErreursImport
from echanges.finess import decoder_guillemets, importer_finess, nom_neutre
from echanges.finess_ej import lire_entites_juridiques
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Lieu, Provenance, Service, Structure
from repertoire.recherche import Critere, rechercher

pytestmark = pytest.mark.django_db

DONNEES = Path(__file__).parent / "data"
REELS = DONNEES / "finess_reels.csv"
EJ_SSIAD = "750825846"  # gère le SSIAD d'Entrains-sur-Nohain et l'EHPAD du Haut Nohain
EJ_ARPAGE = "920030186"


def stock_ej(tmp_path: Path, *lignes: str, encodage: str = "iso-8859-1") -> Path:
    chemin = tmp_path / "etalab-cs1100501-stock-20210108-0426.csv"
    texte = "finess;etalab;100;2021-01-08\n" + "".join(f"{ligne}\n" for ligne in lignes)
    chemin.write_bytes(texte.encode(encodage))
    return chemin


def ligne_ej(ej: str, rs: str, rslongue: str = "") -> str:
    return f"structureej;{ej};{rs};{rslongue};;;;;;;;;58;NIÈVRE;58000 NEVERS;;;;;;"


def test_les_guillemets_doubles_du_stock_sont_decodes():
    assert decoder_guillemets('"MAS ""LES PERRIERS"""') == 'MAS "LES PERRIERS"'
    assert decoder_guillemets('"SAVS CLAMECY ""PRÉ LECOMTE"""') == 'SAVS CLAMECY "PRÉ LECOMTE"'
    assert decoder_guillemets("EHPAD LES ROSES") == "EHPAD LES ROSES"


def test_un_etablissement_au_nom_entre_guillemets_est_importe_decode(tmp_path):
    texte = (
        REELS.read_bytes()
        .decode("iso-8859-1")
        .replace(
            "EHPAD ARPAGE SAINT GENEST;EHPAD ARPAGE SAINT GENEST",
            '"EHPAD ""ARPAGE"" ST GENEST";"EHPAD ""ARPAGE"" ST GENEST"',
        )
    )
    chemin = tmp_path / "etalab-cs1100507-stock-20210108-0428.csv"
    chemin.write_bytes(texte.encode("iso-8859-1"))

    importer_finess(chemin)

    service = Service.objects.get(lieux__finess_et="580000768")
    assert service.nom == 'EHPAD "ARPAGE" ST GENEST'
    assert service.lieux.get().nom == 'EHPAD "ARPAGE" ST GENEST'


def test_sans_stock_des_ej_une_structure_ne_prend_jamais_le_nom_d_un_etablissement():
    importer_finess(REELS)

    structure = Structure.objects.get(finess_ej=EJ_SSIAD)
    assert (
        structure.nom
        == nom_neutre(EJ_SSIAD)
        == ("Organisme gestionnaire (FINESS juridique 750825846)")
    )
    noms_des_et = set(structure.services.values_list("nom", flat=True))
    assert noms_des_et == {"SSIAD ENTRAINS SUR NOHAIN", "EHPAD DU HAUT NOHAIN"}
    assert structure.nom not in noms_des_et


def test_le_stock_des_ej_nomme_les_structures_et_un_second_import_ne_change_rien(tmp_path):
    ej = stock_ej(
        tmp_path,
        ligne_ej(EJ_SSIAD, "ADMR ENTRAINS", "ASSOCIATION ADMR D'ENTRAINS SUR NOHAIN"),
        ligne_ej(EJ_ARPAGE, '"ARPAGE ""SANTE"""'),
    )
    raisons = lire_entites_juridiques(ej)

    importer_finess(REELS, raisons_sociales=raisons)
    version = Structure.objects.get(finess_ej=EJ_SSIAD).version
    rapport = importer_finess(REELS, raisons_sociales=raisons)

    ssiad = Structure.objects.get(finess_ej=EJ_SSIAD)
    assert ssiad.nom == "ASSOCIATION ADMR D'ENTRAINS SUR NOHAIN"
    assert ssiad.version == version
    assert Structure.objects.get(finess_ej=EJ_ARPAGE).nom == 'ARPAGE "SANTE"'
    assert rapport.mises_a_jour == 0
    # Une EJ absente du stock fourni garde un nom neutre.
    assert Structure.objects.get(finess_ej="210781266").nom == nom_neutre("210781266")


def test_un_import_sans_le_stock_des_ej_garde_la_raison_sociale_qu_il_a_donnee(tmp_path):
    raisons = lire_entites_juridiques(stock_ej(tmp_path, ligne_ej(EJ_SSIAD, "ADMR ENTRAINS")))
    importer_finess(REELS, raisons_sociales=raisons)

    rapport = importer_finess(REELS)

    assert Structure.objects.get(finess_ej=EJ_SSIAD).nom == "ADMR ENTRAINS"
    assert rapport.mises_a_jour == 0


def test_le_reimport_corrige_les_noms_pris_d_un_etablissement_par_l_ancienne_regle():
    importer_finess(REELS)
    # L'état laissé par l'ancienne règle : la structure porte le nom de son premier ET, les
    # empreintes ne couvrent pas les règles de nommage.
    ancien = "SSIAD ENTRAINS SUR NOHAIN"
    structure = Structure.objects.get(finess_ej=EJ_SSIAD)
    Structure.objects.filter(pk=structure.pk).update(nom=ancien)
    structure.provenances.update(empreinte=hashlib.sha256(ancien.encode()).hexdigest())
    Provenance.objects.filter(source="finess").exclude(identifiant=EJ_SSIAD).update(
        empreinte="ancienne"
    )

    importer_finess(REELS)

    assert Structure.objects.get(finess_ej=EJ_SSIAD).nom == nom_neutre(EJ_SSIAD)


def test_un_nom_corrige_par_une_personne_reste_au_reimport(tmp_path):
    importer_finess(REELS)
    structure = Structure.objects.get(finess_ej=EJ_SSIAD)
    agent = get_user_model().objects.create_user("agent", password="un-mot-de-passe-long")
    ecrire_fiches(
        changements=[Changement(structure, {"nom": "ADMR du Haut Nivernais"}, structure.version)],
        auteur=Auteur("administration", agent),
    )
    raisons = lire_entites_juridiques(stock_ej(tmp_path, ligne_ej(EJ_SSIAD, "ADMR ENTRAINS")))

    rapport = importer_finess(REELS, raisons_sociales=raisons)

    assert Structure.objects.get(finess_ej=EJ_SSIAD).nom == "ADMR du Haut Nivernais"
    assert any("ADMR ENTRAINS" in str(conflit) for conflit in rapport.conflits)


def test_un_stock_des_ej_mal_forme_est_refuse_ligne_par_ligne(tmp_path):
    ej = stock_ej(
        tmp_path,
        ligne_ej("750825840", "CLE FAUSSE"),
        ligne_ej(EJ_SSIAD, "ADMR"),
        ligne_ej(EJ_SSIAD, "ADMR BIS"),
        ligne_ej(EJ_ARPAGE, ""),
        "structureet;580000768;920030186;EHPAD",
    )

    with pytest.raises(ErreursImport) as erreur:
        lire_entites_juridiques(ej)

    messages = [str(e) for e in erreur.value.erreurs]
    assert messages == [
        f"{ej.name}, ligne 2, champ « nofinessej » : numéro FINESS invalide « 750825840 »",
        f"{ej.name}, ligne 4, champ « nofinessej » : entité {EJ_SSIAD} déjà décrite ligne 3",
        f"{ej.name}, ligne 5, champ « rs » : raison sociale vide",
        f"{ej.name}, ligne 6 : type d'enregistrement « structureet » au lieu de « structureej » "
        ": est-ce bien le stock des entités juridiques ?",
    ]


def test_la_commande_nomme_les_structures_et_refuse_un_stock_des_ej_mal_forme(tmp_path):
    bon = stock_ej(tmp_path, ligne_ej(EJ_SSIAD, "ADMR ENTRAINS"), encodage="utf-8")
    sortie = StringIO()
    call_command("importer_finess", str(REELS), "--entites-juridiques", str(bon), stdout=sortie)
    assert Structure.objects.get(finess_ej=EJ_SSIAD).nom == "ADMR ENTRAINS"

    mauvais = tmp_path / "ej_faux.csv"
    mauvais.write_text("structureej;123;X;X\n", encoding="utf-8")
    avant = Lieu.objects.count(), Structure.objects.count()
    with pytest.raises(CommandError, match=r"1 erreur\(s\) dans ej_faux\.csv : rien"):
        call_command("importer_finess", str(REELS), "--entites-juridiques", str(mauvais))
    assert (Lieu.objects.count(), Structure.objects.count()) == avant


def test_une_structure_renommee_par_le_stock_des_ej_a_une_ligne_d_historique_et_est_reindexee(
    tmp_path,
):
    importer_finess(REELS)
    raisons = lire_entites_juridiques(stock_ej(tmp_path, ligne_ej(EJ_SSIAD, "ADMR ENTRAINS")))

    importer_finess(REELS, raisons_sociales=raisons)

    structure = Structure.objects.get(finess_ej=EJ_SSIAD)
    nouvelle, precedente = structure.history.all()[:2]
    assert nouvelle.history_change_reason == "finess"
    assert nouvelle.diff_against(precedente).changed_fields == ["nom"]
    trouves = rechercher(Critere(q="admr"), page=1, par_page=10).resultats
    assert {r.service.structure_id for r in trouves} == {structure.pk}
