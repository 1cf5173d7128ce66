"""La commande ne fait qu'appeler le service et afficher ses comptes."""

from django.core.management import call_command

from territoires.management.commands import charger_communes as commande

COMPTES = {
    "regions": 18,
    "departements": 101,
    "epci": 1253,
    "communes": 34875,
    "arrondissements": 45,
    "communes_non_situees": 0,
    "codes_postaux": 35403,
}


def test_la_commande_affiche_les_comptes_en_francais(monkeypatch, capsys):
    appels = []
    monkeypatch.setattr(
        commande, "charger_communes", lambda **kwargs: appels.append(kwargs) or COMPTES
    )

    call_command("charger_communes")

    sortie = capsys.readouterr()
    assert appels == [{"progression": True}]
    assert "101 départements" in sortie.out
    assert "45 arrondissements municipaux" in sortie.out
    assert "écartée" not in sortie.err


def test_la_commande_signale_les_communes_ecartees(monkeypatch, capsys):
    monkeypatch.setattr(
        commande, "charger_communes", lambda **kwargs: COMPTES | {"communes_non_situees": 2}
    )

    call_command("charger_communes", verbosity=0)

    assert "2 commune(s) écartée(s)" in capsys.readouterr().err
