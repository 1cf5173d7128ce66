import factory
from django.contrib.auth import get_user_model

from comptes.models import Institution, Role, TypeInstitution, TypeRole
from territoires.models import Commune, Departement, Region
from territoires.perimetres import Niveau


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    password = factory.django.Password("un-mot-de-passe-assez-long")


class InstitutionFactory(factory.django.DjangoModelFactory):
    """Un conseil départemental de la Nièvre ; traits pour chaque niveau de territoire
    (les territoires viennent du référentiel chargé pour la session)."""

    class Meta:
        model = Institution
        skip_postgeneration_save = True

    type = TypeInstitution.CONSEIL_DEPARTEMENTAL
    nom = factory.Sequence(lambda n: f"Institution {n}")
    niveau = Niveau.DEPARTEMENT
    departement = factory.LazyFunction(lambda: Departement.objects.get(pk="58"))

    class Params:
        nationale = factory.Trait(
            type=TypeInstitution.CNSA, niveau=Niveau.NATIONAL, departement=None
        )
        regionale = factory.Trait(
            type=TypeInstitution.ARS,
            niveau=Niveau.REGION,
            departement=None,
            region=factory.LazyFunction(lambda: Region.objects.get(pk="27")),
        )
        intercommunale = factory.Trait(
            type=TypeInstitution.CLIC,
            niveau=Niveau.EPCI,
            departement=None,
            epci=factory.LazyFunction(lambda: Commune.objects.get(pk="58194").epci),
        )
        communale = factory.Trait(
            type=TypeInstitution.CCAS, niveau=Niveau.COMMUNES, departement=None
        )

    @factory.post_generation
    def communes(self, create: bool, codes: list[str] | None, **kwargs) -> None:
        """`InstitutionFactory(communale=True, communes=["58194"])`."""
        if create and codes:
            self.communes.set(codes)


class RoleFactory(factory.django.DjangoModelFactory):
    """Un rôle sur le territoire de son institution."""

    class Meta:
        model = Role
        skip_postgeneration_save = True

    utilisateur = factory.SubFactory(UtilisateurFactory)
    institution = factory.SubFactory(InstitutionFactory)
    type = TypeRole.PROFESSIONNEL
