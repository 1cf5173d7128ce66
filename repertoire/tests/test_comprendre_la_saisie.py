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


def test_une_commune_dite_dans_la_phrase_devient_le_lieu_de_la_recherche():
    service(nom="EHPAD des Bords de Loire", description="Hébergement.", besoins=["ehpad"])
    resultat = page("ehpad nevers", rayon_km=10)
    assert noms(resultat) == ["EHPAD des Bords de Loire"]
    assert resultat.commune.code_insee == "58194"
    assert resultat.rayon_km == 10
    assert "Lieu compris dans votre saisie : Nevers (58)." in resultat.message


def test_la_commune_du_champ_l_emporte_sur_un_nom_dans_la_phrase():
    resultat = page("ehpad nevers", commune="Decize")
    assert resultat.commune.nom == "Decize"


def _service_a(nom: str, lat: float, lon: float, besoins=("ehpad",)):
    nouveau = ServiceFactory(nom=nom, description="Hébergement.")
    nouveau.lieux.add(LieuFactory(structure=nouveau.structure, latitude=lat, longitude=lon))
    nouveau.besoins.set(Besoin.objects.filter(slug__in=besoins))
    return nouveau


def test_le_rayon_par_defaut_s_elargit_quand_il_laisse_peu_de_reponses():
    _service_a("EHPAD tout près", NEVERS[0], NEVERS[1])
    _service_a("EHPAD à 15 km", NEVERS[0] + 0.135, NEVERS[1])
    resultat = page("ehpad", commune="Nevers")
    assert noms(resultat) == ["EHPAD tout près", "EHPAD à 15 km"]
    # Moins de 5 réponses à 20, 50 ou 100 km : le plus grand rayon qui en donne davantage.
    assert resultat.rayon_km == 200
    assert "élargie à 200 km" in resultat.message


def test_le_rayon_par_defaut_s_arrete_au_premier_qui_donne_assez_de_reponses():
    for n in range(5):
        _service_a(f"EHPAD {n}", NEVERS[0] + 0.135, NEVERS[1])
    resultat = page("ehpad", commune="Nevers")
    assert resultat.rayon_km == 20
    assert resultat.total == 5


def test_un_rayon_choisi_n_est_jamais_elargi_mais_la_page_dit_combien_plus_loin():
    _service_a("EHPAD tout près", NEVERS[0], NEVERS[1])
    _service_a("EHPAD à 15 km", NEVERS[0] + 0.135, NEVERS[1])
    resultat = page("ehpad", commune="Nevers", rayon_km=10)
    assert noms(resultat) == ["EHPAD tout près"]
    assert resultat.rayon_km == 10
    assert resultat.plus_loin[0] == (20.0, 2)


def test_plusieurs_publics_dits_dans_la_phrase_sont_tous_exiges_d_abord():
    service(
        nom="SSEFIS", description="Accompagnement.", publics=["enfants-jeunes", "handicap-auditif"]
    )
    service(nom="IME", description="Accompagnement.", publics=["enfants-jeunes"])
    assert noms(page("accompagnement enfant sourd")) == ["SSEFIS"]


def test_sans_service_pour_tous_les_publics_de_la_phrase_un_seul_suffit():
    service(nom="IME", description="Accompagnement.", publics=["enfants-jeunes"])
    resultat = page("accompagnement enfant sourd")
    assert noms(resultat) == ["IME"]
    assert "l'un d'eux" in resultat.message


def test_les_petits_mots_de_liaison_ne_changent_pas_le_besoin_reconnu():
    assert besoins_et_reste("portage repas")[0] == besoins_et_reste("portage de repas")[0]
    assert besoins_et_reste("accueil jour")[0] == [
        "accueil-de-jour",
        *besoins_et_reste("accueil de jour")[0][1:],
    ]
    assert besoins_et_reste("aide domicile nevers")[1] == "nevers"


def test_le_besoin_nomme_passe_avant_celui_qui_elargit_la_recherche():
    # « plateforme de répit » élargit à l'accueil temporaire (voir aussi) : plus près, il
    # passe pourtant après la plateforme elle-même.
    service(nom="Accueil temporaire", description="Séjours.", besoins=["accueil-temporaire"])
    plus_loin = ServiceFactory(nom="Plateforme de répit", description="Pour les aidants.")
    plus_loin.lieux.add(
        LieuFactory(structure=plus_loin.structure, latitude=NEVERS[0] + 0.05, longitude=NEVERS[1])
    )
    plus_loin.besoins.set(Besoin.objects.filter(slug="plateforme-de-repit"))
    resultat = page("PFR", commune="Nevers", rayon_km=20)
    assert noms(resultat) == ["Plateforme de répit", "Accueil temporaire"]
