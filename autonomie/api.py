"""API publique en lecture seule, v1. Chaque application fournit son routeur."""

from ninja import NinjaAPI

from core.api import installer_erreurs
from core.limitation import LimiteParIP
from pilotage.api import router as barometre_router
from repertoire.api import router as repertoire_router
from repertoire.api_professionnels import router as professionnels_router
from territoires.api import router as territoires_router

api = NinjaAPI(
    title="API Autonomie",
    version="1.0.0",
    description="Répertoire des ressources de l'autonomie : structures, services, communes, "
    "besoins ; baromètre public des MDPH (`/barometre/`). Lecture seule, données sous "
    "Licence Ouverte 2.0. Sans authentification ; "
    "chaque adresse IP a droit à un nombre limité de requêtes par minute (réponse 429 et "
    "en-tête Retry-After au-delà). Paramètres refusés : réponse 422 qui nomme chacun d'eux. "
    "Seule exception, `/pro/` : les fiches avec leurs contacts réservés aux professionnels, "
    "pour une personne connectée au site qui en a le droit sur le territoire de la fiche "
    "(401 sans connexion, 403 hors de son territoire ou sans ce droit).",
    urls_namespace="api-v1",
    throttle=[LimiteParIP()],
)
installer_erreurs(api)
api.add_router("/communes", territoires_router)
api.add_router("/pro", professionnels_router)
api.add_router("/", barometre_router)
api.add_router("/", repertoire_router)
