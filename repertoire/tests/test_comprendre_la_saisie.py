"""La saisie comprise comme les gens parlent (issue 13, § 1) : pluriels et féminins, publics
dits dans la phrase, mots qui ne font que ranger, et jamais zéro réponse quand une fiche
contient au moins un des mots."""

import pytest

from repertoire.models import Besoin, Public
from repertoire.recherche import Critere, rechercher
from repertoire.recherche.index import indexer_services
from repertoire.selectors import besoins_et_reste, forme_simple
from repertoire.tests.factories import LieuFactory, ServiceFactory

pytestmark = pytest.mark.django_db
NEVERS = (46.9908, 3.1593)


def service(*, besoins=(), publics=(), **champs):
    nouveau = ServiceFactory(**champs)
    nouveau.lieux.add(
        LieuFactory(structure=nouveau.structure, latitude=NEVERS[0], longitude=NEVERS[1])
    )
    nouveau.besoins.set(Besoin.objects.filter(slug__in=besoins))
    nouveau.publics.set(Public.objects.filter(slug__in=publics))
    return nouveau


def page(q: str, **critere):
    indexer_services()
    return rechercher(Critere(q=q, **critere), par_page=50)


def noms(resultat) -> list[str]:
    return [r.service.nom for r in resultat.resultats]


def test_pluriels_et_feminins_nomment_le_meme_besoin_mais_fils_reste_fils():
    assert besoins_et_reste("maisons de retraite")[0] == ["ehpad"]
    assert besoins_et_reste("infirmières à domicile")[0] == ["soins-infirmiers-a-domicile"]
    assert forme_simple("fils bus aidants") == "fils bus aidant"


def test_les_maisons_de_retraite_trouvent_les_ehpad():
    service(nom="Les Tilleuls", description="Hébergement.", besoins=["ehpad"])
    assert noms(page("maisons de retraite")) == ["Les Tilleuls"]


def test_une_phrase_du_quotidien_trouve_le_besoin_sans_exiger_ses_autres_mots():
    service(nom="SAAD du Morvan", description="Interventions.", besoins=["aide-a-domicile"])
    resultat = page("aide pour ma mère qui ne peut plus se laver")
    assert noms(resultat) == ["SAAD du Morvan"]


def test_un_public_dit_dans_la_phrase_filtre_comme_la_liste():
    service(nom="SESSAD Autisme", description="Accompagnement.", publics=["autisme-tsa"])
    service(nom="Club de bridge", description="Accompagnement.", publics=["personnes-agees"])
    resultat = page("accompagnement autiste")
    assert noms(resultat) == ["SESSAD Autisme"]
    assert "Public compris dans votre saisie : « Autisme" in resultat.message


def test_un_public_seul_suffit_a_chercher():
    service(nom="Interprètes LSF", description="Langue des signes.", publics=["handicap-auditif"])
    assert noms(page("sourde")) == ["Interprètes LSF"]


def test_sans_service_pour_le_public_lu_il_est_relache_et_la_page_le_dit():
    service(nom="Club de gym douce", description="Gym douce.", publics=["personnes-agees"])
    resultat = page("gym douce enfant")
    assert noms(resultat) == ["Club de gym douce"]
    assert "Aucun service n'est indiqué pour ce public précis" in resultat.message


def test_quand_aucune_fiche_n_a_tous_les_mots_une_seule_suffit():
    service(nom="Club de bridge", description="Jeux de cartes.")
    service(nom="Gym douce", description="Gymnastique.")
    service(nom="Chorale", description="Chant.")
    resultat = page("bridge gymnastique")
    assert sorted(noms(resultat)) == ["Club de bridge", "Gym douce"]
    assert "au moins un" in resultat.message
