import factory

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
