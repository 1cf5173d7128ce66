"""`importer_satisfaction` : résultats publiés, tout ou rien, erreurs nommées, idempotent."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from satisfaction.models import ResultatPublie

pytestmark = pytest.mark.django_db

EXEMPLE_2022 = Path(__file__).resolve().parents[1] / "donnees" / "msu_2022_national.csv"
ENTETE = (
    "annee,maille,code,question,repondants,unite,tres_satisfait,satisfait,insatisfait,"
    "tres_insatisfait,taux_satisfaction,source\n"
)


def fichier(tmp_path: Path, *lignes: str) -> Path:
    chemin = tmp_path / "resultats.csv"
    chemin.write_text(ENTETE + "".join(f"{ligne}\n" for ligne in lignes), encoding="utf-8")
    return chemin


def test_les_resultats_nationaux_2022_s_importent_une_fois(version, capsys):
    call_command("importer_satisfaction", str(EXEMPLE_2022))
    assert "5 lignes lues : 5 créées" in capsys.readouterr().out
    globale = ResultatPublie.objects.get(annee=2022, code="FR", question="globale")
    assert globale.repondants == 66_498 and globale.en_pourcentages
    assert [globale.tres_satisfait, globale.satisfait, globale.insatisfait] == [25, 40, 21]
    assert globale.tres_insatisfait == 14 and globale.taux_satisfaction == 65
    assert ResultatPublie.objects.get(question="delai").taux_satisfaction == Decimal("36.9")
    assert "CNSA" in globale.source
    call_command("importer_satisfaction", str(EXEMPLE_2022))
    assert "5 inchangées" in capsys.readouterr().out
    assert ResultatPublie.objects.count() == 5


def test_une_mdph_en_nombres_puis_corrigee_est_mise_a_jour(version, tmp_path, capsys):
    call_command(
        "importer_satisfaction",
        str(fichier(tmp_path, "2023,departement,58,accueil,120,nombre,30,50,20,10,,")),
    )
    call_command(
        "importer_satisfaction",
        str(fichier(tmp_path, "2023,departement,58,accueil,120,nombre,31,49,20,10,,")),
    )
    assert "1 mises à jour" in capsys.readouterr().out
    assert ResultatPublie.objects.get().tres_satisfait == 31


def test_un_fichier_avec_une_erreur_n_ecrit_rien_et_nomme_chaque_ligne(version, tmp_path):
    chemin = fichier(
        tmp_path,
        "2022,national,FR,globale,66498,pourcentage,25,40,21,14,65,",
        "2022,departement,999,accueil,,pourcentage,,,,,80,",
        "2022,national,FR,inconnue,,pourcentage,,,,,80,",
        "2022,national,FR,ecoute,,pourcentage,50,40,30,10,,",
        "2022,national,FR,delai,,nombre,1.5,2,3,4,,",
        "deux-mille,national,FR,contact,,pourcentage,,,,,80,",
        "2022,national,FR,globale,,pourcentage,,,,,64,",
        "2022,national,FR,acces,,pourcentage,,,,,,",
    )
    with pytest.raises(CommandError) as erreur:
        call_command("importer_satisfaction", str(chemin))
    message = str(erreur.value)
    assert "7 erreur(s), rien n'a été écrit" in message
    assert "ligne 3, champ « code » : « 999 » n'est pas un code de département" in message
    assert "ligne 4, champ « question » : « inconnue » n'est la clé d'aucune question" in message
    assert "ligne 5, champ « unite » : les quatre pourcentages font 130 %, pas 100 %" in message
    assert "ligne 6, champ « tres_satisfait » : « 1.5 » doit être un nombre entier" in message
    assert "ligne 7, champ « annee »" in message
    assert (
        "ligne 8, champ « question » : même année, territoire et question qu'à la ligne 2"
        in message
    )
    assert "ligne 9, champ « taux_satisfaction » : ni niveaux ni taux" in message
    assert ResultatPublie.objects.count() == 0


def test_un_fichier_sans_les_colonnes_attendues_est_refuse(version, tmp_path):
    chemin = tmp_path / "mauvais.csv"
    chemin.write_text("annee;code;taux\n2022;FR;65\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ligne 1 : colonnes manquantes : annee, maille"):
        call_command("importer_satisfaction", str(chemin))


def test_un_fichier_qui_n_est_pas_en_utf8_est_refuse_en_francais(version, tmp_path):
    chemin = tmp_path / "latin1.csv"
    chemin.write_bytes(
        (ENTETE + "2022,national,FR,globale,,pourcentage,,,,,65,Sécurité\n").encode("latin-1")
    )
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("importer_satisfaction", str(chemin))
