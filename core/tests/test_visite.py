from core.visite import type_de_page


def test_deux_fiches_de_service_sont_un_meme_type_de_page():
    assert type_de_page("/services/12/aide-a-domicile/") == type_de_page("/services/40/portage/")


def test_les_parametres_comptent_par_leur_nom_pas_par_leur_valeur():
    assert type_de_page("/recherche/?q=ehpad&page=2") == type_de_page("/recherche/?page=3&q=ssiad")
    assert type_de_page("/recherche/?q=ehpad") != type_de_page("/recherche/?q=ehpad&page=2")


def test_un_export_par_format_suffit_pour_une_page():
    assert type_de_page("/pilotage/mdph/58/tableaux/delai-aah.csv") == type_de_page(
        "/pilotage/mdph/21/tableaux/flux.csv"
    )
    assert type_de_page("/pilotage/alertes/tableaux/alertes.csv") != type_de_page(
        "/pilotage/alertes/tableaux/alertes.xlsx"
    )


def test_les_filtres_de_l_administration_ne_font_pas_de_nouveaux_types():
    assert type_de_page("/admin/repertoire/service/?o=1&p=2") == "/admin/repertoire/service/"
