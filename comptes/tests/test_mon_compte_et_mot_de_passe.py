"""Mon compte (rôles, mot de passe, double facteur) et réinitialisation par courriel."""

import re

import pytest
from django.core import mail

from comptes.models import TypeRole
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


def test_mon_compte_montre_les_roles_avec_institution_et_territoire(client):
    role = RoleFactory(type=TypeRole.MODERATEUR, institution=InstitutionFactory(nom="CLIC 58"))
    client.force_login(role.utilisateur)
    page = client.get("/compte/").content.decode()
    assert "modérateur" in page and "CLIC 58" in page and "département : Nièvre" in page
    assert "Activer le double facteur" in page and "Facultatif" in page


def test_mon_compte_demande_une_connexion(client):
    assert client.get("/compte/")["Location"].startswith("/compte/connexion/?next=")


def test_le_mot_de_passe_se_change_avec_les_validateurs(client):
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)
    donnees = {"old_password": "un-mot-de-passe-assez-long"}
    faible = client.post(
        "/compte/mot-de-passe/", {**donnees, "new_password1": "123", "new_password2": "123"}
    )
    assert faible.status_code == 200
    bon = "une-autre-phrase-solide"
    reponse = client.post(
        "/compte/mot-de-passe/", {**donnees, "new_password1": bon, "new_password2": bon}
    )
    assert reponse.status_code == 302
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(bon)


def test_le_mot_de_passe_oublie_se_reinitialise_par_un_courriel_en_francais(client):
    utilisateur = UtilisateurFactory(email="claire@nievre.fr")
    reponse = client.post("/compte/mot-de-passe/oubli/", {"email": "CLAIRE@nievre.fr"})
    assert reponse["Location"] == "/compte/mot-de-passe/oubli/envoye/"
    courriel = mail.outbox[0]
    assert "réinitialisation de votre mot de passe" in courriel.subject
    assert courriel.alternatives[0].mimetype == "text/html"
    lien = re.search(r"https?://[^/]+(/compte/reinitialisation/\S+)", courriel.body)[1]
    formulaire = client.get(lien, follow=True)
    assert "Choisir un nouveau mot de passe" in formulaire.content.decode()
    bon = "une-autre-phrase-solide"
    page = formulaire.redirect_chain[-1][0]
    reponse = client.post(page, {"new_password1": bon, "new_password2": bon})
    assert reponse["Location"] == "/compte/mot-de-passe/reinitialise/"
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(bon)


def test_une_adresse_inconnue_ne_se_distingue_pas(client):
    reponse = client.post("/compte/mot-de-passe/oubli/", {"email": "personne@nulle-part.fr"})
    assert reponse["Location"] == "/compte/mot-de-passe/oubli/envoye/"
    assert not mail.outbox
