"""Retrouver une commune comme la tape une personne : nom approximatif, code postal, INSEE."""

import pytest

from territoires.models import Commune
from territoires.selectors import (
    avec_relations,
    choix_commune,
    commune_par_code,
    commune_saisie,
    libelle_commune,
    noms_territoires,
    trouver_communes,
)

pytestmark = pytest.mark.django_db


def _codes(saisie: str, **kwargs: int) -> list[str]:
    return [commune.code_insee for commune in trouver_communes(saisie, **kwargs)]


@pytest.mark.parametrize(
    "saisie",
    [
        "st pierre le moutier",
        "Saint-Pierre-le-Moûtier",
        "SAINT PIERRE LE MOUTIER",
        " st-PIERRE-le-MOUTIER ",
    ],
)
def test_le_nom_est_trouve_quelles_que_soient_casse_accents_et_abreviations(saisie):
    assert _codes(saisie)[0] == "58264"


def test_un_nom_exact_passe_avant_un_debut_de_nom_plus_peuple(settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    communes = trouver_communes("mars")

    assert communes[0].nom == "Mars"
    assert "Marseille" in [c.nom for c in communes]


def test_les_homonymes_sont_classes_par_population_avant_les_debuts_de_nom():
    communes = trouver_communes("saint denis", limite=10)

    homonymes = [c for c in communes if c.nom == "Saint-Denis"]
    populations = [c.population for c in homonymes]
    assert len(homonymes) >= 3
    assert communes[: len(homonymes)] == homonymes
    assert populations == sorted(populations, reverse=True)
    assert homonymes[0].code_insee == "97411"
    assert communes[len(homonymes)].nom.startswith("Saint-Denis-")


def test_un_debut_de_nom_suffit():
    assert "58194" in _codes("nev")


def test_le_code_postal_donne_les_communes_qui_le_partagent():
    codes = _codes("58000")

    assert codes[0] == "58194"
    assert len(codes) > 1


def test_le_code_postal_d_un_arrondissement_donne_aussi_la_ville():
    assert _codes("75015") == ["75056", "75115"]


@pytest.mark.parametrize(
    ("saisie", "code"), [("2A004", "2A004"), ("2a004", "2A004"), ("97101", "97101")]
)
def test_le_code_insee_donne_la_commune(saisie, code):
    assert _codes(saisie) == [code]


@pytest.mark.parametrize("saisie", ["Nevers 58000", "58000 nevers", "Nevers (58000)"])
def test_nom_et_code_postal_ensemble_designent_une_seule_commune(saisie):
    assert _codes(saisie) == ["58194"]


def test_le_departement_entre_parentheses_departage_les_homonymes():
    assert _codes("Saint-Denis (93)") == ["93066"]
    assert _codes("ajaccio (2a)") == ["2A004"]


def test_un_nom_et_un_code_postal_qui_ne_vont_pas_ensemble_ne_donnent_rien():
    assert _codes("Ajaccio 58000") == []


def test_la_limite_est_respectee():
    assert len(_codes("saint", limite=7)) == 7
    assert _codes("saint", limite=0) == []


@pytest.mark.parametrize(
    "saisie",
    [
        "",
        "   ",
        "---",
        "x" * 10_000,
        "nevers " * 2_000,
        "'; DROP TABLE territoires_commune; --",
        '" OR 1=1 --',
        "%",
        "_",
        "\\",
        "\x00",
        "\ud800",
        "0" * 5 + "' OR '1'='1",
        "99999",
    ],
)
def test_une_saisie_fantaisiste_ne_donne_rien_sans_erreur(saisie):
    assert trouver_communes(saisie) == []


def test_un_caractere_invisible_n_empeche_pas_de_trouver():
    assert _codes("\x00Nevers") == ["58194"]


def test_la_fiche_est_trouvee_par_son_code_insee():
    ajaccio = commune_par_code(" 2a004 ")

    assert ajaccio is not None
    assert ajaccio.departement_id == "2A"


@pytest.mark.parametrize("code", ["99999", "", "2C004", "58194' OR 1=1", "x" * 1000])
def test_un_code_insee_inconnu_ou_invalide_ne_donne_pas_de_fiche(code):
    assert commune_par_code(code) is None


@pytest.mark.django_db
def test_les_territoires_sont_nommes_en_une_requete_par_type(django_assert_num_queries):
    zones = [("departement", "58"), ("commune", "58062"), ("france", ""), ("region", "99")]
    with django_assert_num_queries(3):
        noms = noms_territoires(zones)
    assert noms[("departement", "58")] == "Nièvre (58)"
    assert noms[("commune", "58062")] == "Château-Chinon (Ville)"
    assert noms[("france", "")] == "toute la France"
    assert noms[("region", "99")] == "99"


def test_la_commune_saisie_est_gardee_en_memoire_jusqu_a_sa_modification(
    django_assert_num_queries,
):
    assert commune_saisie("Nevers").nom == "Nevers"
    with django_assert_num_queries(0):
        assert commune_saisie("Nevers").nom == "Nevers"

    Commune.objects.get(pk="58194").save()  # comme depuis l'admin

    with django_assert_num_queries(1):
        commune_saisie("Nevers")


def test_un_nom_compose_abrege_trouve_la_commune():
    # Cosne-Cours-sur-Loire, que l'on dit « Cosne sur Loire ».
    assert _codes("Cosne sur Loire", limite=1) == ["58086"]
    assert _codes("cosne loire", limite=1) == ["58086"]


@pytest.mark.parametrize(
    ("saisie", "code"),
    [
        ("Chateau Chinnon", "58062"),
        ("chato chinon", "58062"),
        ("Nevrs", "58194"),
        ("saint piere le moutier", "58264"),
        ("Auxere", "89024"),
    ],
)
def test_une_faute_de_frappe_trouve_la_commune_approchante(saisie, code):
    assert _codes(saisie, limite=1) == [code]


def test_une_commune_approchee_est_dite_approchee_avec_ses_voisines():
    choix = choix_commune("Chateau Chinnon")

    assert choix.retenue.code_insee == "58062"
    assert choix.approchee
    assert "58063" in [c.code_insee for c in choix.autres]  # Château-Chinon (Campagne)


def test_un_nom_bien_orthographie_ne_coute_qu_une_requete(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _codes("Nevers", limite=1) == ["58194"]


def test_saint_pierre_tape_dans_la_nievre_est_une_commune_de_la_nievre():
    choix = choix_commune("Saint-Pierre")

    assert choix.retenue.departement_id == "58"
    assert not choix.approchee
    assert choix.autres, "les autres Saint-Pierre… de la Nièvre sont proposées"
    # Les débuts de nom de la Nièvre d'abord, puis les « Saint-Pierre » exacts d'ailleurs.
    nievre = [c.departement_id == "58" for c in choix.autres]
    assert nievre == sorted(nievre, reverse=True)
    assert all(c.nom == "Saint-Pierre" for c in choix.autres if c.departement_id != "58")


def test_saint_pierre_dans_un_deploiement_national_est_la_plus_peuplee_des_homonymes(settings):
    settings.AUTONOMIE_TERRITOIRE = "national"
    choix = choix_commune("Saint-Pierre")

    assert choix.retenue.nom == "Saint-Pierre"
    assert all(c.nom == "Saint-Pierre" for c in choix.autres)


def test_un_nom_qui_ne_designe_qu_une_commune_n_est_pas_ambigu():
    choix = choix_commune("Nevers")

    assert choix.retenue.code_insee == "58194"
    assert choix.autres == ()
    assert not choix.approchee


def test_une_saisie_sans_commune_ne_choisit_rien():
    assert choix_commune("zzzzzzzz").retenue is None


def test_le_libelle_donne_nom_code_postal_et_departement():
    commune = avec_relations(Commune.objects.filter(pk="58062")).get()

    assert libelle_commune(commune) == "Château-Chinon (Ville) 58120 – Nièvre"


@pytest.mark.parametrize(
    "saisie",
    ["Château-Chinon (Ville) (58)", "Château-Chinon (Ville) 58120", "chateau chinon ville"],
)
def test_le_nom_affiche_d_une_commune_la_designe_seule(saisie):
    choix = choix_commune(saisie)

    assert choix.retenue.code_insee == "58062"
    assert choix.autres == ()
    assert not choix.approchee
