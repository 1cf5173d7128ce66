"""Le parcours en ligne par le client de test : étapes, retour en arrière, erreurs, anti-abus."""

import pytest
from django.urls import reverse

from satisfaction.models import CLE_REPONDANTS, Comptage, EnvoiRecent, Origine, Reponse
from satisfaction.tests.conftest import ECHELLE_ETAPE_2, ETAPE_1, ETAPE_3, ETAPE_4

pytestmark = pytest.mark.django_db


def url(numero: int) -> str:
    return reverse("satisfaction:etape", args=[numero])


def suivant(client, numero: int, donnees: dict, action: str = "suivant", **entetes):
    return client.post(url(numero), {**donnees, "action": action}, **entetes)


def remplir(client, *, jusqu_a: int = 4, etape_4: dict | None = None, **entetes):
    etapes = [ETAPE_1, ECHELLE_ETAPE_2, ETAPE_3, etape_4 if etape_4 is not None else ETAPE_4]
    reponse = None
    for numero, donnees in enumerate(etapes[:jusqu_a], start=1):
        action = "envoyer" if numero == 4 else "suivant"
        reponse = suivant(client, numero, donnees, action, **entetes)
    return reponse


def test_un_questionnaire_rempli_est_enregistre_avec_le_mois_seulement_et_compte(client, version):
    assert client.get(reverse("satisfaction:accueil")).status_code == 200
    reponse = remplir(client)
    assert reponse.url == reverse("satisfaction:merci")
    assert "Nous avons bien reçu vos réponses" in client.get(reponse.url).content.decode()
    enregistree = Reponse.objects.get()
    assert enregistree.departement_id == "58"
    assert enregistree.origine == Origine.EN_LIGNE
    assert enregistree.mois.day == 1
    assert enregistree.valeurs["motifs"] == ["cmi", "pch"]
    assert enregistree.valeurs["globale"] == "satisfait"
    assert enregistree.texte_libre == ETAPE_4["commentaire"]
    assert "commentaire" not in enregistree.valeurs
    # Un questionnaire de plus dans « tous » et dans chaque sous-groupe de ses réponses.
    repondants = Comptage.objects.filter(question=CLE_REPONDANTS)
    assert sorted(repondants.values_list("segment", flat=True)) == [
        "etat=decision", "motifs=cmi", "motifs=pch", "pour_qui=proche", "tous",
    ]  # fmt: skip
    accueil_cmi = Comptage.objects.get(segment="motifs=cmi", question="accueil")
    assert (accueil_cmi.niveau, accueil_cmi.nombre) == ("satisfait", 1)


def test_chaque_etape_dit_ou_en_est_la_personne(client, version):
    page = client.get(url(1)).content.decode()
    assert "Étape 1 sur 4" in page
    assert "<legend" in page and 'type="radio"' in page and 'type="checkbox"' in page
    suivant(client, 1, ETAPE_1)
    page = client.get(url(2)).content.decode()
    assert "Étape 2 sur 4" in page
    assert "Votre avis concerne la MDPH Nièvre (58)" in page
    assert 'role="alert"' not in page and "Erreur" not in page  # rien n'est encore envoyé


def test_revenir_en_arriere_puis_repartir_garde_toutes_les_reponses(client, version):
    remplir(client, jusqu_a=2)
    # À l'étape 3, une réponse donnée puis « Revenir » : rien n'est perdu, rien n'est exigé.
    retour = suivant(client, 3, {"delai": "tres_insatisfait"}, "precedent")
    assert retour.url == url(2)
    page_2 = client.get(url(2)).content.decode()
    assert 'value="tres_insatisfait" id="id_reponses_questions_3" checked' in page_2
    suivant(client, 2, ECHELLE_ETAPE_2, "precedent")
    page_1 = client.get(url(1)).content.decode()
    assert 'value="Nevers"' in page_1
    assert 'value="cmi" id="id_motifs_2" checked' in page_1
    page_3 = client.get(url(3)).content.decode()
    assert 'value="tres_insatisfait" id="id_delai_3" checked' in page_3


def test_une_etape_invalide_est_remontree_avec_le_message_a_cote_du_champ(client, version):
    suivant(client, 1, ETAPE_1)
    incomplete = {**ECHELLE_ETAPE_2}
    del incomplete["ecoute"]
    reponse = suivant(client, 2, incomplete)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "<title>Erreur – Étape 2 sur 4" in page
    assert 'role="alert"' in page and 'href="#id_ecoute"' in page
    assert 'id="id_ecoute_erreur">Choisissez une réponse. Si la question ne vous' in page
    assert 'aria-describedby="id_ecoute_aide id_ecoute_erreur"' in page
    # Les autres réponses de l'étape restent cochées.
    assert 'value="tres_satisfait" id="id_acces_0" checked' in page


def test_une_commune_inconnue_ou_un_oubli_de_mdph_est_dit_en_francais(client, version):
    page = suivant(client, 1, {**ETAPE_1, "mdph_commune": "Xyzzyville"}).content.decode()
    assert "Nous ne trouvons pas la commune « Xyzzyville »" in page
    page = suivant(client, 1, {**ETAPE_1, "mdph_commune": ""}).content.decode()
    assert "Écrivez votre commune, ou choisissez votre département." in page
    assert suivant(client, 1, {**ETAPE_1, "mdph_departement": "999"}).status_code == 400


def test_le_departement_choisi_l_emporte_sur_la_commune(client, version):
    suivant(client, 1, {**ETAPE_1, "mdph_commune": "Nevers", "mdph_departement": "89"})
    suivant(client, 2, ECHELLE_ETAPE_2)
    suivant(client, 3, ETAPE_3)
    suivant(client, 4, ETAPE_4, "envoyer")
    assert Reponse.objects.get().departement_id == "89"


def test_on_n_ouvre_pas_une_etape_avant_d_avoir_valide_les_precedentes(client, version):
    assert client.get(url(3)).url == url(1)
    suivant(client, 1, ETAPE_1)
    assert client.get(url(4)).url == url(2)
    assert client.get(reverse("satisfaction:etape", args=[5])).status_code == 404


def test_le_pot_de_miel_rempli_fait_croire_au_robot_qu_il_a_reussi(client, version):
    reponse = remplir(client, etape_4={**ETAPE_4, "site_internet": "http://spam.example"})
    assert reponse.url == reverse("satisfaction:merci")
    assert Reponse.objects.count() == 0


def test_le_meme_questionnaire_renvoye_ne_compte_qu_une_fois(client, version):
    remplir(client)
    remplir(client)  # même adresse, même MDPH, mêmes réponses : un rechargement, un double clic
    assert Reponse.objects.count() == 1
    merci = client.get(reverse("satisfaction:merci")).content.decode()
    assert "Elles comptent une seule fois" in merci
    assert EnvoiRecent.objects.count() == 1
    remplir(client, etape_4={"commentaire": "Une autre personne, d'autres mots."})
    assert Reponse.objects.count() == 2


def test_la_fenetre_des_doublons_passee_le_meme_questionnaire_compte_a_nouveau(
    client, version, settings
):
    settings.SATISFACTION_DOUBLON_MINUTES = 0
    remplir(client)
    remplir(client)
    assert Reponse.objects.count() == 2


def test_le_debit_par_adresse_est_limite_sans_garder_l_adresse(client, version, settings):
    settings.SATISFACTION_REPONSES_PAR_MINUTE = 2
    for numero in range(2):
        remplir(client, etape_4={"commentaire": f"avis {numero}"})
    refus = remplir(client, etape_4={"commentaire": "avis 3"})
    assert refus.status_code == 429
    assert "Vos réponses sont gardées" in refus.content.decode()
    assert Reponse.objects.count() == 2
    # Une autre adresse n'est pas touchée.
    autre = remplir(client, etape_4={"commentaire": "avis 4"}, REMOTE_ADDR="10.1.2.3")
    assert autre.status_code == 302
    from core.models import CompteurDebit

    assert not CompteurDebit.objects.filter(adresse__contains="127.0.0.1").exists()
    assert all(c.adresse.startswith("msu:") for c in CompteurDebit.objects.all())


def test_l_envoi_final_sans_parcours_ramene_a_la_premiere_etape(client, version):
    reponse = suivant(client, 4, ETAPE_4, "envoyer")
    assert reponse.url == url(1)
    assert Reponse.objects.count() == 0


def test_une_reponse_ne_garde_ni_adresse_ni_heure(version):
    noms = {champ.name for champ in Reponse._meta.get_fields()}
    assert noms.isdisjoint({"adresse", "ip", "client", "cree_le", "recu_le", "session"})
    assert Reponse._meta.get_field("mois").get_internal_type() == "DateField"


def test_chaque_requete_du_parcours_lit_les_questions_une_seule_fois(client, version):
    """L'envoi final valide les 4 étapes et enregistre : une seule lecture des questions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    remplir(client, jusqu_a=3)
    with CaptureQueriesContext(connection) as requetes:
        assert remplir_etape_4(client).url == reverse("satisfaction:merci")
    lectures = [q for q in requetes.captured_queries if 'FROM "satisfaction_question"' in q["sql"]]
    assert len(lectures) == 1
    assert Reponse.objects.count() == 1


def remplir_etape_4(client):
    return suivant(client, 4, ETAPE_4, "envoyer")
