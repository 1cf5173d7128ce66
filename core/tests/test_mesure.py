"""MESURE_CPU_SERVEUR : le CPU de chaque requête dans l'en-tête Server-Timing (banc de charge)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_le_cpu_serveur_est_dans_l_en_tete_server_timing_quand_la_mesure_est_demandee(
    client, settings
):
    settings.MIDDLEWARE = ["core.mesure.mesure_cpu", *settings.MIDDLEWARE]

    reponse = client.get("/sante/")

    assert re.fullmatch(r"cpu;dur=\d+\.\d\d", reponse["Server-Timing"])


def test_sans_la_mesure_aucune_reponse_ne_dit_son_cout(client):
    assert "Server-Timing" not in client.get("/sante/")
