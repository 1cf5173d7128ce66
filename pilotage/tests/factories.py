import datetime as dt

import factory

from pilotage.models import FAMILLE_DE_PRESTATION, Demande, Prestation, Public
from territoires.models import Departement, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "27"
    nom = "Bourgogne-Franche-Comté"


class DepartementFactory(factory.django.DjangoModelFactory):
    """Réutilise le département du référentiel s'il est chargé."""

    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "58"
    nom = factory.LazyAttribute(lambda o: f"Département {o.code}")
    region = factory.SubFactory(RegionFactory)


class DemandeFactory(factory.django.DjangoModelFactory):
    """Une demande recevable ; traits `decidee`, `annulee`. Les dates dénormalisées sont
    posées comme le ferait le service d'import."""

    class Meta:
        model = Demande

    departement = factory.SubFactory(DepartementFactory)
    reference = factory.Sequence(lambda n: f"{n:032x}")
    personne = factory.Sequence(lambda n: f"p{n:031x}")
    dossier = factory.Sequence(lambda n: f"d{n:031x}")
    prestation = Prestation.AAH
    famille = factory.LazyAttribute(lambda o: FAMILLE_DE_PRESTATION[o.prestation])
    public = Public.ADULTE
    nature = "premiere_demande"
    procedure = "normale"
    date_depot = dt.date(2024, 1, 10)
    date_recevable = factory.LazyAttribute(lambda o: o.date_depot + dt.timedelta(days=10))

    class Params:
        jours = 100
        decidee = factory.Trait(
            date_decision=factory.LazyAttribute(
                lambda o: o.date_recevable + dt.timedelta(days=o.jours)
            ),
            date_sortie=factory.SelfAttribute("date_decision"),
            delai_jours=factory.SelfAttribute("jours"),
            type_decision="attribution",
            sans_limitation=False,
            duree_mois=60,
        )
        annulee = factory.Trait(
            date_annulation=factory.LazyAttribute(lambda o: o.date_depot + dt.timedelta(days=30)),
            date_sortie=factory.SelfAttribute("date_annulation"),
        )
