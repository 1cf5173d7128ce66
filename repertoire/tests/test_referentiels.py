import re
from io import StringIO

import pytest
from data_inclusion.schema.v1 import Public as PublicDI
from data_inclusion.schema.v1 import Thematique
from django.core.management import call_command

from repertoire import services
from repertoire.models import Besoin, Frais, ModeAcces, Public, Service
from repertoire.referentiels import CATEGORIES_FINESS, PUBLICS, THESAURUS, EntreeBesoin
from repertoire.selectors import (
    besoin_et_descendants,
    besoins_et_reste,
    besoins_pour_texte,
    besoins_pour_thematiques_di,
    publics_di_pour,
    publics_pour_publics_di,
    thematiques_di_pour,
)
from repertoire.services import synchroniser_referentiels
from repertoire.tests.factories import ServiceFactory

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODES_EXIGES = [
    "500", "202", "207", "209", "354", "460", "182", "183", "246", "255", "437", "445", "446",
    "609",
]  # fmt: skip


def _a_plat(racines: tuple) -> list:
    return [entree for racine in racines for entree in (racine, *racine.enfants)]


BESOINS = _a_plat(THESAURUS)
TOUS_PUBLICS = _a_plat(PUBLICS)


# Thésaurus et publics


def test_les_slugs_sont_uniques_stables_et_en_kebab_case_ascii():
    for entrees in (BESOINS, TOUS_PUBLICS):
        slugs = [entree.slug for entree in entrees]
        assert len(slugs) == len(set(slugs))
        assert all(SLUG.match(slug) and len(slug) <= 80 for slug in slugs)
        assert all(len(entree.libelle) <= 150 for entree in entrees)


def test_le_thesaurus_a_deux_niveaux_seulement():
    assert all(not enfant.enfants for racine in THESAURUS for enfant in racine.enfants)
    assert all(not enfant.enfants for racine in PUBLICS for enfant in racine.enfants)


def test_chaque_besoin_de_premier_niveau_a_des_enfants():
    assert all(racine.enfants for racine in THESAURUS)


def test_les_besoins_voisins_existent():
    slugs = {besoin.slug for besoin in BESOINS}
    assert {voisin for besoin in BESOINS for voisin in besoin.voir_aussi} <= slugs


def test_les_thematiques_data_inclusion_sont_des_valeurs_du_schema_officiel():
    valides = {thematique.value for thematique in Thematique}
    assert {t for besoin in BESOINS for t in besoin.thematiques_di} <= valides


def test_les_publics_data_inclusion_sont_des_valeurs_du_schema_officiel():
    valides = {public.value for public in PublicDI}
    assert {p for public in TOUS_PUBLICS for p in public.publics_di} <= valides


def test_tout_besoin_s_exporte_avec_au_moins_une_thematique():
    assert all(thematiques_di_pour([besoin.slug]) for besoin in BESOINS)


def test_seuls_les_adultes_n_ont_pas_d_equivalent_data_inclusion():
    sans_equivalent = [p.slug for p in TOUS_PUBLICS if not publics_di_pour([p.slug])]
    assert sans_equivalent == ["adultes"]


def test_les_publics_du_handicap_sont_declines_par_type_de_handicap():
    handicap = next(public for public in PUBLICS if public.slug == "personnes-handicapees")
    assert {enfant.slug for enfant in handicap.enfants} >= {
        "handicap-moteur",
        "handicap-visuel",
        "handicap-auditif",
        "handicap-psychique",
        "handicap-intellectuel",
        "handicap-cognitif",
        "autisme-tsa",
        "polyhandicap",
        "maladie-invalidante",
    }


# Catégories FINESS


@pytest.mark.parametrize("code", CODES_EXIGES)
def test_chaque_categorie_finess_exigee_est_decrite(code):
    categorie = CATEGORIES_FINESS[code]
    assert categorie.code == code
    assert categorie.besoins
    assert categorie.publics


def test_les_besoins_et_publics_des_categories_finess_existent_dans_les_referentiels():
    besoins = {besoin.slug for besoin in BESOINS}
    publics = {public.slug for public in TOUS_PUBLICS}
    for categorie in CATEGORIES_FINESS.values():
        assert set(categorie.besoins) <= besoins, categorie.code
        assert set(categorie.publics) <= publics, categorie.code


def test_les_categories_finess_n_emploient_que_des_valeurs_du_modele():
    for code, categorie in CATEGORIES_FINESS.items():
        assert categorie.code == code
        assert categorie.nature in Service.Nature.values
        assert set(categorie.modes_acces) <= set(ModeAcces.values), code
        assert categorie.frais in Frais.values
        assert categorie.accueil_sur_place or categorie.accueil_a_domicile
        if categorie.age_min is not None and categorie.age_max is not None:
            assert categorie.age_min <= categorie.age_max


def test_un_ehpad_accueille_des_personnes_agees_sur_dossier():
    ehpad = CATEGORIES_FINESS["500"]
    assert ehpad.besoins == ("ehpad",)
    assert ehpad.publics == ("personnes-agees",)
    assert ehpad.modes_acces == ("dossier-admission",)
    assert ehpad.age_min == 60


def test_un_saad_intervient_au_domicile_apres_evaluation():
    saad = CATEGORIES_FINESS["460"]
    assert saad.accueil_a_domicile and not saad.accueil_sur_place
    assert "evaluation-apa" in saad.modes_acces


# Du texte aux besoins


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("maison de retraite", "ehpad"),
        ("Une MAISON DE RETRAITE médicalisée près de Nevers", "ehpad"),
        ("je cherche une aide ménagère", "aide-a-domicile"),
        ("aide menagere", "aide-a-domicile"),
        ("foyer-logement", "residence-autonomie"),
        ("MDPH", "mdph"),
        ("la MDA", "mdph"),
        ("maison départementale des personnes handicapées", "mdph"),
        ("tutelle", "protection-juridique"),
        ("téléalarme", "teleassistance"),
        ("aide sociale à l'hébergement", "aide-sociale-hebergement"),
        ("une place en foyer d'accueil médicalisé", "fam-eam"),
        ("une infirmière pour maman", "soins-infirmiers-a-domicile"),
        ("aider mon père âgé", "aidants"),
    ],
)
def test_un_mot_du_quotidien_trouve_son_besoin(texte, attendu):
    assert attendu in besoins_pour_texte(texte)


def test_le_repit_mene_aussi_a_l_accueil_de_jour_et_a_l_accueil_temporaire():
    assert besoins_pour_texte("besoin de répit") == [
        "repit-aidants",
        "accueil-de-jour",
        "accueil-temporaire",
    ]


def test_ce_que_le_texte_dit_en_plus_de_ses_besoins():
    assert besoins_et_reste("Maison de retraite") == (["ehpad"], "")
    assert besoins_et_reste("ehpad à Nevers") == (["ehpad"], "a nevers")


def test_un_mot_contenu_dans_un_autre_ne_trouve_rien():
    assert "mdph" not in besoins_pour_texte("madame")
    assert besoins_pour_texte("bonjour") == []


def test_le_terme_le_plus_long_l_emporte():
    assert besoins_pour_texte("auxiliaire de vie scolaire") == ["aesh"]


def test_un_besoin_de_premier_niveau_comprend_ses_enfants():
    assert besoin_et_descendants("etre-heberge")[:3] == [
        "etre-heberge",
        "ehpad",
        "residence-autonomie",
    ]
    assert "mas" in besoin_et_descendants("etre-heberge")


def test_filtrer_sur_le_repit_montre_aussi_les_accueils_de_jour_et_temporaires():
    assert besoin_et_descendants("repit-aidants") == [
        "repit-aidants",
        "accueil-de-jour",
        "accueil-temporaire",
    ]


def test_un_slug_inconnu_n_a_pas_de_descendants():
    assert besoin_et_descendants("inconnu") == []


# Vers data·inclusion et retour


def test_un_enfant_sans_thematique_prend_celles_de_son_parent():
    assert thematiques_di_pour(["ehpad"]) == ["logement-hebergement--changer-de-logement"]
    assert thematiques_di_pour(["ehpad", "residence-autonomie", "inconnu"]) == [
        "logement-hebergement--changer-de-logement"
    ]


def test_les_publics_s_exportent_sans_doublon():
    assert publics_di_pour(["handicap-moteur", "polyhandicap", "personnes-agees"]) == [
        "personnes-en-situation-de-handicap",
        "seniors",
    ]


def test_une_thematique_importee_ne_marque_qu_un_besoin():
    assert besoins_pour_thematiques_di(["famille--soutien-aidants"]) == ["aidants"]
    assert besoins_pour_thematiques_di(["equipement-et-alimentation--aide-menagere"]) == [
        "aide-a-domicile"
    ]
    assert besoins_pour_thematiques_di(["numerique--maitriser-les-fondamentaux-du-numerique"]) == []


def test_une_thematique_importee_revient_a_l_export():
    for thematique in Thematique:
        besoins = besoins_pour_thematiques_di([thematique.value])
        assert not besoins or thematique.value in thematiques_di_pour(besoins)


def test_un_public_importe_prend_son_equivalent_le_plus_large():
    assert publics_pour_publics_di(
        ["seniors", "personnes-en-situation-de-handicap", "familles", "jeunes", "femmes"]
    ) == ["personnes-agees", "personnes-handicapees", "familles", "enfants-jeunes"]


# Synchronisation en base


@pytest.mark.django_db
def test_la_base_contient_le_thesaurus_et_les_publics_du_code():
    assert Besoin.objects.count() == len(BESOINS)
    assert Public.objects.count() == len(TOUS_PUBLICS)
    ehpad = Besoin.objects.get(slug="ehpad")
    assert ehpad.parent.slug == "etre-heberge"
    assert "maison de retraite" in ehpad.synonymes
    assert list(Besoin.objects.values_list("slug", flat=True)[:2]) == [
        "vivre-a-domicile",
        "aide-a-domicile",
    ]
    assert Public.objects.get(slug="polyhandicap").parent.slug == "personnes-handicapees"


@pytest.mark.django_db
def test_une_synchronisation_sans_changement_n_ecrit_rien(django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        comptes = synchroniser_referentiels()
    assert set(comptes.values()) == {0}


@pytest.mark.django_db
def test_la_synchronisation_corrige_une_entree_modifiee_en_base():
    Besoin.objects.filter(slug="ehpad").update(libelle="Autre", parent=None, synonymes=[])
    comptes = synchroniser_referentiels()
    assert comptes["besoins_modifies"] == 1
    ehpad = Besoin.objects.get(slug="ehpad")
    assert (ehpad.libelle, ehpad.parent.slug) == ("EHPAD", "etre-heberge")
    assert "maison de retraite" in ehpad.synonymes


@pytest.mark.django_db
def test_une_entree_retiree_du_code_est_supprimee_avec_ses_liens(monkeypatch):
    service = ServiceFactory()
    service.besoins.add(Besoin.objects.get(slug="teleassistance"))
    sans_teleassistance = tuple(
        EntreeBesoin(
            racine.slug,
            racine.libelle,
            racine.synonymes,
            racine.thematiques_di,
            tuple(e for e in racine.enfants if e.slug != "teleassistance"),
        )
        for racine in THESAURUS
    )
    monkeypatch.setattr(services, "THESAURUS", sans_teleassistance)
    monkeypatch.setattr(services, "PUBLICS", PUBLICS[1:])

    comptes = synchroniser_referentiels()

    assert comptes["besoins_supprimes"] == 1
    assert comptes["publics_supprimes"] == 1
    assert not Besoin.objects.filter(slug="teleassistance").exists()
    assert not Public.objects.filter(slug="personnes-agees").exists()
    assert service.besoins.count() == 0


@pytest.mark.django_db
def test_un_enfant_deplace_sous_un_nouveau_parent_garde_ses_liens(monkeypatch):
    service = ServiceFactory()
    service.besoins.add(Besoin.objects.get(slug="ehpad"))
    ehpad = next(e for e in THESAURUS[1].enfants if e.slug == "ehpad")
    nouveau = EntreeBesoin("maisons-de-retraite", "Maisons de retraite", enfants=(ehpad,))
    sans_heberge = tuple(r for r in THESAURUS if r.slug != "etre-heberge")
    monkeypatch.setattr(services, "THESAURUS", (*sans_heberge, nouveau))

    synchroniser_referentiels()

    assert service.besoins.get().parent.slug == "maisons-de-retraite"


@pytest.mark.django_db
def test_la_commande_charge_les_communes_puis_les_referentiels(monkeypatch):
    appels = []
    monkeypatch.setattr(
        "repertoire.management.commands.charger_referentiels.charger_communes",
        lambda *, progression: appels.append(progression) or {"communes": 3},
    )
    sortie = StringIO()
    call_command("charger_referentiels", stdout=sortie, verbosity=0)
    assert appels == [False]
    assert "Territoires — communes : 3" in sortie.getvalue()
    assert "besoins créés : 0" in sortie.getvalue()
