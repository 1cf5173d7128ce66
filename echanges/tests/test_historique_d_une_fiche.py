"""L'historique d'une fiche montre chaque changement, qu'il vienne d'un import ou d'une
personne dans l'administration : qui ou quelle source, quand, ancien → nouveau par champ
(issue 10, « Done when »)."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from comptes.tests.outils import connecter_avec_double_facteur
from core.tests.formulaire_html import formulaire_affiche
from echanges.finess import importer_finess
from repertoire.models import Service

REELS = Path(__file__).parent / "data" / "finess_reels.csv"
FINESS_ET = "350000253"

pytestmark = pytest.mark.django_db


def finess_au_telephone_change(tmp_path: Path) -> Path:
    texte = REELS.read_bytes().decode("iso-8859-1").replace(";0299589578;", ";0299589579;")
    chemin = tmp_path / "etalab-cs1100507-stock-20210108-0428.csv"
    chemin.write_bytes(texte.encode("iso-8859-1"))
    return chemin


@pytest.fixture
def agent(django_user_model) -> Client:
    client = Client()
    personne = django_user_model.objects.create_superuser("agent", "agent@exemple.fr", "x")
    connecter_avec_double_facteur(client, personne)
    return client


def corriger_dans_l_administration(agent: Client, service: Service, **valeurs: str) -> None:
    url = reverse("admin:repertoire_service_change", args=[service.pk])
    donnees = formulaire_affiche(agent.get(url), "service_form")
    assert agent.post(url, {**donnees, **valeurs}).status_code == 302


def test_l_historique_montre_l_import_la_correction_d_une_personne_et_le_reimport(agent, tmp_path):
    importer_finess(REELS)
    service = Service.objects.get(lieux__finess_et=FINESS_ET)
    ancienne_description = service.description
    corriger_dans_l_administration(agent, service, description="Accueil sur rendez-vous.")
    importer_finess(finess_au_telephone_change(tmp_path))

    lignes = list(service.history.order_by("history_date", "history_id"))
    assert [(ligne.history_type, ligne.history_change_reason) for ligne in lignes] == [
        ("+", "finess"), ("~", "administration"), ("~", "finess"),
    ]  # fmt: skip
    assert lignes[1].history_user.username == "agent"
    correction = lignes[1].diff_against(lignes[0])
    assert [(c.field, c.old, c.new) for c in correction.changes] == [
        ("description", ancienne_description, "Accueil sur rendez-vous.")
    ]
    assert [ligne.version for ligne in lignes] == [1, 2, 3]


def test_la_page_d_historique_de_l_administration_dit_qui_quand_et_ce_qui_a_change(agent):
    importer_finess(REELS)
    service = Service.objects.get(lieux__finess_et=FINESS_ET)
    corriger_dans_l_administration(agent, service, description="Accueil sur rendez-vous.")

    page = agent.get(reverse("admin:repertoire_service_history", args=[service.pk])).text

    assert page.count("finess") >= 1 and "administration" in page
    assert "Accueil sur rendez-vous." in page
    assert "agent" in page
