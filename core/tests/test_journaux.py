"""Les journaux ne portent ni adresse électronique, ni adresse IP, ni jeton de lien."""

import logging

import pytest

from core.journaux import MASQUE, SansDonneesPersonnelles, masquer


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Échec pour jeanne.dupont+mdph@nievre.fr", f"Échec pour {MASQUE}"),
        ("client 192.168.10.24 refusé", f"client {MASQUE} refusé"),
        ("client 2001:db8:85a3::8a2e:370:7334 refusé", f"client {MASQUE} refusé"),
        ("Not Found: /compte/invitation/Zx81-aQ/", f"Not Found: /compte/invitation/{MASQUE}/"),
        (
            "Not Found: /compte/reinitialisation/MQ/set-password/",
            f"Not Found: /compte/reinitialisation/{MASQUE}/",
        ),
        ("client ::1 refusé", f"client {MASQUE} refusé"),
        ("Version 2.1.3 de l'import", "Version 2.1.3 de l'import"),
        ("Durée 00:01:23, reprise à 12:30", "Durée 00:01:23, reprise à 12:30"),
        ("Import du 12/03/2026 : 27 981 ET", "Import du 12/03/2026 : 27 981 ET"),
    ],
)
def test_les_donnees_personnelles_et_les_jetons_sont_masques(texte, attendu):
    assert masquer(texte) == attendu


def test_un_enregistrement_est_reecrit_avec_ses_arguments_et_sa_trace():
    try:
        raise ValueError("adresse refusée : marie@exemple.fr")
    except ValueError:
        import sys

        enregistrement = logging.LogRecord(
            "essai", logging.WARNING, __file__, 1, "Refus de %s depuis %s",
            ("paul@exemple.fr", "10.0.0.7"), sys.exc_info(),
        )  # fmt: skip
    SansDonneesPersonnelles().filter(enregistrement)
    sortie = logging.Formatter().format(enregistrement)
    assert "@exemple.fr" not in sortie and "10.0.0.7" not in sortie
    assert f"Refus de {MASQUE} depuis {MASQUE}" in sortie
    assert "ValueError" in sortie


def test_le_gestionnaire_de_la_console_porte_le_filtre(settings):
    filtres = settings.LOGGING["handlers"]["console"]["filters"]
    assert filtres == ["sans_donnees_personnelles"]
    racine = logging.getLogger()
    assert any(isinstance(f, SansDonneesPersonnelles) for h in racine.handlers for f in h.filters)
