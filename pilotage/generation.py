"""Générateur d'activité MDPH synthétique, réaliste et reproductible (graine), pour démos et bancs.

Ordres de grandeur (CNSA 2021–2023) : environ 26 demandes par an pour 1 000 habitants ; délai
moyen national autour de 4,6 mois, de 1,5 à 12 mois selon les MDPH ; un ralentissement l'été
(moins de séances de CDAPH en juillet et août). Une personne dépose souvent plusieurs
demandes à la fois (même dossier, mêmes dates de dépôt et de recevabilité).
"""

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Sum

from core.ecriture_en_masse import inserer
from pilotage.indicateurs import JOURS_PAR_MOIS
from pilotage.models import FAMILLE_DE_PRESTATION, Demande, Evenement, Prestation
from territoires.models import Commune

# Populations municipales approchées (INSEE, 2021), quand les communes ne sont pas chargées.
POPULATIONS: dict[str, int] = {
    "01": 652_000,
    "02": 531_000,
    "03": 335_000,
    "04": 165_000,
    "05": 141_000,
    "06": 1_094_000,
    "07": 329_000,
    "08": 270_000,
    "09": 153_000,
    "10": 310_000,
    "11": 374_000,
    "12": 279_000,
    "13": 2_043_000,
    "14": 694_000,
    "15": 144_000,
    "16": 352_000,
    "17": 651_000,
    "18": 302_000,
    "19": 240_000,
    "2A": 158_000,
    "2B": 182_000,
    "21": 534_000,
    "22": 600_000,
    "23": 116_000,
    "24": 413_000,
    "25": 543_000,
    "26": 516_000,
    "27": 599_000,
    "28": 431_000,
    "29": 915_000,
    "30": 748_000,
    "31": 1_400_000,
    "32": 191_000,
    "33": 1_623_000,
    "34": 1_176_000,
    "35": 1_079_000,
    "36": 219_000,
    "37": 610_000,
    "38": 1_271_000,
    "39": 259_000,
    "40": 413_000,
    "41": 329_000,
    "42": 765_000,
    "43": 227_000,
    "44": 1_429_000,
    "45": 680_000,
    "46": 174_000,
    "47": 331_000,
    "48": 76_000,
    "49": 818_000,
    "50": 496_000,
    "51": 566_000,
    "52": 172_000,
    "53": 307_000,
    "54": 733_000,
    "55": 184_000,
    "56": 759_000,
    "57": 1_046_000,
    "58": 204_000,
    "59": 2_608_000,
    "60": 829_000,
    "61": 279_000,
    "62": 1_466_000,
    "63": 662_000,
    "64": 683_000,
    "65": 229_000,
    "66": 479_000,
    "67": 1_140_000,
    "68": 767_000,
    "69": 1_875_000,
    "70": 235_000,
    "71": 551_000,
    "72": 566_000,
    "73": 436_000,
    "74": 826_000,
    "75": 2_145_000,
    "76": 1_255_000,
    "77": 1_421_000,
    "78": 1_448_000,
    "79": 375_000,
    "80": 570_000,
    "81": 389_000,
    "82": 260_000,
    "83": 1_076_000,
    "84": 561_000,
    "85": 685_000,
    "86": 438_000,
    "87": 372_000,
    "88": 364_000,
    "89": 335_000,
    "90": 141_000,
    "91": 1_301_000,
    "92": 1_624_000,
    "93": 1_644_000,
    "94": 1_407_000,
    "95": 1_249_000,
    "971": 384_000,
    "972": 361_000,
    "973": 286_000,
    "974": 868_000,
    "976": 300_000,
}

# Répartition des demandes par prestation (ordre de grandeur des remontées CNSA).
MIX_PRESTATIONS: dict[str, float] = {
    Prestation.AAH: 0.12,
    Prestation.AEEH: 0.06,
    Prestation.PCH: 0.07,
    Prestation.RQTH: 0.14,
    Prestation.CMI_INVALIDITE: 0.12,
    Prestation.CMI_PRIORITE: 0.06,
    Prestation.CMI_STATIONNEMENT: 0.12,
    Prestation.ORIENTATION_ESMS_ENFANTS: 0.03,
    Prestation.ORIENTATION_ESMS_ADULTES: 0.05,
    Prestation.SCOLARISATION: 0.08,
    Prestation.ORIENTATION_PROFESSIONNELLE: 0.15,
}
ENFANT_SEULEMENT = {Prestation.AEEH, Prestation.ORIENTATION_ESMS_ENFANTS, Prestation.SCOLARISATION}
ENFANT_POSSIBLE = {
    Prestation.PCH,
    Prestation.CMI_INVALIDITE,
    Prestation.CMI_PRIORITE,
    Prestation.CMI_STATIONNEMENT,
}
POIDS_MOIS = (1.05, 1.0, 1.05, 1.0, 1.0, 1.0, 0.9, 0.7, 1.1, 1.1, 1.0, 0.9)
DUREES_MOIS = (12, 24, 36, 60, 120)

COLONNES_DEMANDE = (
    "id",
    "departement_id",
    "reference",
    "personne",
    "dossier",
    "prestation",
    "famille",
    "public",
    "nature",
    "procedure",
    "date_depot",
    "date_recevable_a_completer",
    "date_recevable",
    "date_evaluation",
    "date_decision",
    "type_decision",
    "sans_limitation",
    "duree_mois",
    "date_notification",
    "date_annulation",
    "date_sortie",
    "delai_jours",
)
COLONNES_EVENEMENT = (
    "id",
    "demande_id",
    "type",
    "date",
    "type_decision",
    "sans_limitation",
    "duree_mois",
)


def populations(departements: list[str]) -> dict[str, int]:
    """Population de chaque département : somme de ses communes, sinon table de repli."""
    sommes = dict(
        Commune.objects.filter(departement_id__in=departements, type=Commune.Type.COMMUNE)
        .values("departement_id")
        .annotate(p=Sum("population"))
        .values_list("departement_id", "p")
    )
    return {d: sommes.get(d) or POPULATIONS.get(d, 300_000) for d in departements}


def delai_moyen_mdph(*, graine: int, departement: str) -> float:
    """Délai moyen propre à une MDPH, en mois : log-normal de médiane 4,2, borné à 1,5–12."""
    rng = random.Random(f"delai-{graine}-{departement}")
    return min(12.0, max(1.5, rng.lognormvariate(math.log(4.2), 0.45)))


@dataclass
class _Lots:
    demandes: list
    evenements: list
    prochain_demande: int
    prochain_evenement: int


class _Generateur:
    def __init__(self, *, graine: int, fin: dt.date, lots: _Lots):
        self.graine, self.fin, self.lots = graine, fin, lots
        self.prestations, self.poids = zip(*MIX_PRESTATIONS.items(), strict=True)

    def annee(self, departement: str, annee: int, nombre: int, delai_mois: float) -> None:
        rng = random.Random(f"{self.graine}-{departement}-{annee}")
        moyenne_jours = delai_mois * JOURS_PAR_MOIS
        mu = math.log(moyenne_jours) - 0.125  # log-normal σ = 0,5 de moyenne `moyenne_jours`
        mois = rng.choices(range(1, 13), weights=POIDS_MOIS, k=nombre)
        i = 0
        while i < nombre:
            taille = min(nombre - i, 1 + int(rng.expovariate(1.6)))
            depot = dt.date(annee, mois[i], 1) + dt.timedelta(days=rng.randrange(28))
            self.personne(rng, departement, annee, i, taille, depot, mu)
            i += taille

    def personne(self, rng, departement, annee, i, taille, depot, mu) -> None:
        identite = (f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(128):032x}")
        enfant = rng.random() < 0.18
        a_completer = (
            depot + dt.timedelta(days=rng.randrange(3, 15)) if rng.random() < 0.15 else None
        )
        recevable = (a_completer or depot) + dt.timedelta(days=int(rng.expovariate(1 / 12)))
        nature = "reexamen" if rng.random() < 0.4 else "premiere_demande"
        for k in range(taille):
            prestation = rng.choices(self.prestations, weights=self.poids)[0]
            public = (
                "enfant"
                if prestation in ENFANT_SEULEMENT or (enfant and prestation in ENFANT_POSSIBLE)
                else "adulte"
            )
            reference = f"{annee:04d}{self.graine % 2**32:08x}{i + k:020x}"
            self.demande(
                rng,
                departement,
                reference,
                identite,
                prestation,
                public,
                nature,
                depot,
                a_completer,
                recevable,
                mu,
            )

    def demande(
        self,
        rng,
        departement,
        reference,
        personne,
        prestation,
        public,
        nature,
        depot,
        a_completer,
        recevable,
        mu,
    ) -> None:
        urgente = rng.random() < 0.03
        jours = max(1, int(rng.lognormvariate(mu, 0.5) / (4 if urgente else 1)))
        decision = recevable + dt.timedelta(days=jours)
        if decision.month in (7, 8):  # moins de CDAPH l'été : la décision glisse
            decision += dt.timedelta(days=rng.randrange(0, 35))
        evaluation = recevable + dt.timedelta(days=int(jours * 0.6))
        notification = decision + dt.timedelta(days=rng.randrange(2, 15))
        annulation = None
        if rng.random() < 0.02:
            annulation = depot + dt.timedelta(days=rng.randrange(1, 20 + jours))
        self.ecrire(
            rng,
            departement,
            reference,
            personne,
            prestation,
            public,
            nature,
            "urgente" if urgente else "normale",
            [depot, a_completer, recevable, evaluation, decision, notification],
            annulation,
        )

    def ecrire(
        self,
        rng,
        departement,
        reference,
        personne,
        prestation,
        public,
        nature,
        procedure,
        dates,
        annulation,
    ) -> None:
        types = (
            "depose",
            "recevable_a_completer",
            "recevable",
            "evaluation",
            "decision",
            "notification",
        )
        garde = [
            (t, d)
            for t, d in zip(types, dates, strict=True)
            if d and d <= self.fin and not (annulation and d >= annulation)
        ]
        if annulation and annulation <= self.fin:
            garde.append(("annule", annulation))
        faits = dict(garde)
        decision = faits.get("decision")
        type_decision, sans_limitation, duree = "", None, None
        if decision:
            tirage = rng.random()
            type_decision = (
                "attribution" if tirage < 0.75 else "rejet" if tirage < 0.98 else "sursis"
            )
            if type_decision == "attribution":
                sans_limitation = rng.random() < 0.12
                duree = None if sans_limitation else rng.choice(DUREES_MOIS)
        lots = self.lots
        id_demande = lots.prochain_demande
        lots.prochain_demande += 1
        recevable = faits.get("recevable")
        sorties = [d for d in (decision, faits.get("annule")) if d]
        lots.demandes.append(
            (
                id_demande,
                departement,
                reference,
                *personne,
                prestation,
                FAMILLE_DE_PRESTATION[prestation],
                public,
                nature,
                procedure,
                faits["depose"],
                faits.get("recevable_a_completer"),
                recevable,
                faits.get("evaluation"),
                decision,
                type_decision,
                sans_limitation,
                duree,
                faits.get("notification"),
                faits.get("annule"),
                min(sorties) if sorties else None,
                (decision - recevable).days if decision and recevable else None,
            )
        )
        for type_, date in garde:
            est_decision = type_ == "decision"
            lots.evenements.append(
                (
                    lots.prochain_evenement,
                    id_demande,
                    type_,
                    date,
                    type_decision if est_decision else "",
                    sans_limitation if est_decision else None,
                    duree if est_decision else None,
                )
            )
            lots.prochain_evenement += 1


def generer_activite(
    *,
    departements: list[str],
    annees: list[int],
    graine: int = 1,
    taux_pour_mille: float = 26.0,
    fin: dt.date | None = None,
    progression: Callable[[str], None] | None = None,
    delais: dict[str, float] | None = None,
) -> dict[str, int]:
    """Génère les demandes et leur journal (insertions en masse) ; remplace les demandes
    déjà présentes de ces départements déposées ces années-là.

    `delais` : le délai moyen (mois) voulu pour une MDPH (la démonstration y met le délai
    publié de la vraie MDPH) ; à défaut, tiré par `delai_moyen_mdph`.

    `fin` : aucune transition après cette date (par défaut le 31 décembre de la dernière
    année) ; les demandes non décidées à cette date forment le stock.
    """
    fin = fin or dt.date(max(annees), 12, 31)
    pops = populations(departements)
    with transaction.atomic():
        Demande.objects.filter(
            departement_id__in=departements, date_depot__year__in=annees
        ).delete()
        lots = _Lots([], [], *_prochains_ids())
        generateur = _Generateur(graine=graine, fin=fin, lots=lots)
        totaux = {"demandes": 0, "evenements": 0}
        for departement in departements:
            delai = (delais or {}).get(departement) or delai_moyen_mdph(
                graine=graine, departement=departement
            )
            for annee in annees:
                nombre = round(pops[departement] * taux_pour_mille / 1000)
                generateur.annee(departement, annee, nombre, delai)
                _vider(lots, totaux)
            if progression:
                progression(
                    f"{departement} : délai moyen {delai:.1f} mois, {totaux['demandes']} "
                    f"demandes et {totaux['evenements']} événements au total."
                )
        _recaler_sequences()
    return totaux


def _prochains_ids() -> tuple[int, int]:
    return (
        (Demande.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
        (Evenement.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
    )


def _vider(lots: _Lots, totaux: dict[str, int]) -> None:
    inserer(Demande, COLONNES_DEMANDE, lots.demandes)
    inserer(Evenement, COLONNES_EVENEMENT, lots.evenements)
    totaux["demandes"] += len(lots.demandes)
    totaux["evenements"] += len(lots.evenements)
    lots.demandes.clear()
    lots.evenements.clear()


def _recaler_sequences() -> None:
    """Les identifiants sont fixés à l'insertion : PostgreSQL doit recaler ses séquences."""
    with connection.cursor() as curseur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Demande, Evenement]):
            curseur.execute(sql)
