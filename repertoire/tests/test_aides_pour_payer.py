"""Les droits et allocations (APA, PCH, ASH…) à part des services (issue 13, § 4) ; le nom de
la structure pèse moins que celui du service (§ 5)."""

import pytest

from repertoire.models import Besoin, Service
from repertoire.recherche import Critere, rechercher
from repertoire.recherche.index import indexer_services
from repertoire.referentiels import DROITS, THESAURUS, besoins_payes, est_une_aide
from repertoire.tests.factories import (
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    StructureFactory,
    ZoneInterventionFactory,
)

pytestmark = pytest.mark.django_db

NEVERS = (46.9908, 3.1593)
CHAMPVERT = (46.8503, 3.5236)  # à 30 km de Nevers, dans la Nièvre
RENNES = (48.1113, -1.6800)
URL_API = "/api/v1/services/recherche"


def service(*, besoins=(), position=NEVERS, zone="", **champs) -> Service:
    nouveau = ServiceFactory(**champs)
    if position:
        lat, lon = position
        nouveau.lieux.add(LieuFactory(structure=nouveau.structure, latitude=lat, longitude=lon))
    nouveau.besoins.set(Besoin.objects.filter(slug__in=besoins))
    if zone:
        ZoneInterventionFactory(service=nouveau, type="departement", code=zone)
    return nouveau


@pytest.fixture
def nievre():
    """Un portage de repas à Champvert, un EHPAD à Nevers, et les aides du Département : l'APA
    à domicile (qui aide à payer le portage) et l'ASH (l'EHPAD), pour toute la Nièvre."""
    service(nom="Portage de repas du Sud Morvan", besoins=["portage-de-repas"], position=CHAMPVERT)
    service(nom="EHPAD Les Tilleuls", besoins=["ehpad"])
    departement = StructureFactory(nom="Conseil départemental de la Nièvre")
    apa = service(
        nom="APA à domicile",
        structure=departement,
        besoins=["apa", "aide-a-domicile", "portage-de-repas", "teleassistance"],
        zone="58",
        resume_falc="L'APA paie une partie de l'aide à la maison.",
    )
    service(
        nom="Aide sociale à l'hébergement",
        structure=departement,
        besoins=["aide-sociale-hebergement", "ehpad", "residence-autonomie"],
        zone="58",
        description="Le Département paie une partie des frais d'hébergement. Sous conditions.",
    )
    PlageHoraireFactory(service=apa, jour=6, ouverture="09:00", fermeture="09:30")
    indexer_services()


def noms(resultats) -> list[str]:
    return [r.service.nom for r in resultats]


# --- Le thésaurus ------------------------------------------------------------------------------


def test_une_fiche_qui_ne_dit_que_des_droits_et_ce_qu_ils_paient_est_une_aide():
    assert est_une_aide({"apa", "aide-a-domicile", "portage-de-repas"})
    assert est_une_aide({"aide-sociale-hebergement", "ehpad"})
    assert est_une_aide({"pch"})
    assert besoins_payes({"aide-sociale-hebergement", "ehpad"}) == {"ehpad"}
    assert "aides-techniques" in besoins_payes({"pch"})


def test_un_guichet_ou_un_service_qui_cite_un_droit_reste_un_service():
    assert not est_une_aide({"mdph", "aah", "pch", "carte-mobilite-inclusion"})
    assert not est_une_aide({"apa", "prevention-perte-autonomie"})  # l'évaluation à domicile
    assert not est_une_aide({"aide-a-domicile"})


def test_les_droits_sont_definis_une_fois_dans_le_thesaurus():
    slugs = set()

    def parcourir(entrees):
        for entree in entrees:
            slugs.add(entree.slug)
            parcourir(entree.enfants)

    parcourir(THESAURUS)
    assert {"apa", "pch", "aah", "aeeh", "aide-sociale-hebergement"} <= DROITS.keys()
    assert "carte-mobilite-inclusion" in DROITS
    for droit, payes in DROITS.items():
        assert set(payes) <= slugs - DROITS.keys(), droit


# --- La recherche -----------------------------------------------------------------------------


def test_portage_de_repas_rend_les_services_et_l_apa_a_part(nievre):
    page = rechercher(Critere(q="portage de repas", commune="Champvert", rayon_km=10))

    assert noms(page.resultats) == ["Portage de repas du Sud Morvan"]
    assert noms(page.aides) == ["APA à domicile"]
    assert "peut aider à payer : Portage de repas" in page.aides[0].raisons


def test_une_recherche_d_ehpad_n_a_jamais_l_ash_parmi_les_services(nievre):
    for critere in (
        Critere(q="ehpad", commune="Nevers"),
        Critere(besoin="ehpad", commune="Nevers", rayon_km=50),
        Critere(q="maison de retraite"),
        Critere(besoin="etre-heberge"),
    ):
        page = rechercher(critere)
        assert "Aide sociale à l'hébergement" not in noms(page.resultats), critere
        assert "EHPAD Les Tilleuls" in noms(page.resultats), critere
        assert noms(page.aides) == ["Aide sociale à l'hébergement"], critere


@pytest.mark.parametrize(
    "critere",
    [
        Critere(q="apa", commune="Nevers"),
        Critere(q="allocation personnalisée d'autonomie"),
        Critere(besoin="apa", commune="Champvert"),
        Critere(q="aide financière portage de repas", commune="Champvert"),
    ],
)
def test_nommer_le_droit_le_rend_parmi_les_resultats(nievre, critere):
    page = rechercher(critere)

    assert "APA à domicile" in noms(page.resultats)
    assert page.aides == []


def test_tout_autour_d_une_commune_les_aides_restent_a_part(nievre):
    page = rechercher(Critere(commune="Nevers", rayon_km=50))

    assert sorted(noms(page.resultats)) == ["EHPAD Les Tilleuls", "Portage de repas du Sud Morvan"]
    assert page.total == 2
    assert page.aides == []  # aucun besoin dit : aucune aide à proposer


def test_une_aide_d_un_autre_departement_n_est_pas_proposee(nievre):
    service(
        nom="APA d'Ille-et-Vilaine",
        besoins=["apa", "portage-de-repas"],
        position=RENNES,
        zone="35",
    )
    indexer_services()

    page = rechercher(Critere(q="portage de repas", commune="Champvert", rayon_km=10))

    assert noms(page.aides) == ["APA à domicile"]


def test_une_aide_qui_ne_dit_que_son_droit_est_proposee_pour_ce_qu_il_aide_a_payer(nievre):
    service(nom="PCH", besoins=["pch"], zone="58", position=None)
    service(nom="Aides techniques du Nivernais", besoins=["aides-techniques"])
    indexer_services()

    page = rechercher(Critere(besoin="aides-techniques", commune="Nevers"))

    assert noms(page.resultats) == ["Aides techniques du Nivernais"]
    assert noms(page.aides) == ["PCH"]


# --- La page et l'API -------------------------------------------------------------------------


def test_la_page_montre_les_aides_pour_payer_apres_les_services_sans_horaires(client, nievre):
    reponse = client.get("/recherche/", {"q": "portage de repas", "commune": "Champvert"})
    texte = reponse.content.decode()

    assert '<h2 id="titre-aides">Aides pour payer</h2>' in texte
    bloc = texte[texte.index('id="titre-aides"') :]
    assert texte.index("Portage de repas du Sud Morvan") < texte.index('id="titre-aides"')
    assert "APA à domicile" in bloc
    assert "paie une partie de l&#x27;aide à la maison." in bloc
    assert "Fermé actuellement" not in bloc and "Ouvert maintenant" not in bloc


def test_l_api_donne_les_aides_dans_un_champ_a_part_documente(client, settings, nievre):
    settings.API_LIMITE_PAR_MINUTE = 0
    reponse = client.get(URL_API, {"q": "ehpad", "commune": "Nevers"}).json()

    assert [r["service"]["nom"] for r in reponse["resultats"]] == ["EHPAD Les Tilleuls"]
    assert [a["service"]["nom"] for a in reponse["aides"]] == ["Aide sociale à l'hébergement"]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["PageRecherche"]
    assert "aides" in schema["required"]
    assert "APA" in schema["properties"]["aides"]["description"]


# --- Le nom de la structure -------------------------------------------------------------------


def test_le_nom_de_la_structure_pese_moins_que_celui_du_service():
    """« Portage » dans le seul nom de la structure (un CCAS qui gère un EHPAD) ne vaut pas
    « portage » dans le nom du service, même plus loin."""
    ccas = StructureFactory(nom="CCAS Portage Repas Domicile")
    service(nom="EHPAD Les Tilleuls", structure=ccas, description="Hébergement.")
    service(nom="Portage du Morvan", description="Livraison.", position=CHAMPVERT)
    indexer_services()

    page = rechercher(Critere(q="portage", commune="Nevers", rayon_km=50))

    assert noms(page.resultats) == ["Portage du Morvan", "EHPAD Les Tilleuls"]
    assert noms(rechercher(Critere(q="ccas")).resultats) == ["EHPAD Les Tilleuls"]
