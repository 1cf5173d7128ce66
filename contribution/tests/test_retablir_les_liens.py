"""« Rétablir cette version » rétablit aussi les liens historisés d'un service (besoins et
publics), par la porte : une nouvelle version, une seule nouvelle ligne d'historique, qui porte
les liens rétablis."""

import pytest

from contribution import services
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Besoin, Public
from repertoire.tests.factories import PublicFactory, ServiceRelieFactory

from .conftest import NEVERS, structure_a

pytestmark = pytest.mark.django_db


@pytest.fixture
def besoins() -> list[Besoin]:
    return list(Besoin.objects.filter(parent__isnull=False).order_by("pk")[:2])


@pytest.fixture
def publics() -> list[Public]:
    return [PublicFactory(), PublicFactory()]


def changer_les_liens(service, *, besoins, publics, **valeurs):
    """Comme l'administration : les liens, puis la fiche par la porte."""
    service.besoins.set(besoins)
    service.publics.set(publics)
    ecrire_fiches(
        changements=[Changement(service, valeurs, sous_fiches_modifiees=True)],
        auteur=Auteur("administration"),
    )
    service.refresh_from_db()


def service_nievre(**kwargs):
    structure = structure_a(NEVERS)
    return ServiceRelieFactory(structure=structure, lieux=list(structure.lieux.all()), **kwargs)


def liens(service) -> tuple[set[int], set[int]]:
    """Besoins et publics d'un service, ou d'une ligne de son historique."""
    ligne = hasattr(service, "history_id")
    besoins = service.besoins.values_list("besoin_id" if ligne else "pk", flat=True)
    publics = service.publics.values_list("public_id" if ligne else "pk", flat=True)
    return set(besoins), set(publics)


def test_retablir_une_version_rend_au_service_ses_besoins_et_ses_publics(
    moderateur_nievre, besoins, publics
):
    service = service_nievre(nom="Accueil de jour", besoins=[besoins[0]], publics=[publics[0]])
    avant = service.history.latest("history_date")
    changer_les_liens(service, besoins=[besoins[1]], publics=[publics[1]], nom="Autre nom")
    version, lignes = service.version, service.history.count()

    services.retablir(
        fiche=service, history_id=avant.history_id, version_lue=version, par=moderateur_nievre
    )

    service.refresh_from_db()
    assert service.nom == "Accueil de jour"
    assert liens(service) == ({besoins[0].pk}, {publics[0].pk})
    assert service.version == version + 1
    assert service.history.count() == lignes + 1
    derniere = service.history.latest("history_date")
    assert (derniere.history_change_reason, derniere.history_user) == (
        "moderation",
        moderateur_nievre,
    )
    assert liens(derniere) == ({besoins[0].pk}, {publics[0].pk})


def test_des_liens_seuls_changes_font_aussi_une_nouvelle_version(
    moderateur_nievre, besoins, publics
):
    service = service_nievre(besoins=[besoins[0]], publics=[publics[0]])
    avant = service.history.latest("history_date")
    changer_les_liens(service, besoins=besoins, publics=[])
    version = service.version

    services.retablir(
        fiche=service, history_id=avant.history_id, version_lue=version, par=moderateur_nievre
    )

    service.refresh_from_db()
    assert liens(service) == ({besoins[0].pk}, {publics[0].pk})
    assert service.version == version + 1
    assert liens(service.history.latest("history_date")) == ({besoins[0].pk}, {publics[0].pk})


def test_retablir_depuis_une_version_perimee_ne_touche_pas_aux_liens(
    moderateur_nievre, besoins, publics
):
    service = service_nievre(besoins=[besoins[0]], publics=[publics[0]])
    avant = service.history.latest("history_date")
    changer_les_liens(service, besoins=[besoins[1]], publics=[publics[1]])

    with pytest.raises(services.ContributionRefusee):
        services.retablir(
            fiche=service, history_id=avant.history_id, version_lue=1, par=moderateur_nievre
        )

    service.refresh_from_db()
    assert liens(service) == ({besoins[1].pk}, {publics[1].pk})


def test_un_public_supprime_depuis_ne_se_retablit_pas(moderateur_nievre, besoins, publics):
    service = service_nievre(besoins=[besoins[0]], publics=publics)
    avant = service.history.latest("history_date")
    changer_les_liens(service, besoins=[besoins[0]], publics=[publics[0]])
    publics[1].delete()

    services.retablir(
        fiche=service, history_id=avant.history_id, version_lue=service.version, par=None
    )

    service.refresh_from_db()
    assert liens(service) == ({besoins[0].pk}, {publics[0].pk})
