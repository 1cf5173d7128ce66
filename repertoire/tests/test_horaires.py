import datetime as dt

import pytest
from django.utils import timezone

from repertoire.horaires import (
    depuis_osm,
    en_toutes_lettres,
    est_ferie,
    est_ouvert,
    jours_feries,
    paques,
    vers_osm,
)
from repertoire.models import PlageHoraire, Service
from repertoire.tests.factories import (
    HoraireExceptionnelFactory,
    PlageHoraireFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


def service_avec(osm: str, **kwargs) -> Service:
    service = ServiceFactory(**kwargs)
    PlageHoraire.objects.bulk_create(
        PlageHoraire(service=service, jour=jour, ouverture=debut, fermeture=fin)
        for jour, debut, fin in depuis_osm(osm)
    )
    return service


def test_les_jours_aux_memes_creneaux_sont_regroupes():
    service = service_avec("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00")

    assert vers_osm(service) == "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"


def test_deux_jours_isoles_s_ecrivent_en_liste():
    service = service_avec("Mo,We 14:00-18:00", ouvert_jours_feries=True)

    assert vers_osm(service) == "Mo,We 14:00-18:00"


def test_un_service_sans_horaires_donne_une_chaine_vide():
    assert vers_osm(ServiceFactory()) == ""


def test_ouvert_jour_et_nuit_s_ecrit_24_7_et_se_relit():
    service = service_avec("24/7", ouvert_jours_feries=True)

    assert vers_osm(service) == "24/7"
    assert depuis_osm("24/7")[0] == (0, T(0), T(23, 59))
    assert en_toutes_lettres(service) == ["tous les jours, 24 h sur 24"]


@pytest.mark.parametrize(
    "osm",
    [
        "Mo-Fr 08:30-12:30,13:30-17:00; PH off",
        "Mo,Tu,Th 09:00-12:00; Fr 14:00-18:30; PH off",
        "Mo-We,Fr 09:00-12:00; Sa,Su 10:00-24:00; PH off",
    ],
)
def test_vers_osm_et_depuis_osm_font_l_aller_retour(osm):
    service = service_avec(osm)

    assert vers_osm(service) == osm
    assert depuis_osm(vers_osm(service)) == depuis_osm(osm)


def test_depuis_osm_lit_intervalles_listes_fermetures_et_ordre_des_regles():
    plages = depuis_osm("Mo-Fr 09:00-12:00; We off; Sa-Mo 10:00-11:00; PH off")

    assert plages == [
        (0, T(10), T(11)),
        (1, T(9), T(12)),
        (3, T(9), T(12)),
        (4, T(9), T(12)),
        (5, T(10), T(11)),
        (6, T(10), T(11)),
    ]


@pytest.mark.parametrize(
    ("osm", "message"),
    [
        ("Dec 25 off", "seules les règles hebdomadaires"),
        ("Mo-Fr 9h-12h", "n'est pas un créneau HH:MM-HH:MM"),
        ("Lu-Ve 09:00-12:00", "jour « Lu » inconnu"),
        ("Mo 18:00-09:00", "finit avant de commencer"),
        ("Mo 09:00-25:00", "heure « 25:00 » impossible"),
        ("PH 10:00-12:00", "jours fériés ne sont pas pris en charge"),
        ("Mo-Fr", "jours sans horaires"),
    ],
)
def test_depuis_osm_explique_en_francais_ce_qu_il_ne_sait_pas_lire(osm, message):
    with pytest.raises(ValueError, match="horaires illisibles") as erreur:
        depuis_osm(osm)

    assert message in str(erreur.value)


def test_les_horaires_exceptionnels_passent_apres_les_jours_feries():
    service = service_avec("Mo-Fr 09:00-17:00")
    HoraireExceptionnelFactory(
        service=service, date_debut=dt.date(2098, 12, 24), date_fin=dt.date(2098, 12, 26)
    )
    HoraireExceptionnelFactory(
        service=service, date_debut=dt.date(2098, 7, 14), horaires_particuliers=True
    )

    assert vers_osm(service) == (
        "Mo-Fr 09:00-17:00; PH off; 2098 Jul 14 10:00-12:00; 2098 Dec 24-2098 Dec 26 off"
    )


@pytest.mark.parametrize(
    ("annee", "lundi_paques", "ascension", "pentecote"),
    [
        (2024, dt.date(2024, 4, 1), dt.date(2024, 5, 9), dt.date(2024, 5, 20)),
        (2025, dt.date(2025, 4, 21), dt.date(2025, 5, 29), dt.date(2025, 6, 9)),
        (2026, dt.date(2026, 4, 6), dt.date(2026, 5, 14), dt.date(2026, 5, 25)),
        (2027, dt.date(2027, 3, 29), dt.date(2027, 5, 6), dt.date(2027, 5, 17)),
    ],
)
def test_les_feries_mobiles_suivent_paques(annee, lundi_paques, ascension, pentecote):
    feries = jours_feries(annee)

    assert len(feries) == 11
    assert feries[lundi_paques] == "lundi de Pâques"
    assert feries[ascension] == "Ascension"
    assert feries[pentecote] == "lundi de Pentecôte"


def test_paques_2038_tombe_le_25_avril():
    assert paques(2038) == dt.date(2038, 4, 25)


def test_le_14_juillet_est_ferie_mais_pas_le_13():
    assert est_ferie(dt.date(2026, 7, 14))
    assert not est_ferie(dt.date(2026, 7, 13))


def a_paris(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def test_est_ouvert_suit_la_semaine_type():
    service = service_avec("Mo-Fr 09:00-12:00,14:00-17:00")

    assert est_ouvert(service, a_paris(2026, 11, 23, 9, 0))  # lundi
    assert not est_ouvert(service, a_paris(2026, 11, 23, 12, 0))
    assert not est_ouvert(service, a_paris(2026, 11, 28, 10, 0))  # samedi


def test_est_ouvert_convertit_une_heure_utc_en_heure_locale():
    service = service_avec("Mo 09:00-10:00")

    assert est_ouvert(service, dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC))


def test_un_service_est_ferme_le_lundi_de_pentecote_sauf_s_il_ouvre_les_jours_feries():
    ferme = service_avec("Mo-Fr 09:00-17:00")
    ouvert = service_avec("Mo-Fr 09:00-17:00", ouvert_jours_feries=True)

    assert not est_ouvert(ferme, a_paris(2026, 5, 25, 10, 0))
    assert est_ouvert(ouvert, a_paris(2026, 5, 25, 10, 0))


def test_les_exceptions_passent_avant_les_jours_feries_et_la_semaine():
    service = service_avec("Mo-Fr 09:00-17:00")
    HoraireExceptionnelFactory(
        service=service, date_debut=dt.date(2026, 7, 14), horaires_particuliers=True
    )
    HoraireExceptionnelFactory(service=service, date_debut=dt.date(2026, 11, 24))

    assert est_ouvert(service, a_paris(2026, 7, 14, 11, 0))
    assert not est_ouvert(service, a_paris(2026, 7, 14, 15, 0))
    assert not est_ouvert(service, a_paris(2026, 11, 24, 10, 0))


def test_une_fermeture_jusqu_a_minuit_inclut_la_derniere_minute():
    service = service_avec("Sa 20:00-24:00", ouvert_jours_feries=True)

    assert est_ouvert(service, a_paris(2026, 11, 28, 23, 59, 30))


def test_une_fermeture_passee_n_est_plus_annoncee():
    service = service_avec("Mo-Fr 09:00-17:00")
    HoraireExceptionnelFactory(
        service=service, date_debut=dt.date(2020, 12, 24), date_fin=dt.date(2020, 12, 26)
    )

    assert vers_osm(service) == "Mo-Fr 09:00-17:00; PH off"
    assert en_toutes_lettres(service) == [
        "du lundi au vendredi de 9 h à 17 h",
        "fermé les jours fériés",
    ]


def test_en_toutes_lettres_donne_des_phrases_lisibles():
    service = service_avec("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:30-12:00")
    HoraireExceptionnelFactory(
        service=service,
        date_debut=dt.date(2098, 12, 24),
        date_fin=dt.date(2099, 1, 1),
        motif="congés",
    )

    assert en_toutes_lettres(service) == [
        "du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h",
        "le samedi de 9 h 30 à 12 h",
        "fermé les jours fériés",
        "fermé du 24 décembre 2098 au 1er janvier 2099 (congés)",
    ]


def test_en_toutes_lettres_enumere_les_jours_non_consecutifs():
    service = service_avec("Mo,We 14:00-18:00; Fr-Su 10:00-12:00", ouvert_jours_feries=True)

    assert en_toutes_lettres(service) == [
        "le lundi et le mercredi de 14 h à 18 h",
        "du vendredi au dimanche de 10 h à 12 h",
    ]


def test_les_horaires_d_une_liste_de_services_ne_coutent_que_les_prechargements(
    django_assert_num_queries,
):
    for _ in range(3):
        PlageHoraireFactory()
    services = Service.objects.prefetch_related("plages", "exceptions")

    with django_assert_num_queries(3):
        resultats = [(vers_osm(s), est_ouvert(s, a_paris(2026, 11, 23, 10))) for s in services]

    assert resultats == [("Mo 09:00-12:00; PH off", True)] * 3
