import factory

from territoires.models import CodePostal, Commune


class CodePostalFactory(factory.django.DjangoModelFactory):
    """Un code postal de plus sur une commune du référentiel chargé pour la session (Nevers)."""

    class Meta:
        model = CodePostal

    code = factory.Sequence(lambda n: f"{99000 + n % 1000}")
    commune = factory.LazyFunction(lambda: Commune.objects.get(pk="58194"))
