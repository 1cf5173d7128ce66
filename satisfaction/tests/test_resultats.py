"""Les résultats : poolés, « non concerné » hors du dénominateur, seuil de publication,
croisements, comparaison de périodes, papier marqué, exports, avis libres réservés et
masqués."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from comptes.models import TypeInstitution, TypeRole
from comptes.permissions import Action, peut
from comptes.tests.factories import InstitutionFactory, RoleFactory
from satisfaction import resultats
from satisfaction.avis import compter_themes, masquer, themes_de
from satisfaction.models import Origine
from satisfaction.services import enregistrer_reponse
from territoires.models import Departement

pytestmark = pytest.mark.django_db
MARS = dt.date(2026, 3, 1)


def repondre(version, code="58", globale="satisfait", *, motif="aah", mois=MARS, texte="",
             origine=Origine.EN_LIGNE, n=1):  # fmt: skip
    for _ in range(n):
        enregistrer_reponse(
            version=version,
            departement=Departement.objects.get(pk=code),
            valeurs={"pour_qui": "moi", "motifs": [motif], "etat": "decision", "globale": globale},
            texte_libre=texte,
            origine=origine,
            mois=mois,
        )


@pytest.fixture
def seuil_bas(settings):
    settings.SATISFACTION_SEUIL_PUBLICATION = 3


def globale(r):
    return next(li for li in r.lignes if li.info.cle == "globale")


def test_les_periodes_se_lisent_en_annee_trimestre_ou_mois_et_refusent_le_reste():
    assert resultats.periode("2026-T2").debut == dt.date(2026, 4, 1)
    assert resultats.periode("2026-T2").fin == dt.date(2026, 6, 1)
    assert resultats.periode("2026-03").libelle == "mars 2026"
    assert resultats.periode_precedente(resultats.periode("2026-T1")).code == "2025-T4"
    for illisible in ("2026-13", "T1", "1990", "2026-T5"):
        with pytest.raises(ValueError, match="illisible"):
            resultats.periode(illisible)


def test_le_taux_est_poole_sur_la_region_et_non_concerne_hors_du_denominateur(version, seuil_bas):
    repondre(version, "58", "satisfait", n=3)
    repondre(version, "89", "insatisfait", n=9)
    repondre(version, "89", "non_concerne", n=2)
    bfc = Departement.objects.get(pk="58").region_id
    r = resultats.resultats(resultats.territoire("region", bfc), resultats.periode("2026"))
    ligne = globale(r)
    assert ligne.exprimees == 12 and ligne.non_concerne == 2
    assert ligne.taux == 25.0  # 3 / 12 ; la moyenne des taux des deux MDPH ferait 50 %
    assert r.repondants == 14


def test_un_groupe_sous_le_seuil_n_a_aucun_chiffre_publie(version, settings):
    settings.SATISFACTION_SEUIL_PUBLICATION = 30
    repondre(version, "58", "satisfait", n=5)
    r = resultats.resultats(resultats.territoire("mdph", "58"), resultats.periode("2026"))
    assert not r.publie and globale(r).taux is None
    assert resultats.non_publie() == "moins de 30 réponses : non publié"


def test_les_croisements_donnent_le_taux_par_motif_et_cachent_les_petits_groupes(
    version, seuil_bas
):
    repondre(version, motif="cmi", n=3)
    repondre(version, motif="scolarisation", globale="insatisfait", n=3)
    repondre(version, motif="travail", n=1)
    r = resultats.resultats(resultats.territoire("mdph", "58"), resultats.periode("2026"))
    par_motif = {c.code: c for c in r.croisements if c.question == "motifs"}
    assert par_motif["cmi"].taux == 100.0
    assert par_motif["scolarisation"].taux == 0.0
    assert par_motif["travail"].repondants == 1 and par_motif["travail"].taux is None


def test_la_comparaison_donne_l_ecart_en_points_entre_deux_periodes(version, seuil_bas):
    repondre(version, "58", "satisfait", mois=dt.date(2025, 5, 1), n=2)
    repondre(version, "58", "insatisfait", mois=dt.date(2025, 5, 1), n=2)
    repondre(version, "58", "satisfait", n=3)
    t = resultats.territoire("mdph", "58")
    avant = resultats.resultats(t, resultats.periode("2025"))
    apres = resultats.resultats(t, resultats.periode("2026"))
    ligne = next(c for c in resultats.comparer(avant, apres) if c.question == "globale")
    assert (ligne.avant, ligne.apres, ligne.ecart) == (50.0, 100.0, 50.0)


def test_les_reponses_papier_sont_comptees_et_marquees(version, seuil_bas):
    repondre(version, n=3)
    repondre(version, origine=Origine.PAPIER, n=2)
    r = resultats.resultats(resultats.territoire("mdph", "58"), resultats.periode("2026"))
    assert r.repondants == 5 and r.papier == 2 and globale(r).papier == 2


def pilote(code="58", type_institution=TypeInstitution.MDPH):
    institution = InstitutionFactory(departement_id=code, type=type_institution)
    return RoleFactory(institution=institution, type=TypeRole.PILOTAGE).utilisateur


def test_la_page_montre_la_definition_le_papier_et_non_publie(client, version, settings):
    settings.SATISFACTION_SEUIL_PUBLICATION = 30
    repondre(version, n=2, origine=Origine.PAPIER)
    client.force_login(pilote())
    page = client.get(reverse("satisfaction:resultats_territoire", args=["mdph", "58"]),
                      {"periode": "2026"})  # fmt: skip
    texte = page.content.decode()
    assert page.status_code == 200
    assert "moins de 30 réponses : non publié" in texte
    assert "dont 2 sur papier" in texte
    assert "« non concerné » sont hors du" in texte


def test_une_periode_illisible_donne_un_message_en_francais_et_non_une_erreur(client, db):
    client.force_login(pilote())
    page = client.get(reverse("satisfaction:resultats_national"), {"periode": "hier"})
    assert page.status_code == 400
    assert "Période « HIER » illisible" in page.content.decode()
    page = client.get(reverse("satisfaction:resultats_territoire", args=["mdph", "999"]))
    assert page.status_code == 400


def test_les_tableaux_s_exportent_en_csv_et_xlsx(client, version, seuil_bas):
    repondre(version, n=3)
    client.force_login(pilote())
    url = reverse("satisfaction:resultats_export", args=["mdph", "58", "distributions", "csv"])
    csv = client.get(url, {"periode": "2026"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Question;Taux de satisfaction (%)")
    assert "100,0" in csv
    url = reverse("satisfaction:resultats_export", args=["mdph", "58", "croisements", "xlsx"])
    classeur = load_workbook(io.BytesIO(client.get(url, {"periode": "2026"}).content))
    assert classeur.active["A2"].value == "Question de présentation"


def test_les_resultats_demandent_un_role_de_pilotage(client, db):
    page = client.get(reverse("satisfaction:resultats_national"))
    assert page.status_code == 302


def test_seul_le_role_de_la_mdph_lit_les_avis_libres_masques(client, version):
    repondre(version, texte="Je m'appelle Jean Dupont, rappelez-moi au 06 12 34 56 78.")
    nievre = Departement.objects.get(pk="58")
    assert peut(pilote("58"), Action.LIRE_AVIS_LIBRES, nievre)
    assert not peut(pilote("89"), Action.LIRE_AVIS_LIBRES, nievre)
    ars = pilote("58", TypeInstitution.ARS)
    assert not peut(ars, Action.LIRE_AVIS_LIBRES, nievre)
    url = reverse("satisfaction:avis_libres", args=["58"])
    client.force_login(ars)
    assert client.get(url, {"periode": "2026"}).status_code == 403
    client.force_login(pilote("58"))
    texte = client.get(url, {"periode": "2026"}).content.decode()
    assert "Dupont" not in texte and "06 12" not in texte
    assert "[nom masqué]" in texte and "[téléphone masqué]" in texte


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Écrivez à jean.dupont@exemple.fr svp", "Écrivez à [adresse masquée] svp"),
        ("Tél. 06 12 34 56 78", "Tél. [téléphone masqué]"),
        ("+33 6 12 34 56 78 ou 03.86.60.00.00", "[téléphone masqué] ou [téléphone masqué]"),
        ("Mme Dupont était absente", "Mme [nom masqué] était absente"),
        ("M. Martin m'a aidé", "M. [nom masqué] m'a aidé"),
        ("je m'appelle Jean Dupont et j'attends", "je m'appelle [nom masqué] et j'attends"),
        ("Signé Paul DURAND", "Signé [nom masqué]"),
        ("Paul DURAND, à la MDPH", "[nom masqué], à la MDPH"),
        ("mon numéro 1 85 05 78 006 084 36", "mon numéro [numéro masqué]"),
        ("La MDPH et la CDAPH ont décidé en 2024", "La MDPH et la CDAPH ont décidé en 2024"),
    ],
)
def test_le_masquage_cache_courriels_telephones_numeros_et_noms(texte, attendu):
    assert masquer(texte) == attendu


def test_les_themes_recurrents_sont_comptes_par_familles_de_mots():
    assert themes_de("Le formulaire de renouvellement est trop long") == {
        "formulaire et renouvellement"
    }
    assert "délais" in themes_de("Huit mois d'attente !")
    assert "compréhension de la décision" in themes_de("Je n'ai pas compris la décision.")
    comptes = dict(compter_themes(["Délai trop long", "Quel délai", "Merci pour l'accueil"]))
    assert comptes["délais"] == 2 and comptes["accueil et écoute"] == 1


def test_l_accueil_des_resultats_mene_a_une_mdph_ou_au_national(client, db):
    client.force_login(pilote())
    accueil = reverse("satisfaction:resultats_accueil")
    assert "moins de 30 réponses" in client.get(accueil).content.decode()
    assert client.get(accueil, {"maille": "mdph", "code": "58"}).url == (
        "/satisfaction/resultats/mdph/58/"
    )
    assert client.get(accueil, {"maille": "national"}).url == "/satisfaction/resultats/national/"
    assert client.get(accueil, {"maille": "ailleurs"}).status_code == 400
