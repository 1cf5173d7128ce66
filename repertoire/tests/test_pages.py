"""Pages publiques du répertoire : recherche, fiches, dans les deux thèmes, sans JavaScript."""

import datetime as dt
import json
import re

import pytest

from repertoire.models import Besoin, Contact, Lieu, Service
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import (
    ContactFactory,
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    ServiceRelieFactory,
    StructureFactory,
)
from territoires.models import Commune

pytestmark = pytest.mark.django_db

NEVERS = "58194"


@pytest.fixture(params=["neutre", "dsfr"])
def theme(request, settings) -> str:
    """Chaque page doit s'afficher dans les deux thèmes."""
    settings.AUTONOMIE_THEME = request.param
    return request.param


@pytest.fixture
def besoin() -> Besoin:
    return Besoin.objects.filter(parent__isnull=False).order_by("pk").first()


@pytest.fixture
def nevers() -> Commune:
    return Commune.objects.get(pk=NEVERS)


def lieu_a(commune: Commune, **kwargs) -> Lieu:
    return LieuFactory(
        commune=commune, latitude=commune.latitude, longitude=commune.longitude, **kwargs
    )


def services_indexes(nombre: int, *, besoin: Besoin, commune: Commune) -> list[Service]:
    lieu = lieu_a(commune)
    services = [
        ServiceRelieFactory(
            nom=f"Aide aux aidants {n:02d}",
            structure=lieu.structure,
            besoins=[besoin],
            lieux=[lieu],
        )
        for n in range(nombre)
    ]
    indexer_services([s.pk for s in services])
    return services


def texte(reponse) -> str:
    return reponse.content.decode()


def test_la_recherche_montre_le_nombre_les_filtres_et_la_pagination(client, theme, besoin, nevers):
    services_indexes(25, besoin=besoin, commune=nevers)
    reponse = client.get("/recherche/", {"besoin": besoin.slug})
    assert reponse.status_code == 200
    html = texte(reponse)
    assert "25 résultats" in html
    assert html.count("<h1") == 1
    assert '<html lang="fr"' in html
    assert "{#" not in html and "{%" not in html
    assert 'aria-label="Pagination des résultats"' in html
    assert 'aria-current="page"' in html
    assert f"besoin={besoin.slug}&amp;page=2" in html
    assert "<legend" in html and "Mode d&#x27;accueil" in html
    for champ in ("id_q", "id_besoin", "id_public", "id_commune", "id_rayon", "id_acces"):
        assert f'for="{champ}"' in html, champ
    assert html.count('class="resultat"') == 20
    assert f"<title>Résultats pour {besoin.libelle}" in html


def test_la_deuxieme_page_le_dit_dans_son_titre(client, besoin, nevers):
    services_indexes(25, besoin=besoin, commune=nevers)
    reponse = client.get("/recherche/", {"besoin": besoin.slug, "page": "2"})
    html = texte(reponse)
    assert re.search(r"<title>Résultats pour [^<]+ – page 2 – ", html)
    assert html.count('class="resultat"') == 5
    assert 'rel="prev"' in html
    assert 'start="21"' in html


def test_un_resultat_dit_pourquoi_il_est_la_ou_et_s_il_est_ouvert(client, besoin, nevers):
    (service,) = services_indexes(1, besoin=besoin, commune=nevers)
    service.ouvert_jours_feries = True
    service.save()
    # Tous les jours, pour que le test tienne aussi quand il passe minuit.
    for jour in range(7):
        PlageHoraireFactory(service=service, jour=jour, ouverture="00:00", fermeture="23:59")
    reponse = client.get("/recherche/", {"besoin": besoin.slug, "commune": "Nevers"})
    html = texte(reponse)
    assert "1 résultat" in html
    assert service.structure.nom in html
    assert "Pourquoi ce résultat" in html
    assert f"répond au besoin « {besoin.libelle} »" in html
    assert "1 rue de la Paix, 58000 Nevers" in html
    assert "Ouvert maintenant" in html
    assert "à moins de 1 km" in html


def test_la_carte_reprend_les_resultats_de_la_page(client, besoin, nevers, settings):
    settings.AUTONOMIE_TUILES_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    services_indexes(3, besoin=besoin, commune=nevers)
    html = texte(client.get("/recherche/", {"besoin": besoin.slug}))
    donnees = re.search(r'<script id="points-carte" type="application/json">(.*?)</script>', html)
    points = json.loads(donnees.group(1))
    assert len(points) == 3
    assert points[0]["lat"] == nevers.latitude
    assert points[0]["url"].startswith("/services/")
    assert "https://tuiles.example.org/{z}/{x}/{y}.png" in html
    assert "core/vendor/leaflet/leaflet.js" in html
    assert "hidden data-carte" in html  # montrée par le script seulement


def test_sans_resultat_la_page_le_dit_sans_carte(client):
    html = texte(client.get("/recherche/", {"q": "zzzzqqqqxxxx"}))
    assert "Aucun résultat" in html
    assert "points-carte" not in html
    assert "leaflet.js" not in html


@pytest.mark.parametrize(
    "parametres",
    [
        {"q": "\"l'aide\" 'à' \""},
        {"q": "NEAR(aide"},
        {"q": "aide OR * AND -répit:"},
        {"q": "x" * 10_240},
        {"q": "\x00"},
        {"commune": "Atlantide-sur-Mer"},
        {"commune": "<script>alert(1)</script>"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"rayon": "-5"},
        {"rayon": "1e309"},
        {"tri": "n'importe"},
        {"mode": "partout"},
        {"acces": "xyz"},
        {"besoin": "inconnu"},
        {"public": "'; DROP TABLE"},
        {"ouvert": "peut-etre"},
    ],
)
def test_une_saisie_fabriquee_donne_une_page_en_francais_jamais_une_erreur(
    client, theme, parametres
):
    reponse = client.get("/recherche/", parametres)
    assert reponse.status_code == 200
    html = texte(reponse)
    assert "<script>alert(1)</script>" not in html
    assert "résultat" in html


@pytest.mark.parametrize(
    ("parametres", "message"),
    [
        ({"q": "x" * 10_240}, "Votre texte est trop long"),
        ({"page": "abc"}, "Le numéro de page n&#x27;est pas valide"),
        ({"rayon": "-5"}, "La distance doit être d&#x27;au moins 0,1 km."),
        ({"mode": "partout"}, "Choisissez un mode d&#x27;accueil dans la liste."),
    ],
)
def test_une_saisie_invalide_est_expliquee_en_texte_et_liee_a_son_champ(
    client, parametres, message
):
    html = texte(client.get("/recherche/", parametres))
    assert 'role="alert"' in html
    assert message in html
    assert 'aria-invalid="true"' in html or "aria-describedby" in html


def test_une_commune_inconnue_est_expliquee(client):
    html = texte(client.get("/recherche/", {"commune": "Atlantide-sur-Mer"}))
    assert 'role="status"' in html
    assert "Atlantide-sur-Mer" in html


def test_une_page_au_dela_de_la_derniere_propose_de_revenir_au_debut(client, besoin, nevers):
    services_indexes(2, besoin=besoin, commune=nevers)
    html = texte(client.get("/recherche/", {"besoin": besoin.slug, "page": "9"}))
    assert "Cette page de résultats n'existe pas" in html
    assert f'href="/recherche/?besoin={besoin.slug}"' in html


def test_la_page_de_resultats_fait_un_nombre_borne_de_requetes(
    client, besoin, nevers, django_assert_max_num_queries
):
    services = services_indexes(20, besoin=besoin, commune=nevers)
    for service in services:
        PlageHoraireFactory(service=service)
    # 15, et le comptage de la veille des besoins (un INSERT … ON CONFLICT, dans un point de
    # sauvegarde parce que le test tourne dans une transaction) : 18.
    with django_assert_max_num_queries(18):
        reponse = client.get("/recherche/", {"besoin": besoin.slug, "commune": "Nevers"})
    assert texte(reponse).count('class="resultat"') == 20


def test_la_page_de_resultats_reste_legere(client, besoin, nevers):
    services_indexes(20, besoin=besoin, commune=nevers)
    reponse = client.get("/recherche/", {"besoin": besoin.slug, "commune": "Nevers"})
    assert len(reponse.content) < 100_000


# --- Fiches --------------------------------------------------------------------------------


@pytest.fixture
def service_complet(nevers, besoin) -> Service:
    lieu = lieu_a(nevers, nom="Maison de l'autonomie", entree_plain_pied=True)
    service = ServiceRelieFactory(
        nom="Plateforme de répit des aidants",
        structure=lieu.structure,
        description="Des temps de répit pour les proches aidants.",
        resume_falc="Vous aidez un proche.\nNous pouvons vous aider à souffler.",
        besoins=[besoin],
        lieux=[lieu],
        age_min=60,
        modes_acces=["sur-rendez-vous"],
        documents_necessaires="Aucun document.",
        frais="gratuit",
        date_verification=dt.date(2025, 3, 14),
    )
    PlageHoraireFactory(service=service, jour=1, ouverture="09:00", fermeture="12:00")
    ContactFactory(service=service, libelle="accueil", telephone="03 86 00 00 00")
    ContactFactory(service=service, professionnels=True)
    return service


def url_de(service: Service) -> str:
    return f"/services/{service.pk}/plateforme-de-repit-des-aidants/"


def test_la_fiche_d_un_service_commence_par_le_resume_facile_a_lire(client, theme, service_complet):
    reponse = client.get(url_de(service_complet))
    assert reponse.status_code == 200
    html = texte(reponse)
    assert html.count("<h1") == 1
    assert "<title>Plateforme de répit des aidants – " in html
    falc = html.index("En bref, facile à lire")
    assert falc < html.index('id="titre-sommaire"') < html.index('id="titre-quoi"')
    assert html.index('id="titre-quoi"') < html.index('id="titre-pour-qui"')
    assert falc < html.index("Vous aidez un proche.") < html.index("Des temps de répit")


def test_la_fiche_dit_pour_qui_ou_quand_comment_et_combien(client, service_complet):
    html = texte(client.get(url_de(service_complet)))
    assert "à partir de 60 ans" in html
    assert "Maison de l&#x27;autonomie" in html
    assert "1 rue de la Paix, 58000 Nevers" in html
    assert "openstreetmap.org/?mlat=" in html
    assert "Entrée de plain-pied : oui" in html
    assert "Le mardi de 9 h à 12 h" in html
    assert "Sur rendez-vous" in html
    assert "Aucun document." in html
    assert "Gratuit." in html
    assert "Vérifié le 14 mars 2025" in html


def test_la_fiche_reste_en_francais_pour_un_navigateur_anglais(client, service_complet):
    html = texte(client.get(url_de(service_complet), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Vérifié le 14 mars 2025" in html


def test_la_fiche_ne_montre_que_les_contacts_publics(client, service_complet):
    html = texte(client.get(url_de(service_complet)))
    assert 'href="tel:0386000000"' in html
    assert "03 53 01 99 99" not in html
    assert "pro@example.org" not in html
    assert Contact.objects.filter(visibilite="professionnels").exists()


def test_un_service_non_publie_n_a_pas_de_fiche(client):
    service = ServiceFactory(brouillon=True, nom="Brouillon")
    assert client.get(f"/services/{service.pk}/brouillon/").status_code == 404
    assert client.get(f"/services/{service.pk}/").status_code == 404


def test_une_adresse_de_fiche_approximative_redirige_vers_l_adresse_canonique(
    client, service_complet
):
    reponse = client.get(f"/services/{service_complet.pk}/ancien-nom/")
    assert reponse.status_code == 301
    assert reponse.url == url_de(service_complet)
    assert client.get(f"/services/{service_complet.pk}/").url == url_de(service_complet)


def test_la_fiche_d_un_service_fait_un_nombre_borne_de_requetes(
    client, service_complet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        assert client.get(url_de(service_complet)).status_code == 200


def test_la_fiche_d_une_structure_liste_ses_services_publies(
    client, theme, service_complet, django_assert_max_num_queries
):
    structure = service_complet.structure
    ServiceFactory(structure=structure, brouillon=True, nom="Service en préparation")
    ContactFactory(service=None, structure=structure, professionnels=True)
    url = f"/structures/{structure.pk}/{structure.nom.lower().replace(' ', '-')}/"
    with django_assert_max_num_queries(10):
        reponse = client.get(url)
    assert reponse.status_code == 200
    html = texte(reponse)
    assert html.count("<h1") == 1
    assert url_de(service_complet) in html
    assert "Service en préparation" not in html
    assert "pro@example.org" not in html


def test_une_structure_inconnue_repond_404(client):
    assert client.get("/structures/999999/inconnue/").status_code == 404
    StructureFactory()
