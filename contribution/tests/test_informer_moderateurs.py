"""Le résumé des nouveautés envoyé aux modérateurs (`informer_moderateurs`) : un courriel par
modérateur, pour son territoire, chaque élément annoncé une seule fois, et la désinscription."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from contribution import annonces, services
from contribution.models import Motif, Proposition, Signalement

from .conftest import AUXERRE, NEVERS, moderateur_de, service_a, structure_a

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def adresse_du_site(settings):
    settings.AUTONOMIE_ADRESSE_SITE = "https://autonomie.example.fr"


def proposer(fiche, nom="Nouveau nom"):
    return services.proposer(
        fiche=fiche,
        valeurs={"nom": nom},
        version_lue=fiche.version,
        auteur=None,
        origine=Proposition.Origine.GESTIONNAIRE,
    )


def signaler(fiche, texte="Le numéro a changé."):
    return services.signaler(
        fiche=fiche, motif=Motif.COORDONNEES, texte=texte, courriel="", client="x" * 64
    )


def informer() -> str:
    call_command("informer_moderateurs", stdout=(sortie := StringIO()), verbosity=0)
    return sortie.getvalue()


def courriel_de(adresse: str):
    return next(m for m in mail.outbox if m.to == [adresse])


def test_chaque_moderateur_recoit_un_seul_resume_de_son_territoire(
    moderateur_nievre, moderateur_yonne
):
    proposer(structure_a(NEVERS))
    proposer(structure_a(NEVERS))
    signaler(service_a(NEVERS))
    signaler(service_a(AUXERRE))
    sortie = informer()
    assert "2 proposition(s) et 2 signalement(s) annoncé(s)" in sortie
    assert "2 courriel(s) envoyé(s)" in sortie
    assert len(mail.outbox) == 2
    nievre = courriel_de(moderateur_nievre.email)
    assert "2 nouvelles propositions de modification" in nievre.body
    assert "1 nouveau signalement d'erreur" in nievre.body
    assert "https://autonomie.example.fr/moderation/" in nievre.body
    html = nievre.alternatives[0].content
    assert 'href="https://autonomie.example.fr/moderation/"' in html
    desinscription = re.search(r"https://\S+/lien/moderation/desinscription/\S+/", nievre.body)
    assert nievre.extra_headers["List-Unsubscribe"] == f"<{desinscription.group(0)}>"
    yonne = courriel_de(moderateur_yonne.email)
    assert "proposition" not in yonne.body and "1 nouveau signalement" in yonne.body


def test_la_commande_lancee_deux_fois_n_annonce_rien_deux_fois(moderateur_nievre):
    proposer(structure_a(NEVERS))
    informer()
    assert "0 proposition(s) et 0 signalement(s) annoncé(s) ; 0 courriel(s)" in informer()
    assert len(mail.outbox) == 1
    signaler(service_a(NEVERS))
    informer()
    assert len(mail.outbox) == 2
    assert "proposition" not in mail.outbox[1].body
    assert "1 nouveau signalement" in mail.outbox[1].body


def test_un_element_reserve_par_une_autre_commande_entre_temps_n_est_pas_annonce(
    moderateur_nievre, monkeypatch
):
    """Deux commandes simultanées : elles lisent les mêmes éléments, mais l'UPDATE
    conditionnel départage ; celle qui arrive la seconde ne compte ni n'annonce rien."""
    proposition = proposer(structure_a(NEVERS))
    marquer = annonces.marquer_annonce

    def l_autre_commande_passe_avant(modele, pk, *, le):
        assert marquer(modele, pk, le=le) is True  # l'autre commande
        return marquer(modele, pk, le=le)

    monkeypatch.setattr(annonces, "marquer_annonce", l_autre_commande_passe_avant)
    assert "0 proposition(s)" in informer()
    assert mail.outbox == []
    proposition.refresh_from_db()
    assert proposition.annonce_le is not None


def test_un_moderateur_sans_nouveaute_dans_son_territoire_ne_recoit_rien(moderateur_yonne):
    proposer(structure_a(NEVERS))
    assert "1 proposition(s) et 0 signalement(s) annoncé(s) ; 0 courriel(s)" in informer()
    assert mail.outbox == []


def test_un_element_deja_traite_n_est_pas_annonce(moderateur_nievre):
    signalement = signaler(structure_a(NEVERS))
    services.classer_signalement(signalement=signalement, par=moderateur_nievre, reponse="Non")
    assert "0 signalement(s)" in informer()
    signalement.refresh_from_db()
    assert signalement.annonce_le is None
    assert signalement.etat == Signalement.Etat.CLASSE


def test_un_moderateur_desinscrit_ne_recoit_plus_le_resume_et_peut_se_reinscrire(
    client, moderateur_nievre
):
    proposer(structure_a(NEVERS))
    informer()
    lien = re.search(r"(/lien/moderation/desinscription/\S+/)", mail.outbox[0].body).group(1)
    assert "Ne plus recevoir le résumé" in client.get(lien).content.decode()
    assert not annonces.est_desinscrit(moderateur_nievre)  # GET ne change rien
    page = client.post(lien, {"action": "desinscrire"}).content.decode()
    assert "Vous ne recevez plus le résumé de la modération" in page
    client.post(lien, {"action": "desinscrire"})  # deux clics : idempotent
    proposer(structure_a(NEVERS))
    assert "1 modérateur(s) désinscrit(s)" in informer()
    assert len(mail.outbox) == 1
    page = client.post(lien, {"action": "reinscrire"}).content.decode()
    assert "recevra de nouveau le résumé" in page
    proposer(structure_a(NEVERS))
    informer()
    assert len(mail.outbox) == 2


def test_un_lien_de_desinscription_falsifie_est_inconnu(client):
    assert client.get("/lien/moderation/desinscription/abime/").status_code == 404


def test_un_compte_sans_role_de_moderateur_ne_recoit_pas_le_resume(django_user_model):
    django_user_model.objects.create(username="public", email="public@exemple.fr")
    ancien = moderateur_de("58")
    ancien.is_active = False
    ancien.save()
    proposer(structure_a(NEVERS))
    informer()
    assert mail.outbox == []
