import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.imports import ErreursImport
from pilotage.models import Demande, Evenement
from pilotage.services import importer_demandes
from pilotage.tests.conftest import AUJOURDHUI, ENTETE

pytestmark = pytest.mark.django_db

DEMANDE_AAH = [
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;depose;2024-01-05;;;",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;recevable_a_completer;2024-01-10;;;",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;recevable;2024-02-01;;;",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;evaluation;2024-03-01;;;",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;decision;2024-04-01;sursis;;",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;decision;2024-05-02;attribution;non;60",
    "58;D-1;PERS-42;DOS-7;aah;adulte;premiere_demande;normale;notification;2024-05-10;;;",
]
DEMANDE_PCH = [
    "058;D-2;PERS-42;DOS-7;pch;adulte;reexamen;urgente;depose;05/01/2024;;;",
    "058;D-2;PERS-42;DOS-7;pch;adulte;reexamen;urgente;recevable;06/01/2024;;;",
]


def importer(chemin, **options):
    return importer_demandes(chemin=chemin, aujourdhui=AUJOURDHUI, **options)


def test_un_fichier_valide_cree_les_demandes_et_leur_journal(departements, fichier_csv):
    rapport = importer(fichier_csv(*DEMANDE_AAH, *DEMANDE_PCH))

    assert (rapport.lues, rapport.creees, rapport.inchangees) == (9, 9, 0)
    assert Demande.objects.count() == 2
    assert Evenement.objects.count() == 9
    aah = Demande.objects.get(prestation="aah")
    assert (aah.departement_id, aah.famille, aah.public) == ("58", "aah", "adulte")


def test_seuls_des_identifiants_pseudonymises_sont_conserves(departements, fichier_csv):
    importer(fichier_csv(*DEMANDE_AAH, *DEMANDE_PCH))

    aah, pch = Demande.objects.order_by("prestation")
    assert len(aah.personne) == 32 and "42" not in aah.personne
    assert aah.personne == pch.personne and aah.dossier == pch.dossier
    assert "D-1" not in aah.reference and "DOS" not in aah.dossier


def test_les_dates_denormalisees_suivent_le_journal(departements, fichier_csv):
    importer(fichier_csv(*DEMANDE_AAH))

    aah = Demande.objects.get()
    assert aah.date_depot == dt.date(2024, 1, 5)
    assert aah.date_recevable_a_completer == dt.date(2024, 1, 10)
    assert aah.date_recevable == dt.date(2024, 2, 1)
    # Le sursis à statuer précède la décision qui compte.
    assert (aah.date_decision, aah.type_decision) == (dt.date(2024, 5, 2), "attribution")
    assert (aah.sans_limitation, aah.duree_mois) == (False, 60)
    assert aah.delai_jours == (dt.date(2024, 5, 2) - dt.date(2024, 2, 1)).days
    assert aah.date_sortie == dt.date(2024, 5, 2)  # le sursis laisse la demande en stock
    assert aah.date_notification == dt.date(2024, 5, 10)


def test_reimporter_le_meme_fichier_ne_change_rien(departements, fichier_csv):
    chemin = fichier_csv(*DEMANDE_AAH, *DEMANDE_PCH)
    importer(chemin)
    avant = list(Demande.objects.order_by("pk").values())

    rapport = importer(chemin)

    assert (rapport.creees, rapport.inchangees, rapport.mises_a_jour) == (0, 9, 0)
    assert Evenement.objects.count() == 9
    assert list(Demande.objects.order_by("pk").values()) == avant


def test_un_second_fichier_complete_une_demande_deja_connue(departements, fichier_csv):
    importer(fichier_csv(*DEMANDE_PCH))
    suite = [
        "58;D-2;PERS-42;DOS-7;pch;adulte;reexamen;urgente;decision;2024-02-01;attribution;oui;",
        "58;D-2;PERS-42;DOS-7;pch;adulte;reexamen;urgente;annule;2024-03-01;;;",
    ]

    rapport = importer(fichier_csv(*suite, nom="suite.csv"))

    pch = Demande.objects.get()
    assert rapport.creees == 2
    assert (pch.date_decision, pch.sans_limitation, pch.delai_jours) == (
        dt.date(2024, 2, 1),
        True,
        26,
    )
    assert pch.date_annulation == dt.date(2024, 3, 1)
    assert pch.date_sortie == dt.date(2024, 2, 1)


def test_les_lignes_fautives_sont_nommees_et_rien_n_est_ecrit(departements, fichier_csv):
    chemin = fichier_csv(
        *DEMANDE_AAH,
        "58;D-3;P;X;allocation;adulte;premiere_demande;normale;depose;2024-01-05;;;",
        "58;D-4;P;X;aeeh;adulte;premiere_demande;normale;depose;2024-13-05;;;",
        "99;D-5;P;X;aah;adulte;premiere_demande;normale;depose;2024-01-05;;;",
        "58;D-6;;X;aah;adulte;premiere_demande;normale;depose;2024-01-05;;;",
        "58;D-7;P;X;aah;adulte;premiere_demande;normale;depose;2024-03-05;;;",
        "58;D-7;P;X;aah;adulte;premiere_demande;normale;recevable;2024-02-05;;;",
        "58;D-8;P;X;rqth;adulte;premiere_demande;normale;depose;2024-01-05;;;",
        "58;D-8;P;X;rqth;adulte;premiere_demande;normale;recevable;2024-01-06;;;",
        "58;D-8;P;X;rqth;adulte;premiere_demande;normale;decision;2024-02-05;attribution;;",
        "58;D-9;P;X;aah;adulte;premiere_demande;normale;recevable;2024-01-06;;;",
        "58;D-10;P;X;aah;adulte;premiere_demande;normale;depose;2030-01-06;;;",
    )

    with pytest.raises(ErreursImport) as erreurs:
        importer(chemin)

    trouvees = {(e.ligne, e.champ) for e in erreurs.value.erreurs}
    assert trouvees == {
        (9, "prestation"),
        (10, "public"),
        (10, "date"),
        (11, "departement"),
        (12, "identifiant_personne"),
        (14, "date"),
        (17, "sans_limitation"),
        (18, "evenement"),
        (19, "date"),
    }
    assert all(e.fichier == "demandes.csv" for e in erreurs.value.erreurs)
    assert "oui ou non attendu" in str(erreurs.value)
    assert Demande.objects.count() == 0 and Evenement.objects.count() == 0


def test_une_colonne_manquante_est_signalee(departements, tmp_path):
    chemin = tmp_path / "incomplet.csv"
    chemin.write_text("departement;numero_demande\n58;1\n", encoding="utf-8")

    with pytest.raises(ErreursImport) as erreurs:
        importer(chemin)

    assert {e.champ for e in erreurs.value.erreurs} >= {"prestation", "evenement", "date"}
    assert str(erreurs.value.erreurs[0]).startswith("incomplet.csv, ligne 1, champ")


def test_un_import_a_blanc_n_ecrit_rien(departements, fichier_csv):
    rapport = importer(fichier_csv(*DEMANDE_AAH), a_blanc=True)

    assert rapport.creees == 7 and "Simulation" in rapport.resume()
    assert Demande.objects.count() == 0


@pytest.mark.parametrize("encodage", ["utf-16", "cp1252"])
def test_un_fichier_qui_n_est_pas_en_utf8_est_refuse_par_la_commande_sans_trace(
    departements, tmp_path, encodage
):
    chemin = tmp_path / "demandes.csv"
    ligne = "58;D-1;Zoé;DOS-7;aah;adulte;premiere_demande;normale;depose;2024-01-05;;;"
    chemin.write_bytes(f"{ENTETE}\n{ligne}\n".encode(encodage))

    with pytest.raises(CommandError, match=r"demandes\.csv, .* UTF-8 attendu"):
        call_command("importer_demandes", str(chemin), stdout=StringIO())

    assert not Demande.objects.exists()


def test_l_ecriture_se_fait_par_transactions_courtes_chaque_demande_entiere(
    departements, fichier_csv, monkeypatch
):
    """Une seule transaction pour tout le fichier bloquait connexions et API sur SQLite."""
    from pilotage import demandes

    lots = []
    ecrire = demandes._ecrire
    monkeypatch.setattr(demandes, "DEMANDES_PAR_TRANSACTION", 1)
    monkeypatch.setattr(demandes, "entre_deux_lots", lambda: None)
    monkeypatch.setattr(
        demandes, "_ecrire", lambda lot, *args: (lots.append(list(lot)), ecrire(lot, *args))
    )

    rapport = importer(fichier_csv(*DEMANDE_AAH, *DEMANDE_PCH))

    assert len(lots) == 2 and all(len(lot) == 1 for lot in lots)
    assert (rapport.creees, Evenement.objects.count()) == (9, 9)
    assert importer(fichier_csv(*DEMANDE_AAH, *DEMANDE_PCH)).inchangees == 9
