"""L'admin du répertoire, éprouvée en postant ce que ses pages affichent, comme un navigateur."""

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from comptes.tests.outils import connecter_avec_double_facteur
from core.tests.formulaire_html import Donnees, formulaire_affiche
from echanges.tests.demo import charger_demo_sans_communes
from repertoire.models import IndexService, Lieu, Service, Structure
from repertoire.tests.factories import (
    ContactFactory,
    HoraireExceptionnelFactory,
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    ServiceRelieFactory,
    StructureFactory,
    ZoneInterventionFactory,
)
from territoires.models import Commune

pytestmark = pytest.mark.django_db


def _page(client: Client, modele: str, *args: int) -> tuple[str, Donnees]:
    """L'adresse d'une page de l'admin et ce que son formulaire posterait, laissé tel quel."""
    vue = "change" if args else "add"
    url = reverse(f"admin:repertoire_{modele}_{vue}", args=args)
    return url, formulaire_affiche(client.get(url), f"{modele}_form")


def _erreurs(reponse) -> object:
    """Les erreurs affichées, pour le message d'un test qui attendait une redirection."""
    return reponse.context and reponse.context["errors"]


def _ajouter_une_ligne(donnees: Donnees, prefixe: str, **valeurs: str) -> Donnees:
    """Ce que fait le bouton « Ajouter » d'un inline : copier le gabarit __prefix__."""
    rang = int(donnees[f"{prefixe}-TOTAL_FORMS"])
    gabarit = f"{prefixe}-__prefix__-"
    ligne = {
        cle.replace("__prefix__", str(rang)): valeur
        for cle, valeur in donnees.items()
        if cle.startswith(gabarit)
    }
    ligne.update({f"{prefixe}-{rang}-{champ}": v for champ, v in valeurs.items()})
    return {**donnees, **ligne, f"{prefixe}-TOTAL_FORMS": str(rang + 1)}


@pytest.fixture
def deux_admins(django_user_model) -> tuple[Client, Client]:
    clients = []
    for nom in ("premiere", "second"):
        client = Client()
        connecter_avec_double_facteur(
            client, django_user_model.objects.create_superuser(nom, f"{nom}@example.org", "x")
        )
        clients.append(client)
    return clients[0], clients[1]


@pytest.fixture
def structure_a_trois_lieux() -> Structure:
    structure = StructureFactory(nom="CLIC du Nivernais", site_web="https://clic.example.org")
    nevers = Commune.objects.get(code_insee="58194")
    for nom in ("Antenne de Nevers", "Antenne de Cosne", "Permanence de Clamecy"):
        LieuFactory(structure=structure, nom=nom, commune=nevers, entree_plain_pied=True)
    ContactFactory(service=None, structure=structure)
    return structure


def test_une_structure_avec_ses_lieux_s_enregistre_telle_qu_affichee(
    deux_admins, structure_a_trois_lieux
):
    premiere, _ = deux_admins
    url, donnees = _page(premiere, "structure", structure_a_trois_lieux.pk)

    reponse = premiere.post(url, {**donnees, "nom": "CLIC Nivernais-Morvan"})

    assert reponse.status_code == 302, _erreurs(reponse)
    structure_a_trois_lieux.refresh_from_db()
    assert (structure_a_trois_lieux.nom, structure_a_trois_lieux.version) == (
        "CLIC Nivernais-Morvan",
        2,
    )
    # Une ligne inchangée n'est pas réenregistrée : sa version ne bouge pas.
    assert set(structure_a_trois_lieux.lieux.values_list("version", flat=True)) == {1}


def test_un_lieu_modifie_dans_la_page_de_sa_structure_change_de_version(
    deux_admins, structure_a_trois_lieux
):
    premiere, _ = deux_admins
    url, donnees = _page(premiere, "structure", structure_a_trois_lieux.pk)
    [rang] = [cle.split("-")[1] for cle, v in donnees.items() if v == "Antenne de Cosne"]

    reponse = premiere.post(url, {**donnees, f"lieux-{rang}-nom": "Antenne de Cosne-sur-Loire"})

    assert reponse.status_code == 302, _erreurs(reponse)
    lieu = Lieu.objects.get(nom="Antenne de Cosne-sur-Loire")
    assert lieu.version == 2
    assert lieu.commune_id == "58194"
    assert lieu.entree_plain_pied is True


def test_une_nouvelle_structure_se_cree_avec_le_lieu_ajoute_dans_la_page(deux_admins):
    premiere, _ = deux_admins
    url, donnees = _page(premiere, "structure")
    donnees = _ajouter_une_ligne(donnees, "lieux", nom="Siège", code_postal="58000")

    reponse = premiere.post(url, {**donnees, "nom": "CCAS de Nevers", "typologie": "CCAS"})

    assert reponse.status_code == 302, _erreurs(reponse)
    structure = Structure.objects.get(nom="CCAS de Nevers")
    lieu = structure.lieux.get()
    assert (structure.version, lieu.nom, lieu.version) == (1, "Siège", 1)


def test_un_service_et_ses_horaires_s_enregistrent_tels_qu_affiches(deux_admins):
    premiere, _ = deux_admins
    structure = StructureFactory()
    service = ServiceRelieFactory(structure=structure, lieux=[LieuFactory(structure=structure)])
    for jour in range(5):
        PlageHoraireFactory(service=service, jour=jour)
    HoraireExceptionnelFactory(service=service, horaires_particuliers=True)
    ZoneInterventionFactory(service=service)
    ContactFactory(service=service)
    url, donnees = _page(premiere, "service", service.pk)

    reponse = premiere.post(url, {**donnees, "plages-0-fermeture": "12:30"})

    assert reponse.status_code == 302, _erreurs(reponse)
    service.refresh_from_db()
    assert service.version == 2
    assert service.lieux.count() == 1
    assert sorted(f"{p.fermeture:%H:%M}" for p in service.plages.all()) == ["12:00"] * 4 + ["12:30"]


def test_un_lieu_s_enregistre_tel_qu_affiche_dans_sa_propre_page(deux_admins):
    premiere, _ = deux_admins
    lieu = LieuFactory(commune=Commune.objects.get(code_insee="58194"), sanitaires_adaptes=False)
    url, donnees = _page(premiere, "lieu", lieu.pk)

    reponse = premiere.post(url, {**donnees, "complement_adresse": "2e étage"})

    assert reponse.status_code == 302, _erreurs(reponse)
    lieu.refresh_from_db()
    assert (lieu.complement_adresse, lieu.version) == ("2e étage", 2)
    assert (lieu.sanitaires_adaptes, lieu.entree_plain_pied) == (False, None)


def test_la_structure_de_la_demo_qui_a_le_plus_de_lieux_s_enregistre(deux_admins):
    premiere, _ = deux_admins
    charger_demo_sans_communes()
    structure = Structure.objects.annotate(n=Count("lieux")).order_by("-n").first()
    service = Service.objects.annotate(n=Count("plages")).order_by("-n").first()
    assert structure.n >= 2 and service.n >= 2

    for modele, fiche in [("structure", structure), ("service", service)]:
        url, donnees = _page(premiere, modele, fiche.pk)
        reponse = premiere.post(url, {**donnees, "nom": f"{fiche.nom} (modifié)"})
        assert reponse.status_code == 302, (modele, _erreurs(reponse))
        fiche.refresh_from_db()
        assert fiche.version == 2


def test_enregistrer_sans_rien_changer_ne_change_ni_la_version_ni_l_historique(deux_admins):
    premiere, _ = deux_admins
    charger_demo_sans_communes()
    structure = Structure.objects.annotate(n=Count("lieux")).order_by("-n").first()
    historique = structure.history.count()

    url, donnees = _page(premiere, "structure", structure.pk)
    assert premiere.post(url, donnees).status_code == 302

    structure.refresh_from_db()
    assert (structure.version, structure.history.count()) == (1, historique)


def test_une_modification_concurrente_est_refusee_sans_rien_enregistrer(deux_admins):
    premiere, second = deux_admins
    service = ServiceFactory(nom="Portage de repas")
    plage = PlageHoraireFactory(service=service, fermeture="12:00")
    ContactFactory(service=service)
    url, chargee_par_la_premiere = _page(premiere, "service", service.pk)
    _, chargee_par_le_second = _page(second, "service", service.pk)

    reponse = premiere.post(url, {**chargee_par_la_premiere, "nom": "Portage de repas du CCAS"})
    assert reponse.status_code == 302, _erreurs(reponse)

    reponse = second.post(
        url,
        {**chargee_par_le_second, "nom": "Repas à domicile", "plages-0-fermeture": "12:30"},
    )

    assert reponse.status_code == 200
    [erreur] = reponse.context["adminform"].form.non_field_errors()
    assert erreur.startswith("Cette fiche (service « Portage de repas du CCAS ») a été modifiée")
    assert "pendant votre saisie" in reponse.content.decode()
    service.refresh_from_db()
    plage.refresh_from_db()
    assert service.nom == "Portage de repas du CCAS"
    assert service.version == 2
    assert f"{plage.fermeture:%H:%M}" == "12:00"


def test_apres_rechargement_la_fiche_s_enregistre_et_change_de_version(deux_admins):
    premiere, _ = deux_admins
    service = ServiceFactory()

    for nom in ("Premier nom", "Second nom"):
        url, donnees = _page(premiere, "service", service.pk)
        assert premiere.post(url, {**donnees, "nom": nom}).status_code == 302

    service.refresh_from_db()
    assert (service.nom, service.version) == ("Second nom", 3)
    assert service.history.count() == 3


def test_le_verrou_protege_aussi_la_structure_et_ses_lieux(deux_admins, structure_a_trois_lieux):
    premiere, second = deux_admins
    url, chargee_par_la_premiere = _page(premiere, "structure", structure_a_trois_lieux.pk)
    _, chargee_par_le_second = _page(second, "structure", structure_a_trois_lieux.pk)

    assert premiere.post(url, {**chargee_par_la_premiere, "nom": "CLIC"}).status_code == 302
    reponse = second.post(url, {**chargee_par_le_second, "lieux-0-nom": "Antenne"})

    assert reponse.status_code == 200
    assert "pendant votre saisie" in reponse.content.decode()
    structure_a_trois_lieux.refresh_from_db()
    assert structure_a_trois_lieux.nom == "CLIC"
    assert not Lieu.objects.filter(nom="Antenne").exists()


def test_un_lieu_modifie_ailleurs_est_refuse_sur_sa_ligne_sans_rien_enregistrer(
    deux_admins, structure_a_trois_lieux
):
    premiere, second = deux_admins
    lieu = structure_a_trois_lieux.lieux.get(nom="Antenne de Nevers")
    url_structure, chargee_par_le_second = _page(second, "structure", structure_a_trois_lieux.pk)
    url_lieu, donnees = _page(premiere, "lieu", lieu.pk)
    assert premiere.post(url_lieu, {**donnees, "adresse": "3 rue Nièvre"}).status_code == 302

    [rang] = [c.split("-")[1] for c, v in chargee_par_le_second.items() if v == lieu.nom]
    reponse = second.post(
        url_structure,
        {**chargee_par_le_second, "nom": "CLIC", f"lieux-{rang}-nom": "Antenne"},
    )

    assert reponse.status_code == 200
    [lieux, _contacts] = reponse.context["inline_admin_formsets"]
    [erreur] = lieux.formset.forms[int(rang)].non_field_errors()
    assert erreur.startswith("Cette fiche (lieu « Antenne de Nevers ») a été modifiée")
    assert not reponse.context["adminform"].form.non_field_errors()
    lieu.refresh_from_db()
    structure_a_trois_lieux.refresh_from_db()
    assert (lieu.nom, lieu.adresse, lieu.version) == ("Antenne de Nevers", "3 rue Nièvre", 2)
    assert (structure_a_trois_lieux.nom, structure_a_trois_lieux.version) == (
        "CLIC du Nivernais",
        1,
    )


def test_un_formulaire_sans_la_version_lue_est_refuse(deux_admins, structure_a_trois_lieux):
    premiere, _ = deux_admins
    url, donnees = _page(premiere, "structure", structure_a_trois_lieux.pk)
    del donnees["lieux-0-version_chargee"]

    reponse = premiere.post(url, {**donnees, "lieux-0-nom": "Antenne"})

    assert reponse.status_code == 200
    assert "manque au formulaire" in reponse.content.decode()
    assert not Lieu.objects.filter(nom="Antenne").exists()


def test_un_nouveau_service_se_cree_avec_la_version_1(deux_admins):
    premiere, _ = deux_admins
    structure = StructureFactory()
    url, donnees = _page(premiere, "service")

    reponse = premiere.post(url, {**donnees, "structure": structure.pk, "nom": "Halte répit"})

    assert reponse.status_code == 302, _erreurs(reponse)
    assert Service.objects.get(nom="Halte répit").version == 1


@pytest.mark.parametrize(
    "modele", ["structure", "service", "lieu", "besoin", "public", "provenance"]
)
def test_les_listes_de_l_admin_s_affichent(deux_admins, modele):
    premiere, _ = deux_admins
    ServiceFactory(structure=StructureFactory(typologie=Structure.Typologie.CLIC))

    assert premiere.get(reverse(f"admin:repertoire_{modele}_changelist")).status_code == 200


def test_un_service_enregistre_ou_supprime_dans_l_admin_est_reindexe(deux_admins):
    premiere, _ = deux_admins
    service = ServiceFactory(nom="Halte répit du Morvan")
    url, donnees = _page(premiere, "service", service.pk)

    assert premiere.post(url, donnees).status_code == 302
    assert IndexService.objects.filter(service=service, nom__contains="halte repit").exists()

    suppression = reverse("admin:repertoire_service_delete", args=[service.pk])
    assert premiere.post(suppression, {"post": "yes"}).status_code == 302
    assert not IndexService.objects.exists()
