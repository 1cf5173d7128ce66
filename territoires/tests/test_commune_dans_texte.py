"""Une commune dite dans la phrase (« ehpad nevers », « aide à domicile à Saint-Malo ») :
lue par son nom exact ou son code postal, à la fin ou après « à », « sur », « près de »…,
jamais dans un mot ordinaire de la demande (issue 13, § 1)."""

import pytest

from territoires.selectors import choix_commune, commune_dans_texte

pytestmark = pytest.mark.django_db
ORDINAIRES = frozenset({"mere", "aide", "domicile", "ehpad", "ssiad", "de", "a", "le"})


def _lu(texte: str) -> tuple[str, str] | None:
    lieu = commune_dans_texte(texte, ORDINAIRES)
    return (lieu.commune.code_insee, lieu.reste) if lieu else None


def test_le_nom_qui_termine_la_phrase_est_le_lieu_et_quitte_les_mots():
    assert _lu("ehpad nevers") == ("58194", "ehpad")
    assert _lu("SSIAD Château-Chinon (Ville)") == ("58062", "SSIAD")


def test_un_nom_annonce_par_a_ou_sur_peut_etre_au_milieu_de_la_phrase():
    assert _lu("aide à domicile à Nevers le soir") == ("58194", "aide à domicile le soir")


def test_le_code_postal_dit_la_commune():
    assert _lu("portage de repas 58000") == ("58194", "portage de repas")


def test_le_plus_long_nom_l_emporte():
    assert _lu("ehpad st pierre le moutier")[0] == "58264"


def test_un_debut_de_nom_du_territoire_de_deux_mots_suffit():
    assert _lu("accueil de jour chateau chinon")[0] == "58062"


def test_un_mot_ordinaire_n_est_jamais_un_lieu():
    assert _lu("aide pour ma mère") is None  # Mère est une commune des Yvelines
    assert _lu("aide à domicile") is None


def test_une_phrase_sans_commune_ne_donne_rien():
    assert _lu("") is None
    assert _lu("accueil de jour pour personnes désorientées") is None


def test_le_territoire_servi_passe_avant_un_homonyme_d_ailleurs(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58"
    assert _lu("ssiad saint malo")[0] == "58252"  # Saint-Malo-en-Donziois, comme le champ
    settings.AUTONOMIE_TERRITOIRE = "departement:35,58"
    assert _lu("ssiad saint malo")[0] == "35288"


def test_le_champ_commune_propose_le_nom_exact_d_ailleurs_a_cote_du_debut_retenu(settings):
    settings.AUTONOMIE_TERRITOIRE = "departement:58"
    choix = choix_commune("Saint-Malo")
    assert choix.retenue.code_insee == "58252"  # Saint-Malo-en-Donziois
    assert "35288" in [c.code_insee for c in choix.autres]
