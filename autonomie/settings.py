"""Réglages d'Autonomie, lus dans l'environnement (voir docs/configuration.md).

Les valeurs par défaut font tourner le site sur un poste (SQLite, courriels en console) ;
la production ne diffère que par ses variables, jamais par un autre chemin de code.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.env import (
    env_bool,
    env_cle_secrete,
    env_int,
    env_list,
    env_mois_par_categorie,
    env_str,
    env_urls,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Le mode développement se demande (DEBUG=true, ce que font scripts/demo et les tests) : un
# serveur dont on a oublié DEBUG ne tourne jamais avec la clé de développement.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_cle_secrete(
    "SECRET_KEY",
    debug=DEBUG,
    cle_de_developpement="cle-de-developpement-a-ne-jamais-utiliser-en-production",
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # L'administration de Django, réservée aux administrateurs de la plateforme
    # (comptes/administration.py) et connectée par la page de connexion du site.
    "comptes.administration.AdministrationConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Présent pour que la documentation de l'API serve Swagger UI depuis nos statiques : sans
    # lui, django-ninja la charge depuis un CDN (interdit par la CSP, et par nos conventions).
    "ninja",
    "corsheaders",
    "simple_history",
    "axes",
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "territoires",
    "comptes",
    "repertoire",
    "doublons",
    "echanges",
    "pilotage",
    "accompagnement",
    "contribution",
    "fraicheur",
    "veille",
    "satisfaction",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Une session ouverte avant le retrait d'un rôle ou la désactivation du compte est fermée.
    "comptes.middleware.SessionsFermeesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Pilotage et administration : double facteur exigé (comptes/double_facteur.py).
    "comptes.middleware.DoubleFacteurMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Lectures publiques anonymes sur une réplique (core/bases.py) ; absent sans réplique.
    "core.bases.LecturesSurRepliqueMiddleware",
    # En dernier : répond « connexion bloquée » quand le moteur d'axes refuse une tentative.
    "axes.middleware.AxesMiddleware",
]
# Banc de charge : le CPU serveur de chaque requête dans l'en-tête Server-Timing (core/mesure.py).
if env_bool("MESURE_CPU_SERVEUR", False):
    MIDDLEWARE.insert(0, "core.mesure.mesure_cpu")

ROOT_URLCONF = "autonomie.urls"
WSGI_APPLICATION = "autonomie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.deployeur",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'autonomie.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL : les lectures ne bloquent pas l'écriture en cours ni ne sont bloquées par elle.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Une écriture (connexion, compteur de l'API) attend son tour au lieu d'échouer aussitôt
        # en « database is locked » ; les imports écrivent par lots courts (voir README).
        "timeout": env_int("SQLITE_ATTENTE_SECONDES", 20),
    }

# Répliques en lecture (README, « Répliques en lecture » ; core/bases.py) : une URL ou
# plusieurs séparées par des virgules. Les lectures publiques anonymes (recherche, fiches,
# API publique) y vont ; tout le reste reste sur DATABASE_URL. Vide : tout sur DATABASE_URL.
REPLIQUES_EN_LECTURE = []
for _numero, _url in enumerate(env_urls("DATABASE_REPLICA_URL"), start=1):
    _replique = dj_database_url.parse(
        _url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    if _replique["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL doit désigner le même type de base que DATABASE_URL "
            f"(réplique n° {_numero} : {_replique['ENGINE'].rsplit('.', 1)[-1]})."
        )
    # Les réglages de connexion de la principale (SQLite : WAL, attente), sauf ceux de l'adresse.
    _replique["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **_replique.get("OPTIONS", {}),
    }
    # Dans les tests, la réplique est un miroir de la base de test (voir docs/tests.md).
    _replique["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replique_{_numero}"] = _replique
    REPLIQUES_EN_LECTURE.append(f"replique_{_numero}")
DATABASE_ROUTERS = ["core.bases.RouteurDesLectures"]
# Un navigateur qui vient d'écrire (POST…) lit sur la base principale pendant ce délai, le
# temps que les répliques rattrapent (témoin « autonomie_ecriture »).
REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES = env_int(
    "REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES", 10
)
if REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES < 1:
    raise ImproperlyConfigured(
        "REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES doit valoir au moins 1 (seconde)."
    )
# Les lectures publiques qu'une réplique peut servir (l'API des professionnels exceptée).
REPLIQUES_ADRESSES_REGEX = r"^/(recherche|services|structures)/|^/api/v1/(?!pro/)"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # En premier : compte les échecs et refuse toute tentative d'un couple bloqué.
    "axes.backends.AxesStandaloneBackend",
    # Adresse électronique (sans casse) ou identifiant ; permissions du modèle (admin).
    "comptes.backends.ConnexionParCourriel",
    # Permissions par territoire : `user.has_perm("comptes.<action>", objet)`
    # (comptes/permissions.py).
    "rules.permissions.ObjectPermissionBackend",
]
# Connexions (administration, pilotage) : après CONNEXION_ECHECS_MAX échecs pour un même
# identifiant depuis une même adresse, ce couple est bloqué CONNEXION_BLOCAGE_MINUTES minutes.
# Un administrateur débloque plus tôt (voir README, « Connexions bloquées »).
AXES_FAILURE_LIMIT = env_int("CONNEXION_ECHECS_MAX", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CONNEXION_BLOCAGE_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.limitation.adresse_client"
AXES_LOCKOUT_TEMPLATE = "core/connexion_bloquee.html"
AXES_RESET_ON_SUCCESS = True
# Données personnelles minimales : pas de journal de chaque connexion réussie, seulement les
# échecs en cours, effacés à la fin du blocage.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "core.connexions.client_pour_journal"

# Une seule page de connexion pour tout le site (adresse et mot de passe, puis code à usage
# unique quand le compte a un double facteur) ; voir comptes/views.py.
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "comptes:mon_compte"
LOGOUT_REDIRECT_URL = "accueil"
# Double facteur (django-otp) : un mauvais code double le délai avant l'essai suivant
# (1 s, 2 s, 4 s…) ; le nom du site est celui qu'affiche l'application d'authentification.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Invitations par courriel : le lien expire après ce nombre de jours.
COMPTES_INVITATION_JOURS = env_int("COMPTES_INVITATION_JOURS", 7)
# Contributions (issue 11) : une modification de gestionnaire est « retenu » (jusqu'à relecture)
# ou « publie_puis_relu », dans un département sans réglage (contribution.ReglageModeration).
CONTRIBUTION_MODERATION = env_str("CONTRIBUTION_MODERATION", "retenu")
if CONTRIBUTION_MODERATION not in {"retenu", "publie_puis_relu"}:
    raise ImproperlyConfigured(
        f"CONTRIBUTION_MODERATION vaut « retenu » ou « publie_puis_relu », pas "
        f"« {CONTRIBUTION_MODERATION} »."
    )
# « Signaler une erreur » : envois par adresse (pseudonymisée) et par minute ; un même
# signalement (fiche, motif, texte) reçu dans ce nombre d'heures n'est pas enregistré deux fois.
CONTRIBUTION_SIGNALEMENTS_PAR_MINUTE = env_int("CONTRIBUTION_SIGNALEMENTS_PAR_MINUTE", 5)
CONTRIBUTION_DOUBLON_HEURES = env_int("CONTRIBUTION_DOUBLON_HEURES", 24)
# Lien de réinitialisation du mot de passe : valable une heure.
PASSWORD_RESET_TIMEOUT = 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "autonomie@localhost")
# Adresse publique du site, pour les liens des courriels envoyés par les commandes (sans requête).
AUTONOMIE_ADRESSE_SITE = env_str("AUTONOMIE_ADRESSE_SITE", "http://localhost:8000").rstrip("/")
# Fraîcheur des fiches (issue 11) : une fiche se revérifie tous les N mois ; par catégorie
# (catégorie FINESS d'un service, typologie d'une structure) : « 500:12,CCAS:3 ».
VERIFICATION_FREQUENCE_MOIS = env_int("VERIFICATION_FREQUENCE_MOIS", 6)
VERIFICATION_FREQUENCES_PAR_CATEGORIE = env_mois_par_categorie(
    "VERIFICATION_FREQUENCES_PAR_CATEGORIE"
)
# Une campagne de vérification : durée de validité de ses liens signés, en jours.
FRAICHEUR_CAMPAGNE_JOURS = env_int("FRAICHEUR_CAMPAGNE_JOURS", 30)
# Rappel aux gestionnaires : N jours avant l'échéance de vérification, puis à l'échéance.
FRAICHEUR_RAPPEL_AVANT_JOURS = env_int("FRAICHEUR_RAPPEL_AVANT_JOURS", 30)
FRAICHEUR_FIN_DISPOSITIF_AVANT_JOURS = env_int("FRAICHEUR_FIN_DISPOSITIF_AVANT_JOURS", 30)
# Veille des besoins (issue 13) : les comptages de recherches sont gardés N mois, puis
# supprimés par la commande `purger_veille`.
VEILLE_CONSERVATION_MOIS = env_int("VEILLE_CONSERVATION_MOIS", 25)
if VEILLE_CONSERVATION_MOIS < 1:
    raise ImproperlyConfigured("VEILLE_CONSERVATION_MOIS doit valoir au moins 1 (mois).")
# Questionnaire de satisfaction (issue 12) : envois en ligne par pseudonyme d'adresse et par
# minute (0 : sans limite) ; un même questionnaire (même adresse, même MDPH, mêmes réponses)
# renvoyé dans ce délai n'est enregistré qu'une fois ; les textes libres sont vidés après N mois
# par `purger_satisfaction` (le reste d'une réponse n'est pas personnel).
SATISFACTION_REPONSES_PAR_MINUTE = env_int("SATISFACTION_REPONSES_PAR_MINUTE", 5)
SATISFACTION_DOUBLON_MINUTES = env_int("SATISFACTION_DOUBLON_MINUTES", 30)
# Issue 12, § 2 : aucun chiffre publié pour un groupe de moins de réponses que ce seuil.
SATISFACTION_SEUIL_PUBLICATION = env_int("SATISFACTION_SEUIL_PUBLICATION", 30)
SATISFACTION_TEXTE_CONSERVATION_MOIS = env_int("SATISFACTION_TEXTE_CONSERVATION_MOIS", 24)
if SATISFACTION_TEXTE_CONSERVATION_MOIS < 1:
    raise ImproperlyConfigured(
        "SATISFACTION_TEXTE_CONSERVATION_MOIS doit valoir au moins 1 (mois)."
    )

# Derrière un répartiteur de charge HTTPS.
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
# En production, HTTP est redirigé vers HTTPS, sauf la sonde que le répartiteur interroge en
# clair ; HSTS demande ensuite au navigateur de ne plus jamais venir en HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDES", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SOUS_DOMAINES", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# API publique en lecture seule : tout site peut la lire.
# L'API des professionnels (/api/v1/pro/, authentifiée par la session) n'est pas ouverte aux
# autres sites : un script d'une autre origine ne doit pas lire ce que voit la personne.
CORS_URLS_REGEX = r"^/api/(?!v1/pro/).*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Requêtes anonymes par adresse IP et par minute (0 : sans limite). Le compteur est une table
# de la base (core.CompteurDebit), incrémentée en une instruction par tous les processus web.
API_LIMITE_PAR_MINUTE = env_int("API_LIMITE_PAR_MINUTE", 120)
# En-tête où le mandataire de confiance écrit l'adresse du client (ex. X-Forwarded-For).
API_ENTETE_IP_CLIENT = env_str("API_ENTETE_IP_CLIENT")
# Thésaurus et communes gardés en mémoire de chaque processus (core/memoire.py) : un
# `charger_referentiels` lancé à côté est vu par les processus web au plus tard après ce délai.
REFERENTIELS_MEMOIRE_SECONDES = env_int("REFERENTIELS_MEMOIRE_SECONDES", 300)

# Identité du déployeur (thème neutre par défaut ; le DSFR est réservé aux sites de l'État).
AUTONOMIE_DEPLOYEUR_NOM = env_str("AUTONOMIE_DEPLOYEUR_NOM", "Conseil départemental de la Nièvre")
AUTONOMIE_SITE_NOM = env_str("AUTONOMIE_SITE_NOM", "Autonomie Nièvre")
OTP_TOTP_ISSUER = AUTONOMIE_SITE_NOM
AUTONOMIE_LOGO_URL = env_str("AUTONOMIE_LOGO_URL")
AUTONOMIE_COULEUR_PRIMAIRE = env_str("AUTONOMIE_COULEUR_PRIMAIRE", "#1f4e79")
# Territoire servi (territoires/deploiement.py) : « departement:58 », « departement:58,89 »,
# « region:27 » ou « national ». Les rôles, la recherche, l'accueil et les rapports le suivent.
AUTONOMIE_TERRITOIRE = env_str("AUTONOMIE_TERRITOIRE", "departement:58")
# Clé HMAC des identifiants MDPH pseudonymisés : stable pour toujours, distincte de SECRET_KEY.
PILOTAGE_CLE_PSEUDONYMISATION = env_cle_secrete(
    "PILOTAGE_CLE_PSEUDONYMISATION",
    debug=DEBUG,
    cle_de_developpement="cle-de-pseudonymisation-de-developpement",
    differente_de=(SECRET_KEY,),
)
# Thème des pages publiques : « neutre » (le nôtre) ou « dsfr » (sites de l'État seulement).
AUTONOMIE_THEME = env_str("AUTONOMIE_THEME", "neutre").strip().lower()
if AUTONOMIE_THEME not in {"neutre", "dsfr"}:
    raise ImproperlyConfigured(
        f"AUTONOMIE_THEME doit valoir neutre ou dsfr, pas « {AUTONOMIE_THEME} »."
    )
if AUTONOMIE_THEME == "dsfr":
    INSTALLED_APPS += ["widget_tweaks", "dsfr"]
# Fond de carte : tuiles raster {z}/{x}/{y} ; l'attribution est exigée par la plupart des serveurs.
AUTONOMIE_TUILES_URL = env_str(
    "AUTONOMIE_TUILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
AUTONOMIE_TUILES_ATTRIBUTION = env_str(
    "AUTONOMIE_TUILES_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs d\'OpenStreetMap</a>',
)


def _origine(url: str) -> list[str]:
    """L'origine (schéma://hôte) d'une adresse absolue, à autoriser dans la CSP."""
    morceaux = urlsplit(url.replace("{s}", "*"))
    return [f"{morceaux.scheme}://{morceaux.netloc}"] if morceaux.scheme else []


# Content-Security-Policy : aucun script en ligne ni d'ailleurs ; la seule feuille de style
# en ligne (couleur du déployeur) porte le nonce de la page. Images : tuiles et logo.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [
            SELF,
            "data:",
            *_origine(AUTONOMIE_TUILES_URL),
            *_origine(AUTONOMIE_LOGO_URL),
        ],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Aucune adresse électronique, adresse IP ni jeton de lien ne sort (core/journaux.py).
    "filters": {"sans_donnees_personnelles": {"()": "core.journaux.SansDonneesPersonnelles"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["sans_donnees_personnelles"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
