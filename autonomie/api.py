"""API publique en lecture seule, v1. Chaque application fournit son routeur."""

from ninja import NinjaAPI

from repertoire.api import router as repertoire_router
from territoires.api import router as territoires_router

api = NinjaAPI(
    title="API Autonomie",
    version="1.0.0",
    description="Répertoire des ressources de l'autonomie : structures, services, communes, "
    "besoins. Lecture seule, données sous Licence Ouverte 2.0.",
    urls_namespace="api-v1",
)
api.add_router("/communes", territoires_router)
api.add_router("/", repertoire_router)
