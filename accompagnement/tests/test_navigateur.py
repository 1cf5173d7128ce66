"""Le dossier d'accompagnement dans Chromium : axe-core, formulaires dépliés compris.

Même montage que `pilotage/tests/test_navigateur.py` : serveur de pytest-django, tests
transactionnels qui épargnent les communes, compte superutilisateur (les rôles ne sont pas
lus sous `available_apps`)."""

import datetime as dt

from django.contrib.auth.models import User
from playwright.sync_api import expect

from accompagnement.models import Accompagnement, ActionPlan, Diagnostic, Renfort
from pilotage.tests.factories import DepartementFactory
from pilotage.tests.navigateur import MARQUES, sans_violation

pytestmark = MARQUES


def test_le_dossier_d_accompagnement_passe_axe_core_et_fait_avancer_une_action(onglet, settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    dossier = Accompagnement.objects.create(
        departement=DepartementFactory(code="58"),
        motif="MDPH 58 en difficulté en 2024 d'après les demandes transmises",
        debut=dt.date(2024, 7, 1),
        signataire_cnsa="Direction de la CNSA",
        signataire_departement="Président du conseil départemental",
        signataire_mdph="Directrice de la MDPH",
        date_signature=dt.date(2024, 7, 15),
        reference_document="CONV-2024-58",
    )
    Diagnostic.objects.create(accompagnement=dossier, axe="cdaph", niveau="critique")
    ActionPlan.objects.create(
        accompagnement=dossier,
        intitule="Séances de CDAPH",
        responsable="MDPH",
        echeance=dt.date(2024, 12, 31),
    )
    Renfort.objects.create(accompagnement=dossier, intitule="Intérim", agents_etp=2, mois=6)
    page = onglet(User.objects.create_superuser("verification", "v@exemple.fr", "x" * 12))

    page.goto(f"/pilotage/accompagnement/{dossier.pk}/")
    expect(page.locator("h1")).to_contain_text("Accompagnement de la MDPH")
    for resume in page.locator("summary").all():
        resume.click()
    sans_violation(page)

    page.get_by_role("button", name="Démarrer : Séances de CDAPH").click()
    expect(page.get_by_role("status")).to_contain_text("en cours")
    sans_violation(page)
