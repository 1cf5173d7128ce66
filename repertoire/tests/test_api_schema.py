"""Toute l'API au banc de schemathesis : jamais d'erreur serveur, réponses conformes au schéma.

Borné et déterministe (derandomize) : la même suite d'exemples à chaque passage, en quelques
secondes par base ; les données de démonstration donnent des pages et des fiches réelles.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from autonomie.api import api
from echanges.tests.demo import charger_demo_sans_communes

pytestmark = pytest.mark.django_db


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@pytest.fixture
def application(settings):
    """L'application, dont les requêtes restent dans la transaction du test, avec la démo.

    Comme le client de test de Django, on débranche close_old_connections : il fermerait la
    connexion au milieu de la transaction du test.
    """
    settings.API_LIMITE_PAR_MINUTE = 0
    charger_demo_sans_communes()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_l_api_respecte_son_schema_et_ne_tombe_jamais_en_erreur(application, case):
    case.call_and_validate()
