import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_cle_secrete, env_int, env_list, env_urls

REGLAGES = Path(__file__).resolve().parents[2] / "autonomie" / "settings.py"


def test_un_booleen_invalide_arrete_le_demarrage(monkeypatch):
    monkeypatch.setenv("DEBUG_TEST", "peut-etre")
    with pytest.raises(ImproperlyConfigured, match="DEBUG_TEST"):
        env_bool("DEBUG_TEST", False)


def test_les_booleens_acceptent_oui_et_non(monkeypatch):
    monkeypatch.setenv("X_OUI", "oui")
    monkeypatch.setenv("X_NON", "Non")
    assert env_bool("X_OUI", False) is True
    assert env_bool("X_NON", True) is False


def test_un_entier_invalide_est_refuse(monkeypatch):
    monkeypatch.setenv("X_ENTIER", "douze")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_ENTIER", 1)


def test_une_liste_ignore_les_elements_vides(monkeypatch):
    monkeypatch.setenv("X_LISTE", "a.fr, b.fr,,")
    assert env_list("X_LISTE", []) == ["a.fr", "b.fr"]


CLE_FORTE = "Zq8-v3Lr_x0TnB4yKc7mWp2sHd9fGj6uAe1oIl5QwRtYzXb12345"


def test_sans_debug_une_cle_absente_arrete_le_demarrage_et_dit_comment_la_generer(monkeypatch):
    monkeypatch.delenv("CLE_TEST", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"n'est pas définie.*secrets\.token_urlsafe"):
        env_cle_secrete("CLE_TEST", debug=False, cle_de_developpement="dev")


@pytest.mark.parametrize(
    ("valeur", "raison"),
    [
        ("a", "trop courte"),
        ("x" * 60, "trop peu variée"),
        ("dev", "clé de développement"),
        ("django-insecure-" + CLE_FORTE, "clé de développement"),
        (CLE_FORTE + "AUTRE", "identique à une autre clé"),
    ],
)
def test_sans_debug_une_cle_faible_ou_deja_utilisee_est_refusee(monkeypatch, valeur, raison):
    monkeypatch.setenv("CLE_TEST", valeur)
    with pytest.raises(ImproperlyConfigured, match=raison):
        env_cle_secrete(
            "CLE_TEST",
            debug=False,
            cle_de_developpement="dev",
            differente_de=(CLE_FORTE + "AUTRE",),
        )


def test_sans_debug_une_cle_longue_et_aleatoire_est_acceptee(monkeypatch):
    monkeypatch.setenv("CLE_TEST", CLE_FORTE + "AB")
    assert env_cle_secrete("CLE_TEST", debug=False, cle_de_developpement="dev") == CLE_FORTE + "AB"


def test_en_developpement_la_cle_de_developpement_sert_faute_de_mieux(monkeypatch):
    monkeypatch.delenv("CLE_TEST", raising=False)
    assert env_cle_secrete("CLE_TEST", debug=True, cle_de_developpement="dev") == "dev"


def test_des_adresses_de_bases_se_separent_par_des_virgules_sans_couper_les_hotes(monkeypatch):
    monkeypatch.setenv(
        "X_URLS",
        "postgres://l:m@secours1,secours2:5432/a?target_session_attrs=prefer-standby, "
        "postgres://l:m@h3/a",
    )
    assert env_urls("X_URLS") == [
        "postgres://l:m@secours1,secours2:5432/a?target_session_attrs=prefer-standby",
        "postgres://l:m@h3/a",
    ]
    assert env_urls("X_ABSENTE") == []


def test_une_adresse_de_base_sans_schema_est_refusee(monkeypatch):
    monkeypatch.setenv("X_URLS", "replique.interne:5432")
    with pytest.raises(ImproperlyConfigured, match="n'est pas une adresse de base"):
        env_urls("X_URLS")


def test_chaque_replique_devient_une_base_miroir_dans_les_tests(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(
        "DATABASE_REPLICA_URL", f"sqlite:///{tmp_path}/a.db,sqlite:///{tmp_path}/b.db"
    )

    reglages = runpy.run_path(str(REGLAGES))

    assert reglages["REPLIQUES_EN_LECTURE"] == ["replique_1", "replique_2"]
    assert reglages["DATABASES"]["replique_2"]["NAME"] == f"{tmp_path}/b.db"
    assert reglages["DATABASES"]["replique_2"]["TEST"] == {"MIRROR": "default"}


def test_une_replique_d_un_autre_type_de_base_arrete_le_demarrage(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://lecteur:m@replique/autonomie")

    with pytest.raises(ImproperlyConfigured, match="même type de base"):
        runpy.run_path(str(REGLAGES))


def test_sans_replique_les_reglages_ne_declarent_que_la_base_principale(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)

    reglages = runpy.run_path(str(REGLAGES))

    assert list(reglages["DATABASES"]) == ["default"]
    assert reglages["REPLIQUES_EN_LECTURE"] == []


def test_un_delai_apres_ecriture_nul_est_refuse(monkeypatch):
    monkeypatch.setenv("REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES", "0")

    with pytest.raises(ImproperlyConfigured, match="au moins 1"):
        runpy.run_path(str(REGLAGES))
