import datetime as dt

import factory
from django.utils import timezone

from repertoire.models import Lieu, PlageHoraire, Service, Structure, ZoneIntervention


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    typologie = Structure.Typologie.ASSOCIATION

    class Params:
        mdph = factory.Trait(nom="MDA de la Nièvre", typologie=Structure.Typologie.MDPH)


class LieuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lieu

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Sequence(lambda n: f"Lieu {n}")
    adresse = "1 rue de la Paix"
    code_postal = "58000"
    latitude = 46.99
    longitude = 3.16


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Sequence(lambda n: f"Service {n}")
    description = "Accompagnement des personnes âgées à domicile."

    class Params:
        a_domicile = factory.Trait(accueil_sur_place=False, accueil_a_domicile=True)
        brouillon = factory.Trait(statut=Service.Statut.BROUILLON)


class ZoneInterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneIntervention

    service = factory.SubFactory(ServiceFactory)
    type = ZoneIntervention.Type.DEPARTEMENT
    code = "58"


class PlageHoraireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlageHoraire

    service = factory.SubFactory(ServiceFactory)
    jour = 0
    ouverture = "09:00"
    fermeture = "12:00"


class HoraireExceptionnelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repertoire.HoraireExceptionnel"

    service = factory.SubFactory(ServiceFactory)
    date_debut = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    date_fin = factory.SelfAttribute("date_debut")
    ferme = True

    class Params:
        horaires_particuliers = factory.Trait(ferme=False, ouverture="10:00", fermeture="12:00")


class BesoinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repertoire.Besoin"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"besoin-de-test-{n}")
    libelle = factory.Sequence(lambda n: f"Besoin de test {n}")


class PublicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repertoire.Public"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"public-de-test-{n}")
    libelle = factory.Sequence(lambda n: f"Public de test {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repertoire.Contact"

    service = factory.SubFactory(ServiceFactory)
    libelle = "accueil"
    telephone = "03 53 01 00 00"
    courriel = "accueil@example.org"

    class Params:
        professionnels = factory.Trait(
            libelle="ligne directe des professionnels",
            telephone="03 53 01 99 99",
            courriel="pro@example.org",
            visibilite="professionnels",
        )


class ServiceRelieFactory(ServiceFactory):
    """Un service avec ses besoins, publics et lieux : ServiceRelieFactory(besoins=[...])."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def besoins(self, create: bool, besoins: list | None, **kwargs) -> None:
        if create and besoins:
            self.besoins.set(besoins)

    @factory.post_generation
    def publics(self, create: bool, publics: list | None, **kwargs) -> None:
        if create and publics:
            self.publics.set(publics)

    @factory.post_generation
    def lieux(self, create: bool, lieux: list | None, **kwargs) -> None:
        if create and lieux:
            self.lieux.set(lieux)
