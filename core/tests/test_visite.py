import http.client

import pytest

from core.visite import Navigateur, type_de_page


def test_deux_fiches_de_service_sont_un_meme_type_de_page():
    assert type_de_page("/services/12/aide-a-domicile/") == type_de_page("/services/40/portage/")


def test_les_parametres_comptent_par_leur_nom_pas_par_leur_valeur():
    assert type_de_page("/recherche/?q=ehpad&page=2") == type_de_page("/recherche/?page=3&q=ssiad")
    assert type_de_page("/recherche/?q=ehpad") != type_de_page("/recherche/?q=ehpad&page=2")


def test_un_export_par_format_suffit_pour_une_page():
    assert type_de_page("/pilotage/mdph/58/tableaux/delai-aah.csv") == type_de_page(
        "/pilotage/mdph/21/tableaux/flux.csv"
    )
    assert type_de_page("/pilotage/alertes/tableaux/alertes.csv") != type_de_page(
        "/pilotage/alertes/tableaux/alertes.xlsx"
    )


def test_les_filtres_de_l_administration_ne_font_pas_de_nouveaux_types():
    assert type_de_page("/admin/repertoire/service/?o=1&p=2") == "/admin/repertoire/service/"


def test_une_adresse_https_est_visitee_en_https_sans_se_dire_mandataire(monkeypatch):
    """Le mot de passe de verifier_site ne doit jamais passer en clair."""
    ouvertes = []

    class Connexion:
        def __init__(self, hote, port, timeout):
            ouvertes.append((type(self).__name__, hote, port))

        def request(self, methode, chemin, body=None, headers=None):
            ouvertes.append(headers)
            raise ConnectionRefusedError

    monkeypatch.setattr(http.client, "HTTPSConnection", type("HTTPSConnection", (Connexion,), {}))
    monkeypatch.setattr(http.client, "HTTPConnection", type("HTTPConnection", (Connexion,), {}))
    with pytest.raises(ConnectionRefusedError):
        Navigateur("https://autonomie.exemple.fr").requete("GET", "/")
    assert ouvertes[0] == ("HTTPSConnection", "autonomie.exemple.fr", None)
    assert "X-Forwarded-Proto" not in ouvertes[1]
