"""La porte d'écriture des fiches : corrections gardées, version, historique, index."""

import pytest
from django.contrib.auth import get_user_model

from repertoire import ecriture
from repertoire.ecriture import Auteur, Changement, VersionPerimee, ecrire_fiches
from repertoire.models import Besoin, IndexService, Lieu, Service, Structure
from repertoire.tests.factories import LieuFactory, ServiceFactory, StructureFactory

pytestmark = pytest.mark.django_db

FINESS = Auteur("finess")


@pytest.fixture
def agent():
    return get_user_model().objects.create_user("agent", password="un-mot-de-passe-long")


def corriger(fiche, agent, **valeurs):
    auteur = Auteur("administration", agent)
    lue = fiche.version
    return ecrire_fiches(changements=[Changement(fiche, valeurs, version_lue=lue)], auteur=auteur)


def test_une_source_importee_ne_reecrit_pas_ce_qu_une_personne_a_corrige(agent):
    structure = StructureFactory(telephone="03 86 00 00 00")
    corriger(structure, agent, telephone="03 86 11 11 11")

    rapport = ecrire_fiches(
        changements=[Changement(structure, {"telephone": "03 86 00 00 00", "nom": "EHPAD X"})],
        auteur=FINESS,
    )

    structure.refresh_from_db()
    assert (structure.telephone, structure.nom) == ("03 86 11 11 11", "EHPAD X")
    (conflit,) = rapport.conflits
    assert conflit.champ == "telephone" and conflit.valeur_source == "03 86 00 00 00"
    assert "la fiche garde « 03 86 11 11 11 », corrigé par administration (agent)" in str(conflit)


def test_quand_la_source_rejoint_la_correction_il_n_y_a_plus_de_conflit(agent):
    structure = StructureFactory(telephone="03 86 00 00 00")
    corriger(structure, agent, telephone="03 86 11 11 11")

    rapport = ecrire_fiches(
        changements=[Changement(structure, {"telephone": "03 86 11 11 11"})], auteur=FINESS
    )

    assert (rapport.conflits, rapport.inchangees) == ([], 1)


def test_une_personne_qui_a_lu_une_version_perimee_est_refusee_sans_rien_ecrire(agent):
    structure = StructureFactory(nom="Avant")
    perimee = Structure.objects.get(pk=structure.pk)
    corriger(structure, agent, nom="Par un collègue")

    with pytest.raises(VersionPerimee, match="modifiée par quelqu'un d'autre"):
        corriger(perimee, agent, nom="Par moi")

    structure.refresh_from_db()
    assert (structure.nom, structure.version) == ("Par un collègue", 2)


def test_chaque_fiche_modifiee_a_une_ligne_d_historique_qui_dit_qui_l_a_ecrite(agent):
    structure = StructureFactory(nom="Avant")
    avant = structure.history.count()

    corriger(structure, agent, nom="Après")
    ecrire_fiches(changements=[Changement(structure, {"nom": "Après"})], auteur=FINESS)

    assert structure.history.count() == avant + 1  # la seconde écriture ne change rien
    derniere = structure.history.first()
    assert (derniere.history_change_reason, derniere.history_user) == ("administration", agent)
    difference = derniere.diff_against(derniere.prev_record)
    assert [(c.field, c.old, c.new) for c in difference.changes if c.field == "nom"] == [
        ("nom", "Avant", "Après")
    ]


def test_un_lot_est_reindexe_une_seule_fois(monkeypatch):
    appels = []
    monkeypatch.setattr(ecriture, "indexer_services", appels.append)
    services = ServiceFactory.create_batch(3)
    lieu = LieuFactory()

    ecrire_fiches(
        changements=[
            *(Changement(s, {"nom": f"{s.nom} bis"}) for s in services),
            Changement(lieu, {"nom": "Autre nom"}),
        ],
        auteur=FINESS,
    )

    assert appels == [sorted(s.pk for s in services)]


def test_une_fiche_nouvelle_commence_a_la_version_un_avec_son_historique():
    structure = StructureFactory.build(nom="Nouvelle")
    service = Service(nom="Portage de repas")

    ecrire_fiches(changements=[Changement(structure, {})], auteur=FINESS)
    service.structure = structure
    rapport = ecrire_fiches(changements=[Changement(service, {})], auteur=FINESS)

    assert (structure.version, rapport.creees) == (1, 1)
    assert structure.history.get().history_change_reason == "finess"


def test_une_fiche_nouvelle_et_ses_liens_n_ont_qu_une_ligne_d_historique_qui_les_dit(agent):
    lieu = LieuFactory()
    besoins = list(Besoin.objects.order_by("pk")[:2])
    service = Service(structure=lieu.structure)
    changement = Changement(
        service, {"nom": "Café des aidants", "besoins": besoins, "lieux": [lieu]}
    )

    rapport = ecrire_fiches(changements=[changement], auteur=Auteur("moderation", agent))

    assert rapport.creees == 1 and list(service.lieux.all()) == [lieu]
    ligne = service.history.get()
    assert (ligne.history_type, ligne.history_change_reason) == ("+", "moderation")
    assert ligne.history_user == agent and ligne.nom == "Café des aidants"
    assert sorted(b.besoin_id for b in ligne.besoins.all()) == [b.pk for b in besoins]
    assert IndexService.objects.filter(service=service).exists()


def test_une_ecriture_en_masse_laisse_une_ligne_d_historique_par_fiche():
    lieux = LieuFactory.create_batch(3)
    for lieu in lieux:
        lieu.history.all().delete()

    ecriture.historiser_en_masse(Lieu, [lieu.pk for lieu in lieux], auteur=FINESS, creation=False)

    for lieu in lieux:
        (ligne,) = lieu.history.all()
        assert (ligne.nom, ligne.history_change_reason, ligne.history_type) == (
            lieu.nom,
            "finess",
            "~",
        )
