# Les fixtures du pilotage (départements, comptes connectés, déploiement national).
from pilotage.tests.conftest import (  # noqa: F401
    connecte,
    departements,
    deploiement_national,
    hachage_rapide,
)
