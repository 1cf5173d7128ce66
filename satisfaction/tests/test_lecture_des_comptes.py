"""Les comptes se lisent poolés : un taux sur un groupe de MDPH est celui de leurs réponses
additionnées, jamais la moyenne de leurs taux."""

import datetime as dt

import pytest

from satisfaction.models import Origine
from satisfaction.selectors import distributions, repondants
from satisfaction.services import enregistrer_reponse
from territoires.models import Departement

pytestmark = pytest.mark.django_db
JANVIER, DECEMBRE = dt.date(2026, 1, 1), dt.date(2026, 12, 1)


def repondre(version, code: str, globale: str, *, motif: str = "aah", origine=Origine.EN_LIGNE):
    enregistrer_reponse(
        version=version,
        departement=Departement.objects.get(pk=code),
        valeurs={"pour_qui": "moi", "motifs": [motif], "etat": "decision", "globale": globale},
        origine=origine,
        mois=dt.date(2026, 3, 1),
    )


def test_le_taux_d_un_groupe_est_poole_et_non_concerne_hors_du_denominateur(version):
    repondre(version, "58", "satisfait")
    repondre(version, "89", "satisfait")
    repondre(version, "89", "insatisfait")
    repondre(version, "89", "tres_insatisfait")
    repondre(version, "89", "non_concerne")
    globale = version.questions.get(cle="globale")
    groupe = distributions(departements=["58", "89"], debut=JANVIER, fin=DECEMBRE)
    serie = groupe[("globale", globale.signature)]
    assert serie.exprimees == 4
    assert serie.taux_satisfaction == 0.5  # 2 / 4 ; la moyenne des taux ferait 66,7 %
    assert serie.niveaux["non_concerne"] == 1
    assert repondants(departements=["58", "89"], debut=JANVIER, fin=DECEMBRE) == 5
    nievre = distributions(departements=["58"], debut=JANVIER, fin=DECEMBRE)
    assert nievre[("globale", globale.signature)].taux_satisfaction == 1.0


def test_un_sous_groupe_et_l_origine_papier_se_lisent_a_part(version):
    repondre(version, "58", "satisfait", motif="travail")
    repondre(version, "58", "insatisfait", motif="scolarisation")
    repondre(version, "58", "insatisfait", motif="scolarisation", origine=Origine.PAPIER)
    globale = version.questions.get(cle="globale")
    cle = ("globale", globale.signature)
    travail = distributions(debut=JANVIER, fin=DECEMBRE, segment="motifs=travail")
    ecole = distributions(debut=JANVIER, fin=DECEMBRE, segment="motifs=scolarisation")
    assert travail[cle].taux_satisfaction == 1.0 and ecole[cle].taux_satisfaction == 0.0
    papier = distributions(debut=JANVIER, fin=DECEMBRE, origine=Origine.PAPIER)
    assert papier[cle].niveaux == {"insatisfait": 1}
    assert repondants(debut=JANVIER, fin=DECEMBRE, segment="motifs=scolarisation") == 2
