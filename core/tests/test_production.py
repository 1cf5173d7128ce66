"""Le mode production : fichiers statiques collectés, sonde honnête, en-têtes de sécurité.

Ce qui ne se voit qu'avec DEBUG=false (manifeste des statiques, contrôles de déploiement) est
vérifié ici dans un sous-processus ou avec le stockage de production ; `.ci/production` sert en
plus le site avec gunicorn et visite chaque type de page.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

RACINE = Path(__file__).resolve().parents[2]
MANIFESTE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def environnement_de_production(**autres: str) -> dict[str, str]:
    """L'environnement que documente le README (« Déploiement en production »)."""
    env = environnement_vierge()
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PILOTAGE_CLE_PSEUDONYMISATION=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="autonomie.exemple.fr",
        CSRF_TRUSTED_ORIGINS="https://autonomie.exemple.fr",
        SECURE_PROXY_SSL="true",
        API_ENTETE_IP_CLIENT="X-Forwarded-For",
    )
    env.update(autres)
    return env


def environnement_vierge() -> dict[str, str]:
    """Rien de ce que les tests posent (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE des tests de
    navigateur…) : seulement ce qu'il faut pour lancer Python."""
    return {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_est_propre_dans_l_environnement_de_production_documente():
    resultat = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=environnement_de_production()
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "no issues" in resultat.stdout


def test_derriere_le_mandataire_sans_en_tete_d_adresse_check_deploy_previent():
    env = environnement_de_production(API_ENTETE_IP_CLIENT="")
    resultat = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert resultat.returncode != 0
    assert "autonomie.W001" in resultat.stderr + resultat.stdout


def test_sans_debug_defini_le_site_refuse_de_demarrer_avec_la_cle_de_developpement():
    resultat = manage("check", env=environnement_vierge())
    assert resultat.returncode != 0
    assert "SECRET_KEY n'est pas définie" in resultat.stderr
    assert "secrets.token_urlsafe" in resultat.stderr


def test_sans_debug_une_cle_de_pseudonymisation_egale_a_secret_key_est_refusee():
    env = environnement_de_production()
    env["PILOTAGE_CLE_PSEUDONYMISATION"] = env["SECRET_KEY"]
    resultat = manage("check", env=env)
    assert resultat.returncode != 0
    assert "PILOTAGE_CLE_PSEUDONYMISATION est identique à une autre clé" in resultat.stderr


@pytest.fixture(scope="module")
def statiques_collectes(tmp_path_factory) -> Path:
    """Un collectstatic de production (manifeste), fait une fois pour le module."""
    dossier = tmp_path_factory.mktemp("statiques")
    from django.conf import settings

    stockages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFESTE}}
    with override_settings(STATIC_ROOT=dossier, STORAGES=stockages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return dossier


def stockage_de_production(settings, dossier: Path) -> None:
    settings.STATIC_ROOT = dossier
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFESTE}}


def test_collectstatic_de_production_trouve_chaque_fichier_que_nomment_les_statiques(
    statiques_collectes,
):
    """leaflet.js nomme sa carte des sources : le manifeste échouait faute de la livrer."""
    assert (statiques_collectes / "staticfiles.json").exists()
    assert list(statiques_collectes.glob("core/vendor/leaflet/leaflet.js.*.map"))


@pytest.mark.django_db
def test_la_sonde_echoue_quand_les_pages_ne_peuvent_pas_se_rendre(client, settings, tmp_path):
    # Statiques jamais collectés : chaque page HTML répondrait 500.
    stockage_de_production(settings, tmp_path)
    reponse = client.get("/sante/")
    assert reponse.status_code == 503
    assert reponse.json() == {"statut": "erreur", "controle": "pages"}


@pytest.mark.django_db
def test_la_sonde_repond_quand_les_statiques_sont_collectes(client, settings, statiques_collectes):
    stockage_de_production(settings, statiques_collectes)
    assert client.get("/sante/").json() == {"statut": "ok"}


@pytest.mark.django_db
def test_chaque_page_porte_une_politique_de_securite_sans_script_en_ligne(client):
    reponse = client.get("/recherche/?commune=58194")
    politique = reponse.headers["Content-Security-Policy"]
    assert "script-src 'self'" in politique
    assert "'unsafe-inline'" not in politique
    assert "frame-ancestors 'none'" in politique
    html = reponse.content.decode()
    # Chaque script vient d'un fichier ; seules les données JSON sont dans la page.
    for balise in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in balise or 'type="application/json"' in balise, balise
    # La seule feuille en ligne (couleur du déployeur) porte le nonce de la politique.
    nonce = re.search(r"'nonce-([^']+)'", politique).group(1)
    assert f'<style nonce="{nonce}">' in html


@pytest.mark.django_db
def test_derriere_le_mandataire_http_est_redirige_vers_https_sauf_la_sonde(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    en_clair = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert en_clair.status_code == 301 and en_clair["Location"].startswith("https://")
    assert client.get("/sante/", headers={"X-Forwarded-Proto": "http"}).status_code == 200
    chiffre = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert chiffre.status_code == 200
    assert chiffre["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_sur_sqlite_une_ecriture_attend_son_tour_au_lieu_d_echouer_aussitot():
    """Une connexion pendant un import échouait en « database is locked » après 5 s."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL verrouille par ligne : pas d'écrivain unique à attendre")
    with connection.cursor() as curseur:
        curseur.execute("PRAGMA busy_timeout")
        assert curseur.fetchone()[0] >= 20_000
