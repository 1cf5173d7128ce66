import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.imports import (
    ErreursImport,
    LimitesClasseur,
    lignes_feuille,
    lignes_utf8,
    lire_utf8,
    verifier_classeur,
)

CLASSEUR_VALIDEUR = (
    Path(__file__).resolve().parents[2]
    / "repertoire/tests/data/data_inclusion_valideur_fixture_dataset.xlsx"
)
TEXTE = "departement;commune\r\n58;Nevers\r\n58;Château-Chinon\r\n"


def ecrire(tmp_path: Path, contenu: bytes) -> Path:
    chemin = tmp_path / "demandes.csv"
    chemin.write_bytes(contenu)
    return chemin


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_un_fichier_utf8_avec_ou_sans_bom_se_lit_ligne_a_ligne(tmp_path, bom):
    chemin = ecrire(tmp_path, bom + TEXTE.encode())

    assert list(lignes_utf8(chemin)) == TEXTE.splitlines(keepends=True)


def test_un_fichier_utf16_est_refuse_en_disant_l_encodage_attendu(tmp_path):
    chemin = ecrire(tmp_path, TEXTE.encode("utf-16"))

    with pytest.raises(ErreursImport) as refus:
        list(lignes_utf8(chemin))

    assert str(refus.value) == (
        "demandes.csv, fichier : fichier en UTF-16 ; UTF-8 attendu : enregistrez le fichier "
        "en « CSV UTF-8 » depuis votre tableur"
    )


def test_un_fichier_windows_1252_est_refuse_a_la_ligne_fautive(tmp_path):
    chemin = ecrire(tmp_path, TEXTE.encode("cp1252"))

    with pytest.raises(ErreursImport) as refus:
        list(lignes_utf8(chemin))

    (erreur,) = refus.value.erreurs
    assert erreur.ligne == 3
    assert "l'octet 0xE2 (caractère 6, « â » en Windows-1252) n'est pas de l'UTF-8" in str(erreur)
    assert "UTF-8 attendu" in str(erreur)


def test_un_octet_nul_signale_un_utf16_sans_bom(tmp_path):
    chemin = ecrire(tmp_path, TEXTE.encode("utf-16-le"))

    with pytest.raises(ErreursImport, match=r"ligne 1 : octet nul .* UTF-8 attendu"):
        list(lignes_utf8(chemin))


def test_un_fichier_absent_est_une_erreur_d_import_et_non_une_trace(tmp_path):
    with pytest.raises(ErreursImport, match=r"absent\.json, fichier : fichier introuvable"):
        lire_utf8(tmp_path / "absent.json")


def test_lire_utf8_conseille_un_editeur_pour_un_fichier_qui_n_est_pas_un_csv(tmp_path):
    chemin = tmp_path / "services.json"
    chemin.write_bytes('{"nom": "Ménage"}'.encode("latin-1"))

    with pytest.raises(ErreursImport, match="UTF-8 attendu : enregistrez le fichier en UTF-8"):
        lire_utf8(chemin)


# --- Classeurs ---------------------------------------------------------------------------------


def bombe(chemin: Path, *, mo: int) -> Path:
    """Un XLSX dont une feuille est un XML valide gonflé de `mo` Mo de blancs (~1 000:1).

    Des blancs plutôt que des zéros : sans garde, openpyxl décompresse et lit vraiment tout.
    """
    with (
        zipfile.ZipFile(CLASSEUR_VALIDEUR) as source,
        zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for membre in source.infolist():
            if membre.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(membre, source.read(membre))
                continue
            xml = source.read(membre)
            debut, fin = xml.split(b"<sheetData>", 1)
            with archive.open(membre.filename, "w", force_zip64=True) as feuille:
                feuille.write(debut + b"<sheetData>")
                for _ in range(mo):
                    feuille.write(b" " * 2**20)
                feuille.write(fin)
    return chemin


def test_une_bombe_zip_est_refusee_sans_etre_decompressee(tmp_path, monkeypatch):
    """Le temps du refus est mesuré par bench/bombe_xlsx.py ; ici, aucun membre n'est ouvert."""
    chemin = bombe(tmp_path / "bombe.xlsx", mo=150)
    assert chemin.stat().st_size < 2 * 2**20

    def ouverture_interdite(*args, **kwargs):
        raise AssertionError("un membre du classeur a été décompressé")

    monkeypatch.setattr(zipfile.ZipFile, "open", ouverture_interdite)
    with pytest.raises(ErreursImport, match="classeur refusé, trop volumineux : 151 Mo"):
        verifier_classeur(chemin)


def test_un_membre_trop_comprime_est_refuse_meme_sous_la_taille_totale(tmp_path):
    chemin = bombe(tmp_path / "bombe.xlsx", mo=20)

    with pytest.raises(ErreursImport, match=r"« xl/worksheets/sheet1\.xml » se décompresse"):
        verifier_classeur(chemin)


def test_le_classeur_du_valideur_passe_les_bornes():
    verifier_classeur(CLASSEUR_VALIDEUR)


def test_trop_de_membres_ou_d_octets_sont_refuses():
    with pytest.raises(ErreursImport, match="42 fichiers dans l'archive"):
        verifier_classeur(CLASSEUR_VALIDEUR, LimitesClasseur(membres=40))
    with pytest.raises(ErreursImport, match="1 Mo une fois décompressé"):
        verifier_classeur(CLASSEUR_VALIDEUR, LimitesClasseur(octets=2**20))


def test_un_fichier_qui_n_est_pas_une_archive_est_refuse(tmp_path):
    chemin = ecrire(tmp_path, b"departement;commune\n")

    with pytest.raises(ErreursImport, match="pas un fichier XLSX"):
        verifier_classeur(chemin)


def feuille(lignes: list[list]) -> object:
    classeur = Workbook()
    for ligne in lignes:
        classeur.active.append(ligne)
    flux = io.BytesIO()
    classeur.save(flux)
    return load_workbook(flux, read_only=True).active


def test_une_feuille_trop_longue_est_refusee_plutot_que_tronquee():
    limites = LimitesClasseur(lignes=10)

    assert len(list(lignes_feuille(feuille([[n] for n in range(10)]), "f", limites))) == 10
    with pytest.raises(ErreursImport, match="plus de 10 lignes"):
        list(lignes_feuille(feuille([[n] for n in range(11)]), "f", limites))


def test_une_feuille_trop_large_est_refusee_et_les_lignes_ont_la_largeur_bornee():
    limites = LimitesClasseur(colonnes=3)

    assert list(lignes_feuille(feuille([["a", "b"]]), "f", limites)) == [("a", "b", None)]
    with pytest.raises(ErreursImport, match="ligne 2 : plus de 3 colonnes"):
        list(lignes_feuille(feuille([["a"], [1, 2, 3, 4]]), "f", limites))


@pytest.mark.django_db
def test_la_cadence_ne_fait_une_pause_qu_apres_assez_d_ecriture_enchainee(monkeypatch):
    from django.db import connection

    from core import imports

    pauses = []
    monkeypatch.setattr(imports.time, "sleep", pauses.append)
    cadence = imports.Cadence(ecriture_sans_pause=0.5)

    for _ in range(6):  # six lots de 0,2 s : une pause après le troisième, puis le sixième
        cadence.ecrit(0.2)
        cadence.entre_deux_lots()

    attendues = [imports.PAUSE_ENTRE_LOTS] * 2 if connection.vendor == "sqlite" else []
    assert pauses == attendues
