import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list


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
