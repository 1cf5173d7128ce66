import pytest
from django.forms import CheckboxInput, NullBooleanSelect, SelectMultiple
from django.test import Client
from django.urls import reverse

from repertoire.models import IndexService, Service, Structure
from repertoire.tests.factories import (
    ContactFactory,
    LieuFactory,
    PlageHoraireFactory,
    ServiceFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db


def _valeur_postee(champ) -> object:
    """Ce que le navigateur enverrait pour ce champ, laissé tel quel."""
    widget, valeur = champ.field.widget, champ.value()
    widget = getattr(widget, "widget", widget)  # l'admin enveloppe les listes liées
    if isinstance(widget, CheckboxInput):
        return "on" if valeur else None
    if isinstance(widget, NullBooleanSelect):
        return {True: "true", False: "false"}.get(valeur, "unknown")
    if isinstance(widget, SelectMultiple):
        return [str(v) for v in valeur or []]
    return None if valeur is None else str(valeur)


def _formulaire_tel_quel(reponse) -> dict:
    """Les données du formulaire de modification de l'admin, inlines compris."""
    formulaires = [reponse.context["adminform"].form]
    donnees: dict = {"_save": "Enregistrer"}
    for inline in reponse.context["inline_admin_formsets"]:
        gestion = inline.formset.management_form
        donnees.update({f"{gestion.prefix}-{cle}": v for cle, v in gestion.initial.items()})
        formulaires.extend(inline.formset.forms)
    for formulaire in formulaires:
        for champ in formulaire:
            valeur = _valeur_postee(champ)
            if valeur is not None:
                donnees[champ.html_name] = valeur
    return donnees


@pytest.fixture
def deux_admins(django_user_model) -> tuple[Client, Client]:
    clients = []
    for nom in ("premiere", "second"):
        client = Client()
        client.force_login(
            django_user_model.objects.create_superuser(nom, f"{nom}@example.org", "x")
        )
        clients.append(client)
    return clients[0], clients[1]


def test_une_modification_concurrente_est_refusee_sans_rien_enregistrer(deux_admins):
    premiere, second = deux_admins
    service = ServiceFactory(nom="Portage de repas")
    plage = PlageHoraireFactory(service=service, fermeture="12:00")
    ContactFactory(service=service)
    url = reverse("admin:repertoire_service_change", args=[service.pk])
    chargee_par_la_premiere = _formulaire_tel_quel(premiere.get(url))
    chargee_par_le_second = _formulaire_tel_quel(second.get(url))

    reponse = premiere.post(url, {**chargee_par_la_premiere, "nom": "Portage de repas du CCAS"})
    assert reponse.status_code == 302, reponse.context["errors"]

    reponse = second.post(
        url,
        {**chargee_par_le_second, "nom": "Repas à domicile", "plages-0-fermeture": "12:30"},
    )

    assert reponse.status_code == 200
    [erreur] = reponse.context["adminform"].form.non_field_errors()
    assert erreur.startswith("Cette fiche a été modifiée par quelqu'un d'autre")
    assert "pendant votre saisie" in reponse.content.decode()
    service.refresh_from_db()
    plage.refresh_from_db()
    assert service.nom == "Portage de repas du CCAS"
    assert service.version == 2
    assert f"{plage.fermeture:%H:%M}" == "12:00"


def test_apres_rechargement_la_fiche_s_enregistre_et_change_de_version(deux_admins):
    premiere, _ = deux_admins
    service = ServiceFactory()
    url = reverse("admin:repertoire_service_change", args=[service.pk])

    for nom in ("Premier nom", "Second nom"):
        donnees = {**_formulaire_tel_quel(premiere.get(url)), "nom": nom}
        assert premiere.post(url, donnees).status_code == 302

    service.refresh_from_db()
    assert (service.nom, service.version) == ("Second nom", 3)
    assert service.history.count() == 3


def test_le_verrou_protege_aussi_la_structure_et_ses_lieux(deux_admins):
    premiere, second = deux_admins
    structure = StructureFactory(nom="CLIC du Nivernais")
    LieuFactory(structure=structure)
    url = reverse("admin:repertoire_structure_change", args=[structure.pk])
    chargee_par_la_premiere = _formulaire_tel_quel(premiere.get(url))
    chargee_par_le_second = _formulaire_tel_quel(second.get(url))

    assert premiere.post(url, {**chargee_par_la_premiere, "nom": "CLIC"}).status_code == 302
    reponse = second.post(url, {**chargee_par_le_second, "lieux-0-nom": "Antenne"})

    assert reponse.status_code == 200
    structure.refresh_from_db()
    assert structure.nom == "CLIC"
    assert structure.lieux.get().nom != "Antenne"


def test_un_nouveau_service_se_cree_avec_la_version_1(deux_admins):
    premiere, _ = deux_admins
    structure = StructureFactory()
    url = reverse("admin:repertoire_service_add")
    donnees = {
        **_formulaire_tel_quel(premiere.get(url)),
        "structure": structure.pk,
        "nom": "Halte répit",
    }

    assert premiere.post(url, donnees).status_code == 302
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
    url = reverse("admin:repertoire_service_change", args=[service.pk])

    assert premiere.post(url, _formulaire_tel_quel(premiere.get(url))).status_code == 302
    assert IndexService.objects.filter(service=service, nom__contains="halte repit").exists()

    suppression = reverse("admin:repertoire_service_delete", args=[service.pk])
    assert premiere.post(suppression, {"post": "yes"}).status_code == 302
    assert not IndexService.objects.exists()
