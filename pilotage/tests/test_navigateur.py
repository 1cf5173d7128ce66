"""Pilotage dans Chromium : la page de refus et l'accueil passent axe-core.

Le compte est connecté par le cookie de session d'un `Client` qui a passé le double facteur
(le formulaire de connexion a ses propres tests). Serveur de pytest-django, tests
transactionnels qui épargnent les communes, comme `repertoire/tests/test_navigateur.py`.
"""

from django.contrib.auth.models import User
from playwright.sync_api import expect

from pilotage.tests.navigateur import MARQUES, sans_violation

pytestmark = MARQUES


# Les rôles ne sont pas lus ici : sous `available_apps` sans `territoires`, Django ne résout
# plus la relation cachée Role.communes (related_name="+") et la lecture des rôles échoue ;
# la portée par territoire est vérifiée dans test_perimetre.py.


def test_la_page_de_refus_passe_axe_core(onglet, live_server):
    page = onglet(User.objects.create_user("curieux", password="mot-de-passe-long"))
    reponse = page.goto("/pilotage/mdph/58/activite/")
    assert reponse.status == 403
    expect(page.locator("h1")).to_have_text("Accès refusé")
    sans_violation(page)


def test_l_accueil_du_pilotage_dit_quelles_donnees_il_montre_et_passe_axe_core(onglet, settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58,89"
    page = onglet(User.objects.create_superuser("verification", "v@exemple.fr", "x" * 12))
    page.goto("/pilotage/")
    expect(page.get_by_text("valeurs publiées par les baromètres nationaux")).to_be_visible()
    sans_violation(page)
