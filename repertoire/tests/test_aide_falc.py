"""L'aide à l'écriture d'un résumé FALC : la lisibilité mesurée en français, avec les règles,
à côté du champ dans l'administration des services (et pour tout formulaire de fiche)."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from comptes.tests.outils import connecter_avec_double_facteur
from core.tests.formulaire_html import formulaire_affiche
from repertoire.falc import REGLES_FALC, mesurer_lisibilite, phrases_de
from repertoire.models import Service
from repertoire.tests.factories import ServiceFactory
from repertoire.widgets import AideFalcTextarea, aide_falc

FACILE = "Vous aidez un proche.\nNous pouvons vous aider à souffler.\nAppelez-nous."
DIFFICILE = (
    "L'établissement d'hébergement pour personnes âgées dépendantes (EHPAD) propose un "
    "accompagnement personnalisé et pluridisciplinaire aux résidents nécessitant une "
    "surveillance médicale constante."
)


def test_un_texte_court_en_mots_simples_est_tres_facile_a_lire():
    mesure = mesurer_lisibilite(FACILE)
    assert mesure.score > 80
    assert mesure.niveau == "très facile à lire"
    assert (mesure.phrases, mesure.mots_de_la_plus_longue) == (3, 6)
    assert mesure.conseils == []


def test_un_texte_administratif_est_difficile_et_l_aide_dit_quoi_changer():
    mesure = mesurer_lisibilite(DIFFICILE)
    assert mesure.score < 50
    assert mesure.niveau == "difficile à lire"
    assert mesure.mots_de_la_plus_longue == 20
    assert mesure.sigles == ["EHPAD"]
    assert {"accompagnement", "pluridisciplinaire", "établissement"} <= set(mesure.mots_longs)
    assert mesure.conseils[0] == "Une phrase a 20 mots : coupez-la (15 mots au plus)."
    assert mesure.conseils[1] == "Écrivez en entier ou expliquez : EHPAD."


def test_chaque_ligne_compte_pour_une_phrase_meme_sans_point():
    assert phrases_de("Bonjour\nVous êtes aidant ? Nous aussi.") == [
        "Bonjour",
        "Vous êtes aidant ?",
        "Nous aussi.",
    ]


def test_un_texte_vide_ne_donne_pas_de_score():
    assert mesurer_lisibilite("  \n ").score is None


def test_le_gabarit_d_aide_montre_la_mesure_et_les_regles():
    html = aide_falc(DIFFICILE)
    assert "Score de lisibilité (Kandel et Moles)" in html
    assert "difficile à lire" in html
    assert "Sigles : EHPAD" in html
    assert all(regle.replace("'", "&#x27;") in html for regle in REGLES_FALC[:2])
    vide = render_to_string(
        "repertoire/_aide_falc.html", {"mesure": mesurer_lisibilite(""), "regles": REGLES_FALC}
    )
    assert "sa lisibilité sera mesurée ici" in vide


def test_le_champ_est_relie_a_son_aide_pour_les_lecteurs_d_ecran():
    html = AideFalcTextarea().render("resume_falc", FACILE, attrs={"id": "id_resume_falc"})
    assert 'aria-describedby="id_resume_falc-aide-falc"' in html
    assert 'id="id_resume_falc-aide-falc"' in html
    assert html.index("<textarea") < html.index("Lisibilité du résumé")


@pytest.mark.django_db
def test_l_administration_d_un_service_montre_l_aide_falc_a_cote_du_resume(django_user_model):
    client = Client()
    connecter_avec_double_facteur(
        client, django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    )
    service = ServiceFactory(resume_falc=DIFFICILE)
    url = reverse("admin:repertoire_service_change", args=[service.pk])
    html = client.get(url).content.decode()
    assert "Lisibilité du résumé" in html
    assert "Écrivez en entier ou expliquez : EHPAD." in html
    donnees = formulaire_affiche(client.get(url), "service_form")
    donnees["resume_falc"] = FACILE
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    assert Service.objects.get(pk=service.pk).resume_falc.replace("\r\n", "\n") == FACILE
