"""Une recherche sans réponse pour un besoin autour d'une commune propose les besoins voisins
qui en ont, au même endroit (issue 13, § 3) ; ce que le moteur a compris est compté par la
veille des besoins (§ 10)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from repertoire.models import Besoin, ComptageRecherche
from repertoire.recherche import Critere, rechercher
from repertoire.recherche.index import indexer_services
from repertoire.selectors import besoins_proches
from repertoire.tests.factories import LieuFactory, ServiceFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/services/recherche"
NEVERS = (46.9908, 3.1593)
CLAMECY = (47.4597, 3.5203)  # à 50 km : hors des 10 km par défaut


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    settings.API_LIMITE_PAR_MINUTE = 0


def service(nom: str, besoin: str, position: tuple[float, float] = NEVERS):
    cree = ServiceFactory(nom=nom, description="Établissement de la Nièvre.")
    lat, lon = position
    cree.lieux.add(LieuFactory(structure=cree.structure, latitude=lat, longitude=lon))
    cree.besoins.set(Besoin.objects.filter(slug=besoin))
    return cree


@pytest.fixture
def hebergements():
    """Autour de Nevers : un EHPAD, deux accueils temporaires, aucun accueil de jour (il y en
    a un à Clamecy, trop loin) ; une aide à domicile, d'une autre famille."""
    crees = [
        service("EHPAD Les Tilleuls", "ehpad"),
        service("Hébergement temporaire du Nivernais", "accueil-temporaire"),
        service("Séjours temporaires de Nevers", "accueil-temporaire"),
        service("Accueil de jour de Clamecy", "accueil-de-jour", CLAMECY),
        service("SAAD de Nevers", "aide-a-domicile"),
    ]
    indexer_services()
    return crees


def voisins(page) -> list[tuple[str, int]]:
    return [(v.slug, v.total) for v in page.besoins_voisins]


def test_le_thesaurus_donne_les_besoins_associes_puis_les_freres_et_la_famille():
    proches, familles = besoins_proches(["accueil-de-jour"])

    assert proches[0] == "repit-aidants"  # il nomme l'accueil de jour dans ses « voir aussi »
    assert {"ehpad", "accueil-temporaire"} <= set(proches)
    assert "accueil-de-jour" not in proches and "aide-a-domicile" not in proches
    assert familles == ["etre-heberge"]


def test_une_recherche_sans_resultat_propose_les_besoins_voisins_qui_en_ont(hebergements):
    page = rechercher(Critere(besoin="accueil-de-jour", commune="Nevers", rayon_km=10))

    assert page.total == 0
    # Le répit mène à l'accueil temporaire : deux réponses ; la famille entière pour finir.
    assert voisins(page) == [
        ("repit-aidants", 2),
        ("ehpad", 1),
        ("accueil-temporaire", 2),
        ("etre-heberge", 3),
    ]
    assert page.besoins_voisins[1].libelle == Besoin.objects.get(slug="ehpad").libelle


def test_chaque_besoin_voisin_compte_exactement_ce_que_sa_recherche_donne(client, hebergements):
    page = client.get(API, {"q": "centre de jour", "commune": "58194", "rayon_km": 20}).json()

    assert page["total"] == 0 and page["besoins_voisins"]
    for voisin in page["besoins_voisins"]:
        assert set(voisin) == {"slug", "libelle", "total"}
        suivie = client.get(API, {"besoin": voisin["slug"], "commune": "58194", "rayon_km": 20})
        assert suivie.json()["total"] == voisin["total"]


def test_les_besoins_voisins_gardent_le_public_et_les_filtres():
    ehpad = service("EHPAD Les Tilleuls", "ehpad")
    ehpad.publics.set([])
    indexer_services()

    page = rechercher(
        Critere(besoin="accueil-de-jour", commune="Nevers", public="personnes-handicapees")
    )

    assert page.total == 0 and page.besoins_voisins == []


def test_sans_lieu_ou_avec_des_resultats_aucun_besoin_voisin(hebergements):
    assert rechercher(Critere(besoin="ehpad", commune="Nevers")).besoins_voisins == []
    assert rechercher(Critere(besoin="habitat-inclusif")).besoins_voisins == []


def test_une_famille_sans_reponse_epargne_le_decompte_de_ses_membres(
    hebergements, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        page = rechercher(Critere(besoin="esat", commune="Nevers"))

    assert page.total == 0 and page.besoins_voisins == []


def test_la_page_propose_les_besoins_voisins_en_liens_qui_gardent_le_lieu(client, hebergements):
    reponse = client.get(
        "/recherche/", {"q": "centre de jour", "commune": "Nevers", "rayon": "20", "mode": ""}
    )

    html = reponse.content.decode()
    assert "Des besoins proches ont des réponses autour de Nevers" in html
    liens = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html)
    textes = [texte for _, texte in liens]
    assert "Accueil temporaire : 2 résultats" in [t.replace("&#x27;", "'") for t in textes]
    url = next(url for url, texte in liens if texte.startswith("Accueil temporaire"))
    parametres = parse_qs(urlparse(url.replace("&amp;", "&")).query)
    assert parametres == {"besoin": ["accueil-temporaire"], "commune": ["Nevers"], "rayon": ["20"]}
    suivie = client.get(url.replace("&amp;", "&"))
    assert "2 résultats" in suivie.content.decode()


def test_la_page_sans_besoin_voisin_conseille_de_changer_les_criteres(client, hebergements):
    html = client.get("/recherche/", {"besoin": "esat", "commune": "Nevers"}).content.decode()

    assert "Des besoins proches" not in html
    assert "Essayez de retirer un filtre" in html


def test_le_moteur_dit_le_besoin_et_le_public_compris_dans_le_texte(hebergements):
    page = rechercher(Critere(q="ma mère sourde perd la mémoire"))

    assert (page.besoin_compris, page.public_compris) == ("troubles-cognitifs", "handicap-auditif")
    choisi = rechercher(Critere(q="mémoire", besoin="ehpad", public="personnes-agees"))
    assert (choisi.besoin_compris, choisi.public_compris) == ("ehpad", "personnes-agees")


@pytest.mark.parametrize("adresse", ["/recherche/", API])
def test_la_veille_compte_le_besoin_et_le_public_compris_par_le_moteur(client, adresse):
    client.get(adresse, {"q": "ma mère sourde perd la mémoire"})

    ligne = ComptageRecherche.objects.get()
    assert (ligne.besoin, ligne.public) == ("troubles-cognitifs", "handicap-auditif")


def test_la_veille_compte_le_besoin_compris_malgre_une_faute(client, hebergements):
    client.get("/recherche/", {"q": "ehpda", "commune": "Nevers"})

    assert ComptageRecherche.objects.get().besoin == "ehpad"
