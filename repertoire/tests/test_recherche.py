import datetime as dt
import random

import pytest
from django.utils import timezone

from repertoire.horaires import est_ouvert
from repertoire.models import Besoin, Public, Service, Structure
from repertoire.recherche import Critere, moteur, rechercher
from repertoire.recherche.expression import et
from repertoire.recherche.geo import distance_km
from repertoire.recherche.index import indexer_services
from repertoire.tests.factories import (
    HoraireExceptionnelFactory,
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from territoires.models import Commune

pytestmark = pytest.mark.django_db

NEVERS = (46.9908, 3.1593)
LUNDI_10H = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC).astimezone(
    timezone.get_default_timezone()
)


def service(*, besoins=(), lat=NEVERS[0], lon=NEVERS[1], **champs) -> Service:
    """Un service publié, avec un lieu (sauf lat=None) et ses besoins du thésaurus."""
    nouveau = ServiceFactory(**champs)
    if lat is not None:
        nouveau.lieux.add(LieuFactory(structure=nouveau.structure, latitude=lat, longitude=lon))
    nouveau.besoins.set(Besoin.objects.filter(slug__in=besoins))
    return nouveau


def trouves(**critere) -> list[str]:
    indexer_services()
    return [r.service.nom for r in rechercher(Critere(**critere), par_page=100).resultats]


def test_maison_de_retraite_trouve_un_ehpad():
    service(nom="Les Tilleuls", description="Hébergement médicalisé.", besoins=["ehpad"])
    service(nom="Club de bridge", description="Jeux de cartes.")
    indexer_services()

    page = rechercher(Critere(q="maison de retraite"))

    assert [r.service.nom for r in page.resultats] == ["Les Tilleuls"]
    assert "répond au besoin « EHPAD »" in page.resultats[0].raisons


def test_aide_menagere_trouve_l_aide_a_domicile():
    service(nom="SAAD du Morvan", description="Interventions.", besoins=["aide-a-domicile"])

    assert trouves(q="aide ménagère") == ["SAAD du Morvan"]


@pytest.mark.parametrize("saisie", ["répit", "repit", "RÉPIT"])
def test_repit_trouve_accueil_de_jour_et_accueil_temporaire(saisie):
    service(nom="Accueil de jour Les Iris", besoins=["accueil-de-jour"])
    service(nom="Hébergement temporaire Le Clos", besoins=["accueil-temporaire"])
    service(nom="Atelier mémoire", besoins=["ateliers-prevention"])

    assert sorted(trouves(q=saisie)) == [
        "Accueil de jour Les Iris",
        "Hébergement temporaire Le Clos",
    ]


def test_mdph_trouve_la_maison_departementale_de_l_autonomie():
    mda = StructureFactory(mdph=True)
    service(nom="Accueil du public", structure=mda, description="Accueil et information.")
    service(nom="Club de bridge", description="Jeux de cartes.")

    assert trouves(q="MDPH") == ["Accueil du public"]


def test_les_mots_qui_ne_font_que_nommer_le_besoin_ne_passent_pas_devant_la_distance():
    loin = (NEVERS[0] + 0.05, NEVERS[1])  # ≈ 5,6 km
    service(nom="Les Tilleuls", description="Hébergement médicalisé.", besoins=["ehpad"])
    service(
        nom="Aide à l'hébergement",
        description="Aide pour payer la maison de retraite.",
        besoins=["ehpad"],
        lat=loin[0],
        lon=loin[1],
    )
    service(nom="Club de la retraite", description="Maison de retraite ? Non, jeux de cartes.")
    indexer_services()

    page = rechercher(Critere(q="maison de retraite", commune="Nevers"))

    noms = [r.service.nom for r in page.resultats]
    assert noms[:2] == ["Les Tilleuls", "Aide à l'hébergement"]
    # Sans le besoin, les mots seuls viennent après.
    assert noms[2:] == ["Club de la retraite"]
    assert "contient « maison de retraite »" in page.resultats[1].raisons


def test_une_fiche_sans_le_besoin_passe_apres_celles_qui_l_ont_meme_nommee_comme_lui():
    service(nom="Portage de repas du CCAS", description="Soins infirmiers.")  # créée d'abord
    service(nom="Les Menus du Morvan", description="Livraison.", besoins=["portage-de-repas"])

    assert trouves(q="portage de repas") == ["Les Menus du Morvan", "Portage de repas du CCAS"]


def test_des_mots_en_plus_du_besoin_comptent_encore():
    service(nom="Les Tilleuls", description="Hébergement médicalisé.", besoins=["ehpad"])
    service(nom="Les Lilas", description="Jardin thérapeutique.", besoins=["ehpad"])

    assert trouves(q="ehpad jardin") == ["Les Lilas", "Les Tilleuls"]


def test_les_raisons_disent_les_mots_tels_que_saisis():
    service(nom="Les repas du Morvan", description="Livraison à domicile.")
    indexer_services()

    page = rechercher(Critere(q="Repas, à domicile ! xqzwvk"))

    assert "contient « repas à domicile »" in page.resultats[0].raisons


@pytest.mark.parametrize(
    ("saisie", "gardes", "lu"),
    [
        ("Repas, à domicile !", {"repas": "repas", "domicile": "domicile"}, "repas à domicile"),
        ("aider mon père âgé", {"aider": "aider", "age": "age"}, "aider âgé"),
        ("une ehpda", {"ehpda": "ehpad"}, "une ehpad"),
    ],
)
def test_le_texte_lu_est_la_saisie_sans_ses_mots_ignores(saisie, gardes, lu):
    assert moteur._texte_lu(saisie, gardes) == lu


def test_un_mot_corrige_fait_reconnaitre_son_besoin():
    service(nom="Les Tilleuls", description="Hébergement médicalisé.", besoins=["ehpad"])
    indexer_services()

    page = rechercher(Critere(q="ehpda"))

    assert [r.service.nom for r in page.resultats] == ["Les Tilleuls"]
    assert "répond au besoin « EHPAD »" in page.resultats[0].raisons


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("alzeimer", "Halte répit Alzheimer"),
        ("alzheimr", "Halte répit Alzheimer"),
        ("ehpda", "EHPAD Les Tilleuls"),
        ("handicapes", "SAMSAH Nivernais"),
    ],
)
def test_une_faute_de_frappe_ou_un_accent_manquant_est_toleree(saisie, attendu):
    service(nom="Halte répit Alzheimer", description="Pour les malades et leurs proches.")
    service(nom="EHPAD Les Tilleuls", description="Hébergement médicalisé.")
    service(nom="SAMSAH Nivernais", description="Adultes handicapés à domicile.")

    indexer_services()
    page = rechercher(Critere(q=saisie))

    assert [r.service.nom for r in page.resultats] == [attendu]
    # « handicapés » dit un public ; aucune fiche ne le déclare ici : ses mots sont cherchés.
    assert (
        page.message == ""
        or f"« {saisie} » compris comme" in page.message
        or "voici ceux qui en parlent" in page.message
    )


def test_un_mot_inconnu_sans_voisin_est_ignore_et_signale():
    service(nom="EHPAD Les Tilleuls", description="Hébergement médicalisé.")
    indexer_services()

    page = rechercher(Critere(q="ehpad xqzwvk"))

    assert [r.service.nom for r in page.resultats] == ["EHPAD Les Tilleuls"]
    assert "« xqzwvk » ne figure dans aucune fiche" in page.message


def test_un_debut_de_mot_trouve_les_mots_qui_le_prolongent():
    service(nom="Transport adapté du Nivernais", description="Véhicules équipés.")
    service(nom="Club de bridge", description="Jeux de cartes.")

    assert trouves(q="transport adaptés") == ["Transport adapté du Nivernais"]
    assert trouves(q="vehic") == ["Transport adapté du Nivernais"]


def test_postgresql_cherche_les_racines_exactes_des_mots_d_un_prefixe():
    from django.db import connection

    from repertoire.recherche import postgresql

    if connection.vendor != "postgresql":
        pytest.skip("racines de PostgreSQL")
    service(nom="Aidants et aidés", description="Nous écoutons.")
    service(nom="Salle", description=" ".join(f"mot{n:03d}" for n in range(60)))
    indexer_services()

    with connection.cursor() as curseur:
        termes = postgresql.termes_des_prefixes(curseur, ["aidant", "mot", "nous", "zzzz"])

    assert termes["aidant"] == ["aid"]  # « aidants » : le mot exact, racinisé
    assert termes["mot"] == ["mot*"]  # plus de 50 mots : le préfixe tel quel
    assert termes["nous"] == []  # mot vide : ne contraint rien
    assert "zzzz" not in termes
    assert trouves(q="nous aidants") == ["Aidants et aidés"]


def test_postgresql_vide_les_listes_d_attente_gin_apres_une_reconstruction():
    from django.db import connection

    from repertoire.recherche import postgresql

    if connection.vendor != "postgresql":
        pytest.skip("index GIN de PostgreSQL")
    for n in range(30):
        service(nom=f"Service {n}", description="Aide à domicile.")
    indexer_services()

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT relname, reloptions, gin_clean_pending_list(oid) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[]) ORDER BY relname",
            [list(postgresql.INDEX_GIN)],
        )
        index = curseur.fetchall()

    assert [nom for nom, *_ in index] == sorted(postgresql.INDEX_GIN)
    # Rien à vider : la reconstruction l'a fait ; la liste reste courte (migration 0019).
    assert all(options == ["gin_pending_list_limit=256"] for _, options, _ in index)
    assert [en_attente for *_, en_attente in index] == [0, 0, 0, 0]


def test_un_mot_absent_des_fiches_qui_nomme_un_besoin_n_est_pas_dit_ignore():
    service(nom="Présence verte", description="Bracelet d'appel.", besoins=["teleassistance"])
    indexer_services()

    page = rechercher(Critere(q="téléalarme xqzwvk"))

    assert [r.service.nom for r in page.resultats] == ["Présence verte"]
    assert "telealarme" not in page.message
    assert "« xqzwvk » ne figure dans aucune fiche" in page.message


def test_un_mot_qui_nomme_un_besoin_n_est_pas_corrige():
    service(nom="Plateforme de répit", description="Pour les proches.", besoins=["aidants"])
    service(nom="Club", description="Des personnes et des perles.")
    indexer_services()

    page = rechercher(Critere(q="aider mon père"))

    assert [r.service.nom for r in page.resultats] == ["Plateforme de répit"]
    assert "compris comme" not in page.message


def test_un_besoin_de_premier_niveau_inclut_ses_enfants():
    service(nom="Les Tilleuls", besoins=["ehpad"])
    service(nom="Résidence Les Lilas", besoins=["residence-autonomie"])
    service(nom="SAAD du Morvan", besoins=["aide-a-domicile"])

    assert sorted(trouves(besoin="etre-heberge")) == ["Les Tilleuls", "Résidence Les Lilas"]
    assert trouves(besoin="ehpad") == ["Les Tilleuls"]


def test_le_filtre_public_garde_les_services_du_public_et_de_ses_sous_publics():
    parent = Public.objects.filter(enfants__isnull=False).first()
    enfant = parent.enfants.first()
    autre = Public.objects.exclude(pk=parent.pk).filter(parent__isnull=True).first()
    service(nom="Pour le parent").publics.add(parent)
    service(nom="Pour l'enfant").publics.add(enfant)
    service(nom="Pour un autre").publics.add(autre)

    assert sorted(trouves(public=parent.slug)) == ["Pour l'enfant", "Pour le parent"]
    assert trouves(public=enfant.slug) == ["Pour l'enfant"]


def test_seuls_les_services_publies_sont_trouves():
    service(nom="EHPAD publié")
    service(nom="EHPAD brouillon", brouillon=True)

    assert trouves(q="ehpad") == ["EHPAD publié"]


def test_un_service_de_nevers_couvrant_la_nievre_est_trouve_depuis_chateau_chinon():
    a_domicile = service(nom="SAAD départemental", a_domicile=True)
    ZoneInterventionFactory(service=a_domicile, type="departement", code="58")
    service(nom="Bureau de Nevers sans zone")
    indexer_services()

    page = rechercher(Critere(commune="Château-Chinon (Ville)", rayon_km=5))

    assert [r.service.nom for r in page.resultats] == ["SAAD départemental"]
    assert page.commune.code_insee == "58062"
    assert "intervient à domicile sur Château-Chinon (Ville)" in page.resultats[0].raisons


def test_un_service_a_domicile_sans_zone_couvrante_n_est_pas_trouve_loin_de_son_bureau():
    ailleurs = service(nom="SAAD de la Côte-d'Or", a_domicile=True)
    ZoneInterventionFactory(service=ailleurs, type="departement", code="21")

    assert trouves(commune="58062", rayon_km=5) == []


def test_un_service_a_distance_sans_zone_est_garde_et_signale():
    service(nom="Ligne d'écoute nationale", accueil_a_distance=True, lat=50.63, lon=3.06)
    service(nom="Permanence à Lille", lat=50.63, lon=3.06)
    indexer_services()

    page = rechercher(Critere(commune="Château-Chinon (Ville)", rayon_km=5))

    assert [r.service.nom for r in page.resultats] == ["Ligne d'écoute nationale"]
    assert "joignable à distance (téléphone, visio), où que vous soyez" in page.resultats[0].raisons


def test_les_services_sont_classes_par_pertinence_puis_par_distance():
    for nom, km in [("Loin", 20), ("Près", 1), ("Moyen", 5)]:
        service(nom=f"Accueil de jour {nom}", lat=NEVERS[0] + km / 111.2, lon=NEVERS[1])
    service(nom="Atelier", description="Après l'accueil de jour, un atelier.")
    indexer_services()

    page = rechercher(Critere(q="accueil de jour", lat=NEVERS[0], lon=NEVERS[1], rayon_km=30))

    noms = [r.service.nom for r in page.resultats]
    assert noms == [
        "Accueil de jour Près",
        "Accueil de jour Moyen",
        "Accueil de jour Loin",
        "Atelier",
    ]
    assert page.resultats[1].raisons[-1] == "à 5,0 km"


@pytest.mark.parametrize(
    "le",
    [
        LUNDI_10H,
        LUNDI_10H.replace(hour=8, minute=59),
        LUNDI_10H.replace(hour=12),
        LUNDI_10H.replace(hour=23, minute=30),
        LUNDI_10H + dt.timedelta(days=1),
        dt.datetime(2025, 7, 14, 10, 0, tzinfo=timezone.get_default_timezone()),  # férié
    ],
)
def test_le_filtre_ouvert_suit_les_horaires_comme_est_ouvert(le):
    matin = service(nom="Ouvert le lundi matin")
    PlageHoraireFactory(service=matin, jour=0, ouverture="09:00", fermeture="12:00")
    feries = service(nom="Ouvert même férié", ouvert_jours_feries=True)
    PlageHoraireFactory(service=feries, jour=0, ouverture="09:00", fermeture="23:59")
    ferme = service(nom="Fermé exceptionnellement")
    PlageHoraireFactory(service=ferme, jour=0, ouverture="09:00", fermeture="12:00")
    HoraireExceptionnelFactory(service=ferme, date_debut=le.date(), date_fin=le.date())
    particulier = service(nom="Horaires particuliers")
    HoraireExceptionnelFactory(
        service=particulier, date_debut=le.date(), date_fin=le.date(), horaires_particuliers=True
    )
    service(nom="Sans horaires")

    attendus = [s.nom for s in Service.objects.order_by("nom") if est_ouvert(s, le)]
    assert sorted(trouves(ouvert_le=le)) == attendus


def test_modes_d_accueil_et_d_acces_filtrent():
    service(nom="Sur place", modes_acces=["libre"])
    service(nom="À domicile", a_domicile=True, modes_acces=["sur-rendez-vous", "evaluation-apa"])

    assert trouves(mode_accueil="a-domicile") == ["À domicile"]
    assert trouves(mode_acces="evaluation-apa") == ["À domicile"]
    assert trouves(mode_acces="libre") == ["Sur place"]


CRAFTED = [
    '"',
    '"ehpad',
    "NEAR(ehpad aide, 2)",
    "ehpad*",
    "*",
    "ehpad AND OR NOT aide",
    "NOT",
    "{nom} : ehpad",
    "nom:ehpad",
    "aid:* & !ehp",
    "'; DROP TABLE repertoire_service; --",
    "%_%",
    "\x00\x01",
    "é" * 10_000,
    "ehpad " * 2_000,
    "😀 ✓ ∑",
    "",
]


@pytest.mark.parametrize("saisie", CRAFTED)
def test_une_saisie_piegee_ne_leve_jamais_d_exception(saisie):
    service(nom="EHPAD Les Tilleuls")
    indexer_services()

    for critere in [
        Critere(q=saisie),
        Critere(q=saisie, commune=saisie, rayon_km=5),
        Critere(besoin=saisie, public=saisie, mode_accueil=saisie, mode_acces=saisie),
    ]:
        page = rechercher(critere)
        assert page.total == len(page.resultats) or page.total > len(page.resultats)


@pytest.mark.parametrize(
    ("critere", "message"),
    [
        (Critere(commune="Nulle-Part-sur-Mer"), "Aucune commune ne correspond"),
        (Critere(lat=123.0, lon=3.0), "Position impossible"),
        (Critere(lat=float("nan"), lon=3.0), "Position impossible"),
        (Critere(lat=46.9, lon=None), "Il faut une latitude et une longitude"),
        (Critere(commune="Nevers", rayon_km=-3), "Le rayon doit être un nombre positif"),
        (Critere(commune="Nevers", rayon_km=10_000), "Le rayon est limité"),
        (Critere(besoin="inconnu"), "Le besoin « inconnu » n'existe pas"),
        (Critere(q="zzzzzzzzz"), "Aucun service ne correspond"),
        (Critere(q="ehpad" * 100), "raccourcie"),
    ],
)
def test_une_saisie_incomprise_donne_un_message_en_francais(critere, message):
    page = rechercher(critere)

    assert message in page.message


def test_le_rayon_donne_les_memes_services_qu_une_haversine_exhaustive():
    hasard = random.Random(58)
    points = {}
    for n in range(300):
        lat, lon = NEVERS[0] + hasard.uniform(-0.6, 0.6), NEVERS[1] + hasard.uniform(-0.9, 0.9)
        points[service(nom=f"Service {n}", lat=lat, lon=lon).pk] = (lat, lon)
    indexer_services()

    for _ in range(10):
        lat, lon = NEVERS[0] + hasard.uniform(-0.3, 0.3), NEVERS[1] + hasard.uniform(-0.4, 0.4)
        rayon = hasard.uniform(2, 40)
        page = rechercher(Critere(lat=lat, lon=lon, rayon_km=rayon), par_page=100)
        attendus = sorted(
            (distance_km(lat, lon, *point), pk)
            for pk, point in points.items()
            if distance_km(lat, lon, *point) <= rayon
        )
        assert page.total == len(attendus)
        assert [r.service.pk for r in page.resultats] == [pk for _, pk in attendus][:100]


def test_une_page_de_resultats_coute_un_nombre_fixe_de_requetes(django_assert_num_queries):
    for n in range(30):
        s = service(nom=f"EHPAD {n}", besoins=["ehpad"], lat=None)
        s.lieux.add(LieuFactory(structure=s.structure, commune=Commune.objects.get(pk="58194")))
    indexer_services()
    critere = Critere(q="ehpad", commune="Nevers", rayon_km=10)
    rechercher(critere)  # met la commune et le thésaurus en mémoire

    # vocabulaire, index (fiches du rayon, puis leurs distances), page, liens au thésaurus, lieux,
    # aides pour payer (aucune ici : une lecture de l'index)
    with django_assert_num_queries(7):
        page = rechercher(critere, par_page=25)
        for resultat in page.resultats:
            _ = [lieu.commune.nom for lieu in resultat.service.lieux_charges]
            _ = [besoin.libelle for besoin in resultat.service.besoins_charges]
            _ = [public.libelle for public in resultat.service.publics_charges]
            _ = resultat.service.structure.nom
    assert len(page.resultats) == 25


def test_reindexer_retire_les_services_depublies():
    publie = service(nom="EHPAD Les Tilleuls")
    indexer_services()
    Service.objects.filter(pk=publie.pk).update(statut=Service.Statut.ARCHIVE)

    indexer_services([publie.pk])

    assert rechercher(Critere(q="ehpad")).resultats == []
    assert Structure.objects.count() == 1


def test_au_dela_de_mille_le_total_est_un_plancher(monkeypatch):
    monkeypatch.setattr(moteur, "TOTAL_MAX", 3)
    for n in range(5):
        service(nom=f"EHPAD {n}")
    indexer_services()

    page = rechercher(Critere(q="ehpad"), par_page=2)

    assert (page.total, page.total_exact, len(page.resultats)) == (3, False, 2)
    assert rechercher(Critere(q="ehpad", commune="Nevers"), par_page=2).total_exact is False
    monkeypatch.setattr(moteur, "TOTAL_MAX", 5)
    assert (rechercher(Critere(q="ehpad")).total, rechercher(Critere(q="ehpad")).total_exact) == (
        5,
        True,
    )


@pytest.mark.parametrize(
    "critere",
    [
        Critere(q="accueil de jour", lat=NEVERS[0], lon=NEVERS[1], rayon_km=40),
        Critere(lat=NEVERS[0], lon=NEVERS[1], rayon_km=40),
        Critere(q="répit", lat=NEVERS[0], lon=NEVERS[1], rayon_km=40, tri="distance"),
        Critere(q="accueil de jour"),
        Critere(q="ehpad répit"),
        Critere(q="répit", besoin="aidants", commune="Nevers", rayon_km=15),
        Critere(besoin="etre-heberge", commune="Nevers", rayon_km=10, tri="distance"),
        Critere(q="jeux", commune="Nevers", rayon_km=5),
    ],
)
def test_les_raccourcis_du_moteur_donnent_les_memes_pages_que_la_requete_complete(
    critere, monkeypatch
):
    """Filtre et lieu lus en entier, candidats lus en entier, ou lecture dense (cercles
    croissants, total compté sans tout lire) : des chemins différents, jamais d'autres pages."""

    def plan_candidats(plan) -> list:
        return [et(plan.filtre, plan.candidats, plan.lieu)]

    hasard = random.Random(7)
    noms = ["Accueil de jour", "Halte répit", "EHPAD", "Club"]
    besoins = [["accueil-de-jour"], ["ehpad"], []]
    for n in range(120):
        service(
            nom=f"{hasard.choice(noms)} {n}",
            description=hasard.choice(["Répit des aidants.", "Accueil de jour.", "Jeux."]),
            besoins=hasard.choice(besoins),
            lat=NEVERS[0] + hasard.uniform(-0.3, 0.3),
            lon=NEVERS[1] + hasard.uniform(-0.4, 0.4),
        )
    for n in range(12):  # loin de Nevers : couverts par une zone, ou joignables à distance
        loin = service(
            nom=f"Halte répit lointaine {n}",
            description="Jeux et répit des aidants.",
            besoins=hasard.choice(besoins),
            lat=hasard.choice([None, 45.0 + n / 10]),
            accueil_a_distance=n % 3 == 0,
        )
        if n % 3:
            ZoneInterventionFactory(service=loin, type="departement", code="58")
    indexer_services()

    def pages() -> list:
        return [
            [(r.service.pk, r.score, r.distance_km, r.raisons) for r in page.resultats]
            + [page.total]
            for page in (rechercher(critere, page=n, par_page=7) for n in (1, 2, 5))
        ]

    petit_ensemble = pages()
    assert petit_ensemble[0][:-1], "la première page ne doit pas être vide"
    monkeypatch.setattr(moteur, "_lisibles_en_entier", lambda plan: plan_candidats(plan))
    assert pages() == petit_ensemble
    monkeypatch.setattr(moteur, "LIMITE_DENSE", 4)
    assert pages() == petit_ensemble
