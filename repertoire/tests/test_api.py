import datetime as dt

import pytest

from repertoire.models import Provenance, Service, Structure, ZoneIntervention
from repertoire.tests.factories import (
    BesoinFactory,
    ContactFactory,
    HoraireExceptionnelFactory,
    LieuFactory,
    PlageHoraireFactory,
    PublicFactory,
    ServiceFactory,
    ServiceRelieFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from territoires.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    """Les comptes de requêtes ne mesurent que la page ; la limite a ses propres tests."""
    settings.API_LIMITE_PAR_MINUTE = 0


def _commune(code_insee: str, nom: str) -> Commune:
    """La commune du référentiel chargé pour la session, ou une copie minimale à défaut."""
    region, _ = Region.objects.get_or_create(code="27", defaults={"nom": "Bourgogne-Franche-Comté"})
    departement, _ = Departement.objects.get_or_create(
        code="58", defaults={"nom": "Nièvre", "region": region}
    )
    commune, _ = Commune.objects.get_or_create(
        code_insee=code_insee,
        defaults={"nom": nom, "departement": departement, "latitude": 47.0, "longitude": 3.1},
    )
    return commune


@pytest.fixture
def nevers() -> Commune:
    return _commune("58194", "Nevers")


@pytest.fixture
def decize() -> Commune:
    return _commune("58095", "Decize")


def _ids(reponse) -> set[int]:
    assert reponse.status_code == 200, reponse.content
    return {service["id"] for service in reponse.json()["resultats"]}


def test_la_liste_ne_montre_que_les_services_publies(client):
    publie = ServiceFactory()
    ServiceFactory(brouillon=True)
    ServiceFactory(statut=Service.Statut.ARCHIVE)

    assert _ids(client.get("/api/v1/services")) == {publie.pk}


def test_un_theme_de_besoin_inclut_ses_besoins_precis(client):
    theme = BesoinFactory()
    precis = BesoinFactory(parent=theme)
    autre = BesoinFactory()
    par_theme = ServiceRelieFactory(besoins=[theme])
    par_besoin_precis = ServiceRelieFactory(besoins=[precis, theme])
    ServiceRelieFactory(besoins=[autre])

    reponse = client.get("/api/v1/services", {"besoin": theme.slug})

    assert _ids(reponse) == {par_theme.pk, par_besoin_precis.pk}
    assert reponse.json()["total"] == 2, "un service n'apparaît qu'une fois"
    assert _ids(client.get("/api/v1/services", {"besoin": precis.slug})) == {par_besoin_precis.pk}


def test_un_besoin_inconnu_ne_donne_aucun_service(client):
    ServiceRelieFactory(besoins=[BesoinFactory()])

    assert _ids(client.get("/api/v1/services", {"besoin": "n-existe-pas"})) == set()


def test_un_public_inclut_ses_sous_publics(client):
    aines = PublicFactory()
    aidants = PublicFactory(parent=aines)
    pour_aidants = ServiceRelieFactory(publics=[aidants])
    ServiceRelieFactory(publics=[PublicFactory()])

    assert _ids(client.get("/api/v1/services", {"public": aines.slug})) == {pour_aidants.pk}


def test_la_commune_trouve_les_services_par_leurs_lieux_et_leurs_zones(client, nevers, decize):
    sur_place = ServiceRelieFactory(lieux=[LieuFactory(commune=nevers)])
    sur_la_commune = ZoneInterventionFactory(type="commune", code=nevers.code_insee).service
    sur_le_departement = ZoneInterventionFactory(type="departement", code="58").service
    partout = ZoneInterventionFactory(type="france", code="").service
    ServiceRelieFactory(lieux=[LieuFactory(commune=decize)])
    ZoneInterventionFactory(type="departement", code="21")
    ZoneInterventionFactory(type="commune", code=decize.code_insee)

    trouves = _ids(client.get("/api/v1/services", {"commune": nevers.code_insee}))

    assert trouves == {sur_place.pk, sur_la_commune.pk, sur_le_departement.pk, partout.pk}


def test_le_departement_trouve_les_services_par_leurs_lieux_et_leurs_zones(client, decize):
    sur_place = ServiceRelieFactory(lieux=[LieuFactory(commune=decize)])
    sur_une_commune = ZoneInterventionFactory(type="commune", code=decize.code_insee).service
    sur_le_departement = ZoneInterventionFactory(type="departement", code="58").service
    ZoneInterventionFactory(type="departement", code="21")
    ServiceRelieFactory(lieux=[LieuFactory(commune=None)])

    trouves = _ids(client.get("/api/v1/services", {"departement": "58"}))

    assert trouves == {sur_place.pk, sur_une_commune.pk, sur_le_departement.pk}


def test_le_mode_d_accueil_et_la_nature_filtrent_les_services(client):
    a_domicile = ServiceFactory(a_domicile=True, nature=Service.Nature.DISPOSITIF)
    ServiceFactory(nature=Service.Nature.DISPOSITIF)
    ServiceFactory(a_domicile=True)

    reponse = client.get("/api/v1/services", {"mode_accueil": "a-domicile", "nature": "dispositif"})

    assert _ids(reponse) == {a_domicile.pk}
    assert client.get("/api/v1/services", {"mode_accueil": "en-avion"}).status_code == 422


def test_la_pagination_decoupe_la_liste_et_donne_le_total(client):
    ServiceFactory.create_batch(25)

    page = client.get("/api/v1/services", {"page": 3, "par_page": 10}).json()

    assert (page["total"], page["page"], page["par_page"]) == (25, 3, 10)
    assert len(page["resultats"]) == 5
    assert client.get("/api/v1/services", {"par_page": 101}).status_code == 422
    assert client.get("/api/v1/services", {"page": 0}).status_code == 422


def test_la_liste_des_services_fait_un_nombre_fixe_de_requetes(
    client, nevers, django_assert_max_num_queries
):
    besoin, public = BesoinFactory(), PublicFactory()
    for _ in range(15):
        ServiceRelieFactory(besoins=[besoin], publics=[public], lieux=[LieuFactory(commune=nevers)])

    client.get("/api/v1/services", {"par_page": 15})  # met le thésaurus en mémoire
    # total, page, liens aux besoins et aux publics, lieux avec leur commune, sources
    with django_assert_max_num_queries(5):
        reponse = client.get("/api/v1/services", {"par_page": 15})

    assert len(reponse.json()["resultats"]) == 15


def test_la_fiche_d_un_service_fait_un_nombre_fixe_de_requetes(
    client, nevers, django_assert_max_num_queries
):
    service = _service_complet(nevers)
    for _ in range(5):
        PlageHoraireFactory(service=service, jour=4)
        ContactFactory(service=service)
        LieuFactory(structure=service.structure, commune=nevers).services.add(service)

    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/services/{service.pk}").status_code == 200


def _service_complet(commune: Commune) -> Service:
    structure = StructureFactory(mdph=True)
    lieu = LieuFactory(
        structure=structure,
        commune=commune,
        accessibilite="Rampe d'accès côté parking.",
        entree_plain_pied=True,
    )
    theme = BesoinFactory(synonymes=["papiers"])
    service = ServiceRelieFactory(
        structure=structure,
        lieux=[lieu],
        besoins=[BesoinFactory(parent=theme)],
        publics=[PublicFactory()],
        age_min=60,
        modes_acces=["sur-rendez-vous", "evaluation-apa"],
        frais="gratuit",
        frais_precisions="Aucun frais.",
        resume_falc="Nous vous aidons à rester chez vous.",
        date_verification=dt.date(2026, 10, 1),
        accueil_a_distance=True,
    )
    PlageHoraireFactory(service=service, jour=0, ouverture="09:00", fermeture="12:00")
    HoraireExceptionnelFactory(
        service=service, date_debut=dt.date(2026, 12, 24), motif="fermeture de fin d'année"
    )
    ZoneInterventionFactory(service=service, type="departement", code="58")
    ContactFactory(service=service, libelle="accueil du public")
    ContactFactory(service=service, professionnels=True)
    Provenance.objects.create(objet=service, source="demo", identifiant="service-test")
    return service


def test_la_fiche_d_un_service_donne_tout_ce_qu_il_faut_pour_s_y_rendre(client, nevers):
    service = _service_complet(nevers)

    fiche = client.get(f"/api/v1/services/{service.pk}").json()

    assert fiche["structure"]["typologie"]["code"] == Structure.Typologie.MDPH
    lieu = fiche["lieux"][0]
    assert lieu["commune"] == {"code_insee": "58194", "nom": nevers.nom, "departement": "58"}
    assert lieu["point"] == {"latitude": 46.99, "longitude": 3.16}
    assert lieu["accessibilite"]["entree_plain_pied"] is True
    assert lieu["accessibilite"]["description"] == "Rampe d'accès côté parking."
    assert fiche["ages"] == {"minimum": 60, "maximum": None}
    assert [m["code"] for m in fiche["modes_accueil"]] == ["sur-place", "a-distance"]
    assert fiche["modes_acces"][1] == {
        "code": "evaluation-apa",
        "libelle": "après évaluation du Département (APA)",
    }
    assert fiche["frais"] == {"code": "gratuit", "libelle": "gratuit", "precisions": "Aucun frais."}
    assert fiche["horaires"]["plages"] == [
        {"jour": 0, "jour_libelle": "lundi", "ouverture": "09:00", "fermeture": "12:00"}
    ]
    assert fiche["horaires"]["osm"].startswith("Mo 09:00-12:00")
    assert fiche["horaires"]["exceptions"][0]["date_debut"] == "2026-12-24"
    assert fiche["zones"] == [
        {"type": {"code": "departement", "libelle": "département entier"}, "code": "58"}
    ]
    assert fiche["sources"] == [
        {"source": "demo", "identifiant": "service-test", "date_maj_source": None, "lien": ""}
    ]
    assert fiche["date_verification"] == "2026-10-01"
    assert fiche["resume_falc"] == "Nous vous aidons à rester chez vous."


def test_les_contacts_reserves_aux_professionnels_ne_sont_jamais_publies(client, nevers):
    service = _service_complet(nevers)
    ContactFactory(service=None, structure=service.structure, professionnels=True)
    ContactFactory(service=None, structure=service.structure, libelle="standard")

    fiche_service = client.get(f"/api/v1/services/{service.pk}")
    fiche_structure = client.get(f"/api/v1/structures/{service.structure_id}")

    assert [c["libelle"] for c in fiche_service.json()["contacts"]] == ["accueil du public"]
    assert [c["libelle"] for c in fiche_structure.json()["contacts"]] == ["standard"]
    for reponse in (fiche_service, fiche_structure):
        assert b"03 53 01 99 99" not in reponse.content
        assert b"pro@example.org" not in reponse.content


@pytest.mark.parametrize("chemin", ["/api/v1/services/{}", "/api/v1/structures/{}"])
def test_une_fiche_inconnue_repond_404_en_francais(client, chemin):
    reponse = client.get(chemin.format(999_999))

    assert reponse.status_code == 404
    assert reponse.json()["detail"].startswith("Aucun")


def test_un_service_non_publie_n_a_pas_de_fiche_publique(client):
    brouillon = ServiceFactory(brouillon=True)

    assert client.get(f"/api/v1/services/{brouillon.pk}").status_code == 404
    services = client.get(f"/api/v1/structures/{brouillon.structure_id}").json()["services"]
    assert services == []


def test_les_structures_se_filtrent_par_departement_typologie_et_nom(client, nevers):
    mda = StructureFactory(mdph=True)
    LieuFactory(structure=mda, commune=nevers)
    LieuFactory(structure=mda, commune=nevers)
    StructureFactory(nom="Association des aidants")

    def noms(**filtres: str) -> list[str]:
        reponse = client.get("/api/v1/structures", filtres).json()
        return [s["nom"] for s in reponse["resultats"]]

    assert noms(departement="58") == ["MDA de la Nièvre"]
    assert noms(typologie="MDPH") == ["MDA de la Nièvre"]
    assert noms(q="aidants") == ["Association des aidants"]


def test_la_fiche_d_une_structure_fait_un_nombre_fixe_de_requetes(
    client, nevers, django_assert_max_num_queries
):
    structure = StructureFactory()
    for _ in range(5):
        LieuFactory(structure=structure, commune=nevers)
        ServiceFactory(structure=structure)
        ContactFactory(service=None, structure=structure)

    with django_assert_max_num_queries(5):
        fiche = client.get(f"/api/v1/structures/{structure.pk}").json()

    assert (len(fiche["lieux"]), len(fiche["services"]), len(fiche["contacts"])) == (5, 5, 5)


def test_le_thesaurus_des_besoins_est_un_arbre_avec_ses_synonymes(
    client, django_assert_max_num_queries
):
    theme = BesoinFactory(slug="theme-de-test", libelle="Thème de test")
    BesoinFactory(slug="precis-de-test", parent=theme, synonymes=["mot du quotidien"])

    with django_assert_max_num_queries(2):
        arbre = client.get("/api/v1/besoins").json()

    noeud = next(b for b in arbre if b["slug"] == "theme-de-test")
    assert noeud["enfants"] == [
        {
            "slug": "precis-de-test",
            "libelle": noeud["enfants"][0]["libelle"],
            "description": "",
            "synonymes": ["mot du quotidien"],
        }
    ]
    assert "precis-de-test" not in {b["slug"] for b in arbre}


def test_les_publics_sont_un_arbre(client):
    parent = PublicFactory(slug="public-parent-de-test")
    PublicFactory(slug="public-enfant-de-test", parent=parent)

    arbre = client.get("/api/v1/publics").json()

    noeud = next(p for p in arbre if p["slug"] == "public-parent-de-test")
    assert [p["slug"] for p in noeud["enfants"]] == ["public-enfant-de-test"]


def test_le_schema_openapi_documente_tous_les_points_d_api(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert {
        "/api/v1/structures",
        "/api/v1/structures/{structure_id}",
        "/api/v1/services",
        "/api/v1/services/{service_id}",
        "/api/v1/besoins",
        "/api/v1/publics",
    } <= set(schema["paths"])
    parametres = {p["name"] for p in schema["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert {"besoin", "public", "departement", "commune", "mode_accueil", "nature"} <= parametres
    assert {"page", "par_page"} <= parametres
    fiche = schema["paths"]["/api/v1/services/{service_id}"]["get"]["responses"]
    assert {"200", "404"} <= set(fiche)
    contacts = schema["components"]["schemas"]["ServiceDetail"]["properties"]["contacts"]
    assert contacts["description"] == "contacts publics seulement"


def test_une_zone_d_intervention_sans_lieu_n_empeche_pas_la_fiche(client):
    zone = ZoneInterventionFactory(type=ZoneIntervention.Type.FRANCE, code="")

    fiche = client.get(f"/api/v1/services/{zone.service_id}").json()

    assert fiche["lieux"] == []
    assert fiche["horaires"]["plages"] == []
