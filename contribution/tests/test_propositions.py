"""Une proposition : diff champ par champ, machine à états explicite, acceptation par la porte
des fiches, conflit de deux modérateurs, refus motivé, auteur informé par courriel."""

import pytest
from django.core import mail
from django_fsm import TransitionNotAllowed

from contribution import services
from contribution.models import Proposition

from .conftest import NEVERS, service_a, structure_a

pytestmark = pytest.mark.django_db


def proposer(fiche, auteur=None, **valeurs):
    return services.proposer(
        fiche=fiche,
        valeurs=valeurs,
        version_lue=fiche.version,
        auteur=auteur,
        origine=Proposition.Origine.GESTIONNAIRE,
    )


def test_une_proposition_garde_l_ancien_et_le_nouveau_de_chaque_champ_qui_change(
    structure_nievre,
):
    proposition = proposer(structure_nievre, nom="CLIC du Nivernais", description="")
    assert proposition.diff == {"nom": {"avant": "CLIC de Nevers", "apres": "CLIC du Nivernais"}}
    assert proposition.version_lue == structure_nievre.version
    assert proposition.etat == Proposition.Etat.PROPOSEE
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC de Nevers"


def test_accepter_ecrit_par_la_porte_avec_le_moderateur_dans_l_historique(
    structure_nievre, moderateur_nievre
):
    version = structure_nievre.version
    proposition = proposer(structure_nievre, nom="CLIC du Nivernais")
    services.accepter(proposition=proposition, par=moderateur_nievre)
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC du Nivernais"
    assert structure_nievre.version == version + 1
    assert "nom" in structure_nievre.champs_corriges
    ligne = structure_nievre.history.latest("history_date")
    assert ligne.history_change_reason == "moderation"
    assert ligne.history_user == moderateur_nievre
    delta = ligne.diff_against(ligne.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "nom"] == [
        ("nom", "CLIC de Nevers", "CLIC du Nivernais")
    ]
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.ACCEPTEE
    assert proposition.decidee_par == moderateur_nievre


def test_deux_moderateurs_acceptant_deux_propositions_contraires_le_second_est_prevenu(
    structure_nievre, moderateur_nievre
):
    """Les deux propositions ont été faites sur la même version : la seconde n'écrase pas la
    première ; elle reste ouverte, et le message dit pourquoi."""
    autre_moderateur = type(moderateur_nievre).objects.create(username="second", is_active=True)
    premiere = proposer(structure_nievre, nom="CLIC du Nivernais")
    seconde = proposer(structure_nievre, nom="CLIC de la Nièvre")
    services.accepter(proposition=premiere, par=moderateur_nievre)
    with pytest.raises(services.ContributionRefusee) as refus:
        services.accepter(proposition=seconde, par=autre_moderateur)
    assert "a été modifiée par quelqu'un d'autre" in str(refus.value)
    assert "La proposition reste ouverte" in str(refus.value)
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC du Nivernais"
    seconde.refresh_from_db()
    assert seconde.etat == Proposition.Etat.PROPOSEE
    assert seconde.diff["nom"]["apres"] == "CLIC de la Nièvre"
    # Relue contre la fiche d'aujourd'hui, elle peut encore être acceptée (modifier puis accepter).
    services.accepter(
        proposition=seconde,
        par=autre_moderateur,
        valeurs={"nom": "CLIC de la Nièvre"},
        version_lue=structure_nievre.version,
    )
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC de la Nièvre"


def test_un_refus_demande_une_raison_et_ne_touche_pas_la_fiche(structure_nievre, moderateur_nievre):
    proposition = proposer(structure_nievre, nom="N'importe quoi")
    with pytest.raises(services.ContributionRefusee, match="pourquoi"):
        services.refuser(proposition=proposition, par=moderateur_nievre, raison="  ")
    services.refuser(
        proposition=proposition, par=moderateur_nievre, raison="Nom officiel inchangé."
    )
    proposition.refresh_from_db()
    assert proposition.etat == Proposition.Etat.REFUSEE
    assert proposition.raison == "Nom officiel inchangé."
    structure_nievre.refresh_from_db()
    assert structure_nievre.nom == "CLIC de Nevers"


def test_la_machine_a_etats_refuse_les_transitions_interdites(structure_nievre, moderateur_nievre):
    proposition = proposer(structure_nievre, nom="CLIC du Nivernais")
    services.accepter(proposition=proposition, par=moderateur_nievre)
    proposition.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        proposition.refuser(par=moderateur_nievre, raison="Trop tard")
    with pytest.raises(TransitionNotAllowed):
        proposition.accepter(par=moderateur_nievre)
    with pytest.raises(AttributeError):
        proposition.etat = Proposition.Etat.PROPOSEE  # champ protégé : seulement par transition
    refusee = proposer(structure_nievre, nom="Autre nom")
    refusee.refuser(par=moderateur_nievre, raison="Non")
    with pytest.raises(TransitionNotAllowed):
        refusee.remplacer(par=moderateur_nievre, raison="Non")


def test_une_nouvelle_proposition_du_meme_auteur_remplace_la_precedente(
    structure_nievre, moderateur_nievre
):
    ancienne = proposer(structure_nievre, moderateur_nievre, nom="Premier essai")
    nouvelle = proposer(structure_nievre, moderateur_nievre, nom="Second essai")
    ancienne.refresh_from_db()
    assert ancienne.etat == Proposition.Etat.REMPLACEE
    assert f"n° {nouvelle.pk}" in ancienne.raison
    assert nouvelle.etat == Proposition.Etat.PROPOSEE


def test_une_proposition_sans_changement_est_refusee(structure_nievre):
    with pytest.raises(services.ContributionRefusee, match="rien à proposer"):
        proposer(structure_nievre, nom="CLIC de Nevers")


def test_l_auteur_est_informe_de_la_decision_par_un_courriel_en_francais_texte_et_html(
    django_capture_on_commit_callbacks, moderateur_nievre
):
    service = service_a(NEVERS)
    auteur = type(moderateur_nievre).objects.create(username="g", email="gestion@exemple.fr")
    proposition = proposer(service, auteur, description="Nouvelle description")
    with django_capture_on_commit_callbacks(execute=True):
        services.refuser(proposition=proposition, par=moderateur_nievre, raison="Hors sujet.")
    (courriel,) = mail.outbox
    assert courriel.to == ["gestion@exemple.fr"]
    assert "est refusée" in courriel.subject
    assert "Raison : Hors sujet." in courriel.body
    html, type_ = courriel.alternatives[0]
    assert type_ == "text/html" and 'lang="fr"' in html and "Hors sujet." in html


def test_sans_adresse_personne_n_est_informe(django_capture_on_commit_callbacks, moderateur_nievre):
    structure = structure_a(NEVERS)
    proposition = proposer(structure, nom="Autre")
    with django_capture_on_commit_callbacks(execute=True):
        services.accepter(proposition=proposition, par=moderateur_nievre)
    assert mail.outbox == []
