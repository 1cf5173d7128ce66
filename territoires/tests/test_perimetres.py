"""Inclusion des territoires : une commune est dans son EPCI, son département, sa région."""

import pytest

from territoires.models import EPCI, Commune, Departement, Region
from territoires.perimetres import Niveau, Perimetre, contient

pytestmark = pytest.mark.django_db


def cible(genre: str, code: str):
    if genre == "epci de":
        return Commune.objects.get(pk=code).epci
    modele = {"commune": Commune, "departement": Departement, "region": Region}[genre]
    return modele.objects.get(pk=code)


def perimetre(niveau: Niveau, *codes: str) -> Perimetre:
    return Perimetre(niveau, frozenset(codes))


NEVERS_AGGLO = ("epci de", "58194")
BOURGOGNE_FRANCHE_COMTE = ("21", "25", "39", "58", "70", "71", "89", "90")
CAS = [
    (Perimetre.national(), ("region", "84"), True),
    (perimetre(Niveau.REGION, "27"), ("commune", "21231"), True),
    (perimetre(Niveau.REGION, "27"), ("departement", "58"), True),
    (perimetre(Niveau.REGION, "27"), NEVERS_AGGLO, True),
    (perimetre(Niveau.REGION, "27"), ("commune", "69123"), False),
    (perimetre(Niveau.DEPARTEMENT, "58"), ("commune", "58194"), True),
    (perimetre(Niveau.DEPARTEMENT, "58"), NEVERS_AGGLO, True),
    (perimetre(Niveau.DEPARTEMENT, "58"), ("region", "27"), False),
    (
        perimetre(Niveau.DEPARTEMENT, "58", "21", "71", "89", "25", "39", "70", "90"),
        ("region", "27"),
        True,
    ),
    (perimetre(Niveau.DEPARTEMENT, "58"), ("commune", "21231"), False),
    (perimetre(Niveau.COMMUNES, "58194"), ("commune", "58194"), True),
    (perimetre(Niveau.COMMUNES, "58194"), NEVERS_AGGLO, False),
    (perimetre(Niveau.COMMUNES, "58194"), ("departement", "58"), False),
    (perimetre(Niveau.COMMUNES, "69123"), ("commune", "69381"), True),
    (perimetre(Niveau.COMMUNES, "69381"), ("commune", "69123"), False),
]


@pytest.mark.parametrize(("contenant", "contenu", "attendu"), CAS, ids=[
    f"{p}-{g} {c}-{'oui' if a else 'non'}" for p, (g, c), a in CAS
])  # fmt: skip
def test_un_territoire_est_dans_un_perimetre_s_il_y_est_tout_entier(contenant, contenu, attendu):
    assert contient(contenant, cible(*contenu)) is attendu


def test_un_epci_a_cheval_sur_deux_departements_n_est_dans_aucun():
    from django.db.models import Count

    epci = (
        EPCI.objects.annotate(n=Count("communes__departement", distinct=True)).filter(n=2).first()
    )
    departements = set(epci.communes.values_list("departement", flat=True))
    for code in departements:
        assert not contient(perimetre(Niveau.DEPARTEMENT, code), epci)
    assert contient(perimetre(Niveau.DEPARTEMENT, *departements), epci)


def test_un_perimetre_de_communes_est_dans_son_departement():
    assert contient(
        perimetre(Niveau.DEPARTEMENT, "58"), perimetre(Niveau.COMMUNES, "58194", "58086")
    )
    assert not contient(perimetre(Niveau.DEPARTEMENT, "58"), Perimetre.national())
