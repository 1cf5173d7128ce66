"""La recherche de l'API construit son JSON sans modèles ni pydantic (repertoire/resumes.py) :
le même JSON que le schéma validé, en un nombre de requêtes qui ne dépend pas de la page."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from repertoire.models import Besoin, Provenance, Public, Service, Structure
from repertoire.recherche import rechercher
from repertoire.recherche.index import indexer_services
from repertoire.schemas import PageRecherche, RechercheServices
from repertoire.tests.factories import LieuFactory, ServiceRelieFactory, StructureFactory
from territoires.deploiement import dans_le_deploiement
from territoires.models import Commune

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/recherche"
NEVERS, CLAMECY = (46.9908, 3.1593), (47.4597, 3.5203)


@pytest.fixture(autouse=True)
def sans_limite_de_debit(settings):
    settings.API_LIMITE_PAR_MINUTE = 0


@pytest.fixture
def repertoire():
    """Des fiches variées : plusieurs lieux (l'un sans commune, l'autre sans position),
    provenances FINESS et data·inclusion, publics, structure typée, date de vérification."""
    nevers = Commune.objects.get(code_insee="58194")
    aide, ehpad = Besoin.objects.get(slug="aide-a-domicile"), Besoin.objects.get(slug="ehpad")
    agees = Public.objects.filter(slug="personnes-agees")
    ccas = StructureFactory(nom="CCAS de Nevers", typologie=Structure.Typologie.CCAS)
    ccas.finess_ej, ccas.siret = "580000017", "21580194000019"
    ccas.save()
    for n in range(25):
        lieux = [
            LieuFactory(
                structure=ccas,
                nom=f"Antenne {n:02d}",
                commune=nevers if n % 3 else None,
                latitude=NEVERS[0] + n / 1000,
                longitude=NEVERS[1],
                finess_et=f"5800{n:05d}" if n % 4 == 0 else "",
                entree_plain_pied=bool(n % 2) if n % 5 else None,
            )
        ]
        if n % 2:
            lieux.append(LieuFactory(structure=ccas, nom="Accueil", latitude=None, longitude=None))
        service = ServiceRelieFactory(
            structure=ccas,
            nom=f"Aide à domicile {n:02d}",
            nature=Service.Nature.DISPOSITIF if n % 2 else Service.Nature.SERVICE,
            accueil_a_domicile=bool(n % 2),
            date_verification=dt.date(2026, 1, 1 + n) if n % 3 else None,
            besoins=[aide, ehpad] if n % 4 else [aide],
            publics=list(agees) if n % 2 else [],
            lieux=lieux,
        )
        if n % 5 == 0:
            Provenance.objects.create(objet=service, source="finess", identifiant=f"58{n:07d}")
        if n % 7 == 0:
            Provenance.objects.create(
                objet=service,
                source="data-inclusion:dora",
                identifiant=f"dora-{n}",
                lien=f"https://dora.example.org/{n}",
            )
    ServiceRelieFactory(
        nom="SAAD du Haut-Nivernais",
        besoins=[aide],
        lieux=[LieuFactory(nom="Clamecy", latitude=CLAMECY[0], longitude=CLAMECY[1])],
    )
    indexer_services()


def json_du_schema(parametres: dict) -> str:
    """Ce que rendait la vue avant : services chargés en modèles, page validée par le
    schéma `PageRecherche` et sérialisée par django-ninja."""
    criteres = RechercheServices(**parametres)
    page = rechercher(
        criteres.critere(maintenant=timezone.localtime()),
        page=criteres.page,
        par_page=criteres.par_page,
    )
    services = [r.service for r in (*page.resultats, *page.aides)]
    prefetch_related_objects(services, Prefetch("provenances", to_attr="provenances_chargees"))
    donnees = {
        "total": page.total,
        "total_exact": page.total_exact,
        "page": page.page,
        "par_page": page.par_page,
        "commune": page.commune,
        "message": page.message,
        "hors_territoire": page.commune is not None and not dans_le_deploiement(page.commune),
        "rayon_km": page.rayon_km,
        "plus_loin": [{"rayon_km": km, "total": n} for km, n in page.plus_loin],
        "besoins_voisins": page.besoins_voisins,
        "resultats": page.resultats,
        "aides": page.aides,
    }
    return json.dumps(PageRecherche.model_validate(donnees).model_dump(), cls=NinjaJSONEncoder)


@pytest.mark.parametrize(
    "parametres",
    [
        {"q": "aide à domicile", "commune": "Nevers", "rayon_km": 20},
        {"besoin": "aide-a-domicile", "commune": "58000", "par_page": 30},
        {"q": "aide", "page": 2, "par_page": 10},
        {"besoin": "ehpad", "lat": CLAMECY[0], "lon": CLAMECY[1], "rayon_km": 5},
        {"q": "aide domicile", "tri": "nom", "public": "personnes-agees"},
        {"q": "mon père perd ses repères", "commune": "Nevers"},
        {"commune": "Xyzzyville"},
    ],
)
def test_la_recherche_de_l_api_rend_le_meme_json_que_le_schema_valide(
    client, repertoire, parametres
):
    reponse = client.get(URL, parametres)

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json; charset=utf-8"
    attendu = json_du_schema(parametres)
    assert json.loads(reponse.content) == json.loads(attendu)
    assert reponse.content.decode() == attendu


def test_le_nombre_de_requetes_d_une_recherche_ne_depend_pas_de_la_taille_de_la_page(
    client, repertoire, django_assert_max_num_queries
):
    client.get(URL, {"besoin": "ehpad"})  # caches du processus : thésaurus, types de contenu
    requetes = []
    for par_page in (1, 5, 25):
        with CaptureQueriesContext(connection) as capture:
            page = client.get(URL, {"besoin": "aide-a-domicile", "par_page": par_page}).json()
        assert len(page["resultats"]) == par_page
        requetes.append(len(capture))

    assert requetes[0] == requetes[1] == requetes[2]
    # Autour d'un lieu : la page, plus le bloc « Aides pour payer » (sa lecture de l'index et
    # ses fiches, chargées comme celles de la page).
    with django_assert_max_num_queries(17):
        client.get(URL, {"q": "aide à domicile", "commune": "Nevers", "rayon_km": 20})
