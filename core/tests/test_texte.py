import pytest

from core.texte import normaliser


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("Saint-Pierre-le-Moûtier", "saint pierre le moutier"),
        ("ST PIERRE LE MOUTIER", "saint pierre le moutier"),
        ("Ste-Marie", "sainte marie"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("  Château-Chinon (Ville) ", "chateau chinon ville"),
    ],
)
def test_la_normalisation_ignore_casse_accents_tirets_et_abreviations(saisie, attendu):
    assert normaliser(saisie) == attendu


def test_st_au_milieu_d_un_mot_n_est_pas_remplace():
    assert normaliser("Estivareilles") == "estivareilles"
