"""Conservation des textes libres (`purger_satisfaction`) et recomptage depuis les réponses."""

import datetime as dt

import pytest
from django.core.management import call_command

from satisfaction.models import Comptage, Reponse
from satisfaction.services import enregistrer_reponse, limite_conservation_textes, purger_textes
from territoires.models import Departement

pytestmark = pytest.mark.django_db


def reponse(version, mois: dt.date, texte: str = "Appelez-moi au 06 12 34 56 78.", **valeurs):
    return enregistrer_reponse(
        version=version,
        departement=Departement.objects.get(pk="58"),
        valeurs=valeurs or {"globale": "satisfait", "pour_qui": "moi"},
        texte_libre=texte,
        mois=mois,
    )


def test_la_conservation_se_compte_en_mois_entiers(settings):
    settings.SATISFACTION_TEXTE_CONSERVATION_MOIS = 24
    assert limite_conservation_textes(dt.date(2026, 12, 3)) == dt.date(2024, 12, 1)
    assert limite_conservation_textes(dt.date(2026, 1, 31)) == dt.date(2024, 1, 1)


def test_les_textes_libres_trop_anciens_sont_vides_les_comptes_restent(version, settings, capsys):
    settings.SATISFACTION_TEXTE_CONSERVATION_MOIS = 24
    aujourd_hui = dt.date.today()
    ancienne = reponse(version, dt.date(aujourd_hui.year - 3, 1, 1))
    recente = reponse(version, aujourd_hui)
    comptes_avant = list(Comptage.objects.order_by("pk").values_list("nombre", flat=True))
    call_command("purger_satisfaction")
    assert "1 texte(s) libre(s) vidé(s)" in capsys.readouterr().out
    ancienne.refresh_from_db()
    recente.refresh_from_db()
    assert (ancienne.texte_libre, ancienne.texte_efface) == ("", True)
    assert ancienne.valeurs == {"globale": "satisfait", "pour_qui": "moi"}
    assert recente.texte_libre.startswith("Appelez-moi")
    assert list(Comptage.objects.order_by("pk").values_list("nombre", flat=True)) == comptes_avant
    assert purger_textes() == 0  # sans effet la seconde fois


def test_recompter_redonne_les_memes_comptes(version):
    reponse(version, dt.date(2026, 1, 1), globale="satisfait", motifs=["aah", "cmi"])
    reponse(version, dt.date(2026, 1, 1), globale="insatisfait", motifs=["cmi"])
    reponse(version, dt.date(2026, 2, 1), globale="non_concerne", pour_qui="proche")
    avant = set(Comptage.objects.values_list(
        "departement", "mois", "origine", "segment", "question", "signature", "niveau", "nombre"
    ))  # fmt: skip
    call_command("recompter_satisfaction", "--departement", "58")
    apres = set(Comptage.objects.values_list(
        "departement", "mois", "origine", "segment", "question", "signature", "niveau", "nombre"
    ))  # fmt: skip
    assert apres == avant
    cmi = Comptage.objects.filter(segment="motifs=cmi", question="globale")
    assert dict(cmi.values_list("niveau", "nombre")) == {"satisfait": 1, "insatisfait": 1}
    assert Reponse.objects.count() == 3


def test_un_questionnaire_abandonne_ne_reste_que_2_heures_puis_est_efface(client, version):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post("/donner-mon-avis/etape/1/", {"mdph_commune": "Nevers", "action": "suivant"})
    session = Session.objects.get()
    assert dt.timedelta(hours=1) < session.expire_date - timezone.now() <= dt.timedelta(hours=2)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    call_command("purger_satisfaction")
    assert not Session.objects.exists()
