"""Import FINESS en production : fichier tronqué, baisse de volume, champs jamais effacés sans
que la source le dise, lecture en flux, écriture par lots courts (issue 9).

Données : les lignes réelles de finess_reels.csv (echanges/tests/data/README.md), abîmées ici
comme le ferait un téléchargement interrompu.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import imports
from core.imports import ErreursImport
from echanges import finess
from echanges.finess import ImportInterrompu, importer_finess
from echanges.models import ImportFiness
from repertoire.models import Lieu, Provenance, Service

from .test_finess import REELS, comptes

pytestmark = pytest.mark.django_db

NIEVRE = ("580000743", "580970473", "580000750", "580000768", "580004844")


def lignes_reelles() -> list[str]:
    """Les lignes de finess_reels.csv, fins de ligne comprises."""
    return REELS.read_bytes().decode("iso-8859-1").splitlines(keepends=True)


def ecrire(tmp_path: Path, lignes: list[str], nom: str = "stock.csv") -> Path:
    chemin = tmp_path / nom
    chemin.write_bytes("".join(lignes).encode("iso-8859-1"))
    return chemin


def sans_geolocalisation(lignes: list[str], *numeros: str) -> list[str]:
    return [
        ligne
        for ligne in lignes
        if not (ligne.startswith("geolocalisation;") and ligne.split(";")[1] in numeros)
    ]


def coordonnees() -> dict[str, tuple[float | None, float | None]]:
    return {
        et: (lat, lon)
        for et, lat, lon in Lieu.objects.values_list("finess_et", "latitude", "longitude")
    }


# --- A. Un fichier incomplet est refusé entier ------------------------------------------------


def test_une_ligne_sans_fin_est_refusee_avant_d_etre_lue_en_memoire(tmp_path):
    chemin = ecrire(tmp_path, [lignes_reelles()[0], "x" * 200_000])

    with pytest.raises(ErreursImport, match="une ligne dépasse 64 Kio"):
        importer_finess(chemin)


def test_une_derniere_ligne_coupee_au_milieu_d_un_caractere_est_refusee_en_francais(tmp_path):
    chemin = tmp_path / "stock.csv"
    chemin.write_bytes(lignes_reelles()[0].encode() + ("é" * 3000 + "x").encode())

    with pytest.raises(ErreursImport, match="ligne"):
        importer_finess(chemin)


def test_un_fichier_tronque_avant_la_geolocalisation_est_refuse_sans_rien_effacer(tmp_path):
    importer_finess(REELS)
    avant, points = comptes(), coordonnees()
    tronque = [ligne for ligne in lignes_reelles() if not ligne.startswith("geolocalisation;")]

    with pytest.raises(ErreursImport) as exc:
        importer_finess(ecrire(tmp_path, tronque))

    (erreur,) = exc.value.erreurs
    assert "aucune ligne « geolocalisation »" in erreur.raison
    assert "tronqué" in erreur.raison
    assert comptes() == avant
    assert coordonnees() == points


def test_la_commande_sort_en_erreur_sur_un_fichier_tronque(tmp_path):
    tronque = [ligne for ligne in lignes_reelles() if not ligne.startswith("geolocalisation;")]
    erreurs = StringIO()

    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("importer_finess", str(ecrire(tmp_path, tronque)), stderr=erreurs)

    assert "aucune ligne « geolocalisation »" in erreurs.getvalue()
    assert comptes()["Service"] == 0


def test_un_fichier_coupe_au_milieu_de_sa_derniere_ligne_est_refuse(tmp_path):
    lignes = lignes_reelles()
    # Coupé juste avant la date : six champs, la date vide passait pour « non renseignée ».
    lignes[-1] = lignes[-1][: lignes[-1].rindex(";") + 1]

    with pytest.raises(ErreursImport) as exc:
        importer_finess(ecrire(tmp_path, lignes))

    (erreur,) = exc.value.erreurs
    assert erreur.ligne == len(lignes)
    assert "dernière ligne incomplète" in erreur.raison
    assert comptes()["Service"] == 0


def test_un_fichier_complet_sans_fin_de_ligne_finale_est_accepte(tmp_path):
    lignes = lignes_reelles()
    lignes[-1] = lignes[-1].rstrip("\r\n")

    assert importer_finess(ecrire(tmp_path, lignes)).creees == 11


def test_une_ligne_structureet_apres_le_bloc_geolocalisation_est_refusee(tmp_path):
    lignes = lignes_reelles()
    lignes.append(lignes.pop(1))

    with pytest.raises(ErreursImport) as exc:
        importer_finess(ecrire(tmp_path, lignes))

    assert any(
        e.ligne == len(lignes) and "après le bloc « geolocalisation »" in e.raison
        for e in exc.value.erreurs
    )


def test_un_fichier_bien_plus_court_que_le_precedent_import_est_refuse(tmp_path):
    importer_finess(REELS)
    avant = comptes()
    lignes = [
        ligne
        for ligne in lignes_reelles()
        if ligne.startswith("finess") or ligne.split(";")[1] in NIEVRE
    ]

    with pytest.raises(ErreursImport) as exc:
        importer_finess(ecrire(tmp_path, lignes))

    etablissements, geolocalises = exc.value.erreurs
    assert "11 établissements attendus" in etablissements.raison
    assert "5 trouvés, soit une baisse de 55 %" in etablissements.raison
    assert "--accepter-baisse" in etablissements.raison
    assert "11 établissements géolocalisés attendus" in geolocalises.raison
    assert comptes() == avant


def test_une_baisse_acceptee_par_l_operateur_est_importee_et_devient_la_reference(tmp_path):
    importer_finess(REELS)
    lignes = [
        ligne
        for ligne in lignes_reelles()
        if ligne.startswith("finess") or ligne.split(";")[1] in NIEVRE
    ]
    chemin = ecrire(tmp_path, lignes)
    sortie = StringIO()

    call_command("importer_finess", str(chemin), "--accepter-baisse", stdout=sortie, verbosity=0)

    assert "5 inchangées" in sortie.getvalue()
    assert importer_finess(chemin).inchangees == 5


def test_la_baisse_se_compare_au_precedent_import_du_meme_perimetre(tmp_path):
    importer_finess(REELS, departements=["58"])
    importer_finess(REELS)

    assert importer_finess(REELS, departements=["58"]).inchangees == 5
    assert ImportFiness.objects.filter(fin__isnull=False).count() == 3


def test_une_simulation_ne_devient_pas_la_reference(tmp_path):
    importer_finess(REELS, dry_run=True)

    assert not ImportFiness.objects.exists()


# --- A. Ce que la source ne dit pas n'est jamais effacé ---------------------------------------


def test_une_geolocalisation_absente_garde_les_coordonnees_du_precedent_import(tmp_path):
    importer_finess(REELS)
    points = coordonnees()
    lignes = sans_geolocalisation(lignes_reelles(), "580000743")
    lignes = [
        ligne.replace("SSIAD ENTRAINS SUR NOHAIN;SSIAD", "SSIAD ENTRAINS;SSIAD") for ligne in lignes
    ]

    rapport = importer_finess(ecrire(tmp_path, lignes))

    assert rapport.mises_a_jour == 1
    assert rapport.sans_geolocalisation == 1
    assert coordonnees() == points
    assert points["580000743"][0] is not None


def test_une_geolocalisation_revenue_est_de_nouveau_appliquee(tmp_path):
    importer_finess(REELS)
    points = coordonnees()
    importer_finess(ecrire(tmp_path, sans_geolocalisation(lignes_reelles(), "580000743")))
    Lieu.objects.filter(finess_et="580000743").update(latitude=1.0, longitude=1.0)

    rapport = importer_finess(REELS)

    assert rapport.mises_a_jour == 1
    assert coordonnees() == points


def test_une_geolocalisation_vide_dans_la_source_efface_les_coordonnees(tmp_path):
    importer_finess(REELS)
    lignes = [
        ligne.replace("580000743;719289.9;6707110.2;", "580000743;;;") for ligne in lignes_reelles()
    ]

    rapport = importer_finess(ecrire(tmp_path, lignes))

    assert rapport.mises_a_jour == 1
    assert coordonnees()["580000743"] == (None, None)


def test_une_seule_coordonnee_vide_reste_une_erreur(tmp_path):
    lignes = [ligne.replace("580000743;719289.9;", "580000743;;") for ligne in lignes_reelles()]

    with pytest.raises(ErreursImport, match="coordonnée invalide"):
        importer_finess(ecrire(tmp_path, lignes))


# --- B. Lecture en flux -----------------------------------------------------------------------


def test_le_fichier_est_lu_en_flux_sans_etre_charge_entier(monkeypatch):
    def interdit(*args, **kwargs):
        raise AssertionError("le fichier entier ne doit pas être chargé en mémoire")

    monkeypatch.setattr(Path, "read_bytes", interdit)
    monkeypatch.setattr(Path, "read_text", interdit)

    assert importer_finess(REELS).creees == 11


def test_un_fichier_qui_n_est_que_des_erreurs_est_refuse_sans_etre_lu_jusqu_au_bout(tmp_path):
    lignes = lignes_reelles()[:1] + ["n'importe quoi\n"] * 5000 + lignes_reelles()[1:]

    with pytest.raises(ErreursImport) as exc:
        importer_finess(ecrire(tmp_path, lignes))

    assert len(exc.value.erreurs) == finess.ERREURS_MAX + 1
    assert "lecture arrêtée" in exc.value.erreurs[-1].raison


def test_un_accent_loin_dans_le_fichier_suffit_a_reconnaitre_l_iso_8859_1(tmp_path, monkeypatch):
    monkeypatch.setattr(finess, "TAILLE_BLOC", 64)
    lignes = [ligne.replace("NIÈVRE", "NIEVRE") for ligne in lignes_reelles()]

    importer_finess(ecrire(tmp_path, lignes))

    assert Lieu.objects.get(finess_et="580004844").adresse == "3 PL DE LA RÉPUBLIQUE"


# --- C. Écriture par lots courts, reprise par simple relance ----------------------------------


def test_l_ecriture_se_fait_par_lots_courts_et_une_interruption_se_complete_en_relancant(
    monkeypatch,
):
    ecrire_lot = finess._Plan._ecrire_lot
    appels = []

    def panne_au_troisieme_lot(plan, *args, **kwargs):
        appels.append(1)
        if len(appels) == 3:
            raise OSError("connexion perdue")
        return ecrire_lot(plan, *args, **kwargs)

    monkeypatch.setattr(finess._Plan, "_ecrire_lot", panne_au_troisieme_lot)
    with pytest.raises(ImportInterrompu) as exc:
        importer_finess(REELS, taille_lot=4)

    assert "2 lots sur 3" in str(exc.value)
    assert "relancer" in str(exc.value)
    assert Service.objects.count() == 8
    assert ImportFiness.objects.get().fin is None
    monkeypatch.setattr(finess._Plan, "_ecrire_lot", ecrire_lot)

    rapport = importer_finess(REELS, taille_lot=4)

    assert (rapport.creees, rapport.inchangees) == (3, 8)
    assert Service.objects.count() == 11
    assert Provenance.objects.filter(source="finess").count() == 11 * 2 + 10
    assert "interrompu" in rapport.avertissements[0].raison


def test_sur_sqlite_l_import_laisse_passer_les_autres_ecrivains_entre_deux_lots(monkeypatch):
    pauses = []
    monkeypatch.setattr(imports.time, "sleep", pauses.append)
    # Chaque lot « tient le verrou » assez longtemps pour appeler une pause (core.imports.Cadence).
    monkeypatch.setattr(imports, "ECRITURE_SANS_PAUSE", 0)

    rapport = importer_finess(REELS, taille_lot=4)

    assert rapport.lots == 3
    attendues = [imports.PAUSE_ENTRE_LOTS] * 2 if connection.vendor == "sqlite" else []
    assert pauses == attendues


def test_la_commande_dit_comment_completer_un_import_interrompu(monkeypatch, tmp_path):
    def panne(plan, *args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(finess._Plan, "_ecrire_lot", panne)

    with pytest.raises(CommandError, match="relancer la même commande"):
        call_command("importer_finess", str(REELS), verbosity=0)


def test_la_commande_annonce_les_lots_et_la_reprise_par_relance():
    sortie = StringIO()

    call_command("importer_finess", str(REELS), stdout=sortie, verbosity=0)

    assert "11 créées" in sortie.getvalue()
    assert "lot" in sortie.getvalue()
    assert "relancer" in sortie.getvalue()


# --- Les corrections d'une personne survivent au ré-import ------------------------------------


def test_un_reimport_garde_la_correction_d_un_gestionnaire_et_dit_le_conflit(tmp_path):
    from django.contrib.auth import get_user_model

    from repertoire.ecriture import Auteur, Changement, ecrire_fiches

    importer_finess(REELS)
    lieu = Lieu.objects.get(finess_et=NIEVRE[4])
    agent = get_user_model().objects.create_user("agent", password="un-mot-de-passe-long")
    ecrire_fiches(
        changements=[Changement(lieu, {"adresse": "5 PL DE LA RÉPUBLIQUE"}, lieu.version)],
        auteur=Auteur("administration", agent),
    )
    # Une édition suivante renomme l'ET et redit l'ancienne adresse.
    ancien, nouveau = "SSIAD SAINT BENIN D'AZY", "SSIAD DE ST BENIN"
    renomme = [
        ligne.replace(f"{ancien};{ancien}", f"{nouveau};{nouveau}") for ligne in lignes_reelles()
    ]
    sortie = StringIO()
    call_command("importer_finess", str(ecrire(tmp_path, renomme)), stdout=sortie, verbosity=0)

    lieu.refresh_from_db()
    assert (lieu.adresse, lieu.nom) == ("5 PL DE LA RÉPUBLIQUE", "SSIAD DE ST BENIN")
    assert "Correction gardée : " in sortie.getvalue()
    assert "« adresse » : la source dit « 3 PL DE LA RÉPUBLIQUE »" in sortie.getvalue()
    assert [h.history_change_reason for h in lieu.history.all()[:2]] == ["finess", "administration"]
