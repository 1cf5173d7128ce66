import pytest

from repertoire import thesaurus_en_memoire
from repertoire.models import Besoin, Service
from repertoire.tests.factories import BesoinFactory, PublicFactory, ServiceRelieFactory

pytestmark = pytest.mark.django_db


def test_un_besoin_et_tous_ses_enfants():
    parent = BesoinFactory(slug="parent-essai")
    enfants = [BesoinFactory(slug=f"enfant-essai-{n}", parent=parent) for n in range(2)]

    nommes, famille = thesaurus_en_memoire.besoins().avec_enfants(["parent-essai", "inconnu"])

    assert nommes == [parent]
    assert {b.pk for b in famille} == {parent.pk, *(e.pk for e in enfants)}


def test_un_besoin_modifie_par_l_admin_se_voit_aussitot():
    besoin = BesoinFactory(slug="essai", libelle="Avant")
    assert thesaurus_en_memoire.besoins().par_slug["essai"].libelle == "Avant"

    besoin.libelle = "Après"
    besoin.save()

    assert thesaurus_en_memoire.besoins().par_slug["essai"].libelle == "Après"


def test_un_resume_porte_ses_besoins_et_publics_dans_l_ordre_du_thesaurus():
    second, premier = BesoinFactory(ordre=2), BesoinFactory(ordre=1)
    public = PublicFactory()
    service = ServiceRelieFactory(besoins=[second, premier], publics=[public])

    charge = Service.objects.filter(pk=service.pk).avec_resume().get()

    assert charge.besoins_charges == [premier, second]
    assert charge.publics_charges == [public]


def test_un_besoin_cree_ailleurs_depuis_la_mise_en_memoire_est_relu():
    service = ServiceRelieFactory()
    thesaurus_en_memoire.besoins()  # en mémoire avant que le besoin n'existe
    # Comme `charger_referentiels` dans un autre processus : aucun signal ici.
    Besoin.objects.bulk_create([Besoin(slug="venu-d-ailleurs", libelle="Venu d'ailleurs")])
    service.besoins.add(Besoin.objects.get(slug="venu-d-ailleurs"))

    charge = Service.objects.filter(pk=service.pk).avec_resume().get()

    assert [b.slug for b in charge.besoins_charges] == ["venu-d-ailleurs"]
