"""Les recherches peu ou pas servies d'un département, par territoire et par besoin."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum

from repertoire import thesaurus_en_memoire
from repertoire.models import ComptageRecherche, Tranche
from territoires.models import Commune, Departement

SANS_BESOIN = "(besoin non reconnu)"


class Maille:
    DEPARTEMENT = "departement"
    EPCI = "epci"
    COMMUNE = "commune"
    CHOIX = [(DEPARTEMENT, "département"), (EPCI, "EPCI"), (COMMUNE, "commune")]


@dataclass
class LigneVeille:
    territoire: str
    code: str
    besoin: str  # slug ; vide : aucun besoin reconnu
    libelle_besoin: str
    recherches: int = 0
    sans_reponse: int = 0
    une_ou_deux: int = 0

    @property
    def peu_ou_pas(self) -> int:
        return self.sans_reponse + self.une_ou_deux

    @property
    def part_peu_ou_pas(self) -> int:
        """Part (%) des recherches qui ont trouvé moins de trois réponses."""
        return round(100 * self.peu_ou_pas / self.recherches) if self.recherches else 0


@dataclass
class Veille:
    recherches: int  # toutes les recherches autour d'une commune du département
    sans_reponse: int
    lignes: list[LigneVeille]  # seulement les territoires × besoins peu ou pas servis


def veille_du_departement(
    departement: Departement, *, du: dt.date, au: dt.date, maille: str
) -> Veille:
    """Les recherches faites autour d'une commune du département, du `du` au `au` inclus,
    regroupées par territoire (`maille`) et besoin ; ne sont gardés que les couples où au
    moins une recherche a trouvé moins de trois réponses, les plus nombreux d'abord.
    Deux requêtes, quel que soit le nombre de lignes."""
    communes = Commune.objects.filter(departement=departement)
    territoires = {
        c.code_insee: _territoire(c, departement, maille)
        for c in communes.select_related("epci").only("code_insee", "nom", "epci__nom")
    }
    comptes = (
        ComptageRecherche.objects.filter(
            jour__range=(du, au), commune__in=communes.values("code_insee")
        )
        .values("commune", "besoin")
        .annotate(
            total=Sum("recherches"),
            sans=Sum("recherches", filter=Q(tranche=Tranche.AUCUN)),
            peu=Sum("recherches", filter=Q(tranche=Tranche.UN_OU_DEUX)),
        )
        .order_by()
    )
    lignes: dict[tuple[str, str], LigneVeille] = {}
    for compte in comptes:
        nom, code = territoires[compte["commune"]]
        ligne = lignes.get((code, compte["besoin"]))
        if ligne is None:
            ligne = lignes[(code, compte["besoin"])] = LigneVeille(
                nom, code, compte["besoin"], _libelle(compte["besoin"])
            )
        ligne.recherches += compte["total"]
        ligne.sans_reponse += compte["sans"] or 0
        ligne.une_ou_deux += compte["peu"] or 0
    return Veille(
        recherches=sum(ligne.recherches for ligne in lignes.values()),
        sans_reponse=sum(ligne.sans_reponse for ligne in lignes.values()),
        lignes=sorted(
            (ligne for ligne in lignes.values() if ligne.peu_ou_pas),
            key=lambda ligne: (-ligne.peu_ou_pas, ligne.territoire, ligne.libelle_besoin),
        ),
    )


def _territoire(commune: Commune, departement: Departement, maille: str) -> tuple[str, str]:
    """(nom, code) du territoire de la commune à cette maille."""
    if maille == Maille.COMMUNE:
        return commune.nom, commune.code_insee
    if maille == Maille.EPCI:
        if commune.epci is None:
            return "(commune hors EPCI)", ""
        return commune.epci.nom, commune.epci_id
    return departement.nom, departement.code


def _libelle(slug: str) -> str:
    besoin = thesaurus_en_memoire.besoins().par_slug.get(slug)
    return besoin.libelle if besoin else SANS_BESOIN
