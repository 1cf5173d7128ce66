"""Les résultats de « Ma MDPH, mon avis » (issue 12, § 2) : par MDPH, région ou national, par
question et par période, toujours poolés (sommes de comptes, jamais moyenne de taux).

Un groupe (un territoire, un sous-groupe, une période) n'a aucun chiffre publié sous
`SATISFACTION_SEUIL_PUBLICATION` répondants (30 par défaut) ; un taux, aucun sous ce nombre
de réponses exprimées. Le national et le régional, identiques pour toutes les pages et lents à
changer, sont gardés en mémoire quelques minutes (`core.memoire`).
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum

from core.memoire import Memoire
from satisfaction.models import (
    CLE_REPONDANTS,
    NIVEAUX_EXPRIMES,
    SEGMENT_TOUS,
    Comptage,
    Niveau,
    Origine,
    Question,
    TypeQuestion,
)
from satisfaction.selectors import Distribution
from territoires.models import Departement, Region

DEFINITION_TAUX = (
    "Taux de satisfaction : part des réponses « très satisfait » et « satisfait » parmi les "
    "réponses exprimées sur l'échelle à quatre niveaux (très satisfait, satisfait, "
    "insatisfait, très insatisfait) ; les réponses « non concerné » sont hors du "
    "dénominateur. Valeur d'un groupe de MDPH : ses réponses additionnées, jamais la "
    "moyenne des taux de chaque MDPH (définition de la CNSA)."
)
QUESTION_CROISEE_PAR_DEFAUT = "globale"
CROISEES = ("pour_qui", "motifs", "etat")


def seuil() -> int:
    return settings.SATISFACTION_SEUIL_PUBLICATION


def non_publie() -> str:
    return f"moins de {seuil()} réponses : non publié"


# --- Périodes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periode:
    """Des mois entiers, bornes comprises (les réponses portent le premier jour du mois)."""

    code: str
    libelle: str
    debut: dt.date
    fin: dt.date  # premier jour du dernier mois


_FORMES = (
    (re.compile(r"^(\d{4})$"), "annee"),
    (re.compile(r"^(\d{4})-T([1-4])$"), "trimestre"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "mois"),
)
MOIS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def periode(code: str) -> Periode:
    """« 2026 », « 2026-T1 » ou « 2026-03 » ; ValueError en français sinon."""
    code = (code or "").strip().upper()
    for motif, forme in _FORMES:
        trouve = motif.match(code)
        if not trouve:
            continue
        annee = int(trouve.group(1))
        if not 2018 <= annee <= 2100:
            break
        if forme == "annee":
            return Periode(code, f"année {annee}", dt.date(annee, 1, 1), dt.date(annee, 12, 1))
        if forme == "trimestre":
            t = int(trouve.group(2))
            debut = dt.date(annee, 3 * t - 2, 1)
            return Periode(code, f"{t}e trimestre {annee}", debut, dt.date(annee, 3 * t, 1))
        mois = int(trouve.group(2))
        if 1 <= mois <= 12:
            jour = dt.date(annee, mois, 1)
            return Periode(code, f"{MOIS_FR[mois - 1]} {annee}", jour, jour)
        break
    raise ValueError(
        f"Période « {code} » illisible : écrivez une année (2026), un trimestre (2026-T1) "
        "ou un mois (2026-03), à partir de 2018."
    )


def periode_par_defaut(aujourdhui: dt.date | None = None) -> Periode:
    """L'année civile en cours (ses mois passés et celui-ci) ; la page propose d'en choisir
    une autre, un trimestre ou un mois."""
    jour = aujourdhui or dt.date.today()
    return periode(str(jour.year))


def periode_precedente(p: Periode) -> Periode:
    """La même durée juste avant (l'année, le trimestre ou le mois d'avant)."""
    if re.fullmatch(r"\d{4}", p.code):
        return periode(str(int(p.code) - 1))
    if "-T" in p.code:
        annee, t = int(p.code[:4]), int(p.code[-1])
        return periode(f"{annee - 1}-T4" if t == 1 else f"{annee}-T{t - 1}")
    avant = p.debut - dt.timedelta(days=1)
    return periode(f"{avant.year}-{avant.month:02d}")


# --- Territoires ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Territoire:
    maille: str  # mdph | region | national
    code: str
    nom: str
    departements: tuple[str, ...] | None  # None : tous

    @property
    def groupe(self) -> bool:
        """Plusieurs MDPH : en mémoire quelques minutes (les mêmes pour toutes les pages)."""
        return self.maille != "mdph"


def territoire(maille: str, code: str = "") -> Territoire:
    """ValueError en français pour une maille ou un code inconnus."""
    if maille == "national":
        return Territoire("national", "FR", "France (toutes les MDPH)", None)
    if maille == "mdph":
        departement = Departement.objects.filter(pk=code).first()
        if departement is None:
            raise ValueError(f"Aucune MDPH pour le département « {code} ».")
        return Territoire("mdph", code, f"MDPH {departement.nom}", (code,))
    if maille == "region":
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise ValueError(f"Région « {code} » inconnue.")
        codes = tuple(region.departements.order_by("code").values_list("code", flat=True))
        return Territoire("region", code, f"région {region.nom}", codes)
    raise ValueError(f"Maille « {maille} » inconnue : mdph, region ou national.")


# --- Lecture des comptes ---------------------------------------------------------------------


@dataclass
class Comptes:
    """Les sommes d'un territoire sur une période : « tous » par origine, et les sous-groupes
    croisés pour une question."""

    tous: dict[str, dict[tuple[str, str], dict[str, int]]]  # origine → série → niveau → n
    segments: dict[str, dict[tuple[str, str], dict[str, int]]]  # segment → série → niveau → n


def _filtre(t: Territoire, p: Periode):
    comptes = Comptage.objects.filter(mois__range=(p.debut, p.fin))
    if t.departements is not None:
        comptes = comptes.filter(departement__in=list(t.departements))
    return comptes


def _lire(t: Territoire, p: Periode, question_croisee: str) -> Comptes:
    """Les sommes de « tous » par origine, puis des sous-groupes croisés (seulement la
    question croisée et les répondants). Une MDPH : deux requêtes, par l'index unique qui
    commence par le département. Plusieurs MDPH : des requêtes que l'index `comptage_poole`
    sert seul, rangées comme lui (mesures : bench/satisfaction_resultats.py)."""
    if t.groupe:
        return _lire_groupe(t, p, question_croisee)
    tous: dict = defaultdict(lambda: defaultdict(dict))
    lignes = (
        _filtre(t, p)
        .filter(segment=SEGMENT_TOUS)
        .values_list("origine", "question", "signature", "niveau")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    for origine, question, signature, niveau, n in lignes:
        tous[origine][(question, signature)][niveau] = n
    segments: dict = defaultdict(lambda: defaultdict(dict))
    lignes = (
        _filtre(t, p)
        .exclude(segment=SEGMENT_TOUS)
        .filter(question__in=[CLE_REPONDANTS, question_croisee])
        .values_list("segment", "question", "signature", "niveau")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    for segment, question, signature, niveau, n in lignes:
        segments[segment][(question, signature)][niveau] = n
    return Comptes(_figer(tous), _figer(segments))


def _figer(comptes: dict) -> dict:
    return {cle: dict(series) for cle, series in comptes.items()}


def _series(comptes) -> dict[tuple[str, str], dict[str, int]]:
    series: dict = defaultdict(dict)
    for question, signature, niveau, n in (
        comptes.values_list("question", "signature", "niveau").annotate(n=Sum("nombre")).order_by()
    ):
        series[(question, signature)][niveau] = n
    return dict(series)


def _lire_groupe(t: Territoire, p: Periode, question_croisee: str) -> Comptes:
    """Grouper aussi par origine, ou lire tous les sous-groupes d'un coup, forcerait SQLite
    à trier ou à parcourir tout l'index : 1,4 s et 0,7 s au lieu de 0,15 s et 0,18 s au
    national sur 1,9 M lignes. D'où : « tous », puis le papier seul (en ligne = tous − papier),
    puis un sous-groupe par requête."""
    tous = _series(_filtre(t, p).filter(segment=SEGMENT_TOUS))
    papier = _series(_filtre(t, p).filter(segment=SEGMENT_TOUS, origine=Origine.PAPIER))
    en_ligne = {
        serie: {niveau: n - papier.get(serie, {}).get(niveau, 0) for niveau, n in niveaux.items()}
        for serie, niveaux in tous.items()
    }
    segments = {}
    for segment in segments_croises():
        comptes = _filtre(t, p).filter(
            segment=segment, question__in=[CLE_REPONDANTS, question_croisee]
        )
        segments[segment] = _series(comptes)
    return Comptes({Origine.EN_LIGNE: en_ligne, Origine.PAPIER: papier}, segments)


def segments_croises() -> list[str]:
    """« pour_qui=moi », « motifs=cmi »… : un par réponse possible d'une question croisée."""
    return sorted(
        {f"{i.cle}={code}" for i in questions().values() if i.cle in CROISEES for code in i.choix}
    )


_memoire = Memoire(lambda t, p, q: _lire(t, p, q), taille=64)


def comptes(t: Territoire, p: Periode, question_croisee: str = QUESTION_CROISEE_PAR_DEFAUT):
    if t.groupe:
        return _memoire(t, p, question_croisee)
    return _lire(t, p, question_croisee)


# --- Résultats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InfoQuestion:
    cle: str
    libelle: str
    type: str
    etape: int
    ordre: int
    choix: dict[str, str] = field(default_factory=dict)


def questions() -> dict[tuple[str, str], InfoQuestion]:
    """Le libellé de chaque série (clé, signature), pris dans la version la plus récente qui
    la pose ; le rang dans le questionnaire pour l'ordre des tableaux."""
    infos: dict[tuple[str, str], InfoQuestion] = {}
    for q in Question.objects.order_by("version__numero").only(
        "cle", "signature", "libelle", "type", "etape", "ordre", "choix"
    ):
        infos[(q.cle, q.signature)] = InfoQuestion(
            q.cle, q.libelle, q.type, q.etape, q.ordre, {c: lib for c, lib in q.choix}
        )
    return infos


@dataclass
class LigneQuestion:
    """Une question d'échelle : sa distribution complète et son taux (ou « non publié »)."""

    info: InfoQuestion
    signature: str
    niveaux: dict[str, int]
    papier: int

    @property
    def distribution(self) -> Distribution:
        return Distribution(self.info.cle, self.signature, self.niveaux)

    @property
    def exprimees(self) -> int:
        return self.distribution.exprimees

    @property
    def non_concerne(self) -> int:
        return self.niveaux.get(Niveau.NON_CONCERNE, 0)

    @property
    def publiee(self) -> bool:
        return self.exprimees >= seuil()

    @property
    def taux(self) -> float | None:
        """En %, à une décimale ; None sous le seuil ou sans réponse exprimée."""
        taux = self.distribution.taux_satisfaction
        return None if taux is None or not self.publiee else round(100 * taux, 1)

    def part(self, niveau: str) -> float | None:
        """Part d'un niveau parmi les réponses exprimées (« non concerné » : None)."""
        if niveau not in NIVEAUX_EXPRIMES or not self.publiee:
            return None
        return round(100 * self.niveaux.get(niveau, 0) / self.exprimees, 1)


@dataclass
class Resultats:
    territoire: Territoire
    periode: Periode
    repondants: int
    papier: int
    lignes: list[LigneQuestion]
    croisements: list["Croisement"]
    question_croisee: str

    @property
    def publie(self) -> bool:
        return self.repondants >= seuil()

    def taux(self, cle: str) -> float | None:
        for ligne in self.lignes:
            if ligne.info.cle == cle:
                return ligne.taux if self.publie else None
        return None


@dataclass
class Croisement:
    """Le taux de la question croisée dans un sous-groupe (« pour un proche », « CMI »…)."""

    question: str  # pour_qui, motifs, etat
    libelle_question: str
    code: str
    libelle: str
    repondants: int
    exprimees: int
    taux: float | None  # None : sous le seuil


def _somme(series: dict[tuple[str, str], dict[str, int]], cle: str) -> int:
    return sum(sum(niveaux.values()) for (q, _), niveaux in series.items() if q == cle)


def resultats(
    t: Territoire, p: Periode, *, question_croisee: str = QUESTION_CROISEE_PAR_DEFAUT
) -> Resultats:
    c = comptes(t, p, question_croisee)
    infos = questions()
    en_ligne = c.tous.get(Origine.EN_LIGNE, {})
    papier = c.tous.get(Origine.PAPIER, {})
    lignes = []
    for serie in sorted(set(en_ligne) | set(papier), key=lambda s: _rang(infos, s)):
        info = infos.get(serie)
        if info is None or info.type != TypeQuestion.ECHELLE:
            continue
        niveaux: dict[str, int] = defaultdict(int)
        for origine in (en_ligne, papier):
            for niveau, n in origine.get(serie, {}).items():
                niveaux[niveau] += n
        lignes.append(
            LigneQuestion(info, serie[1], dict(niveaux), sum(papier.get(serie, {}).values()))
        )
    return Resultats(
        territoire=t,
        periode=p,
        repondants=_somme(en_ligne, CLE_REPONDANTS) + _somme(papier, CLE_REPONDANTS),
        papier=_somme(papier, CLE_REPONDANTS),
        lignes=lignes,
        croisements=_croisements(c, infos, question_croisee),
        question_croisee=question_croisee,
    )


def _rang(infos: dict, serie: tuple[str, str]) -> tuple:
    info = infos.get(serie)
    return (info.etape, info.ordre, serie) if info else (99, 99, serie)


def _croisements(c: Comptes, infos: dict, question: str) -> list[Croisement]:
    """Un croisement additionne les séries de la question croisée (toutes signatures) : sur
    une période où elle a été reformulée, ses deux libellés sont comptés ensemble."""
    croisees = {i.cle: i for i in infos.values() if i.cle in CROISEES}
    resultat = []
    for cle in CROISEES:
        info = croisees.get(cle)
        if info is None:
            continue
        for code, libelle in info.choix.items():
            series = c.segments.get(f"{cle}={code}", {})
            repondants = _somme(series, CLE_REPONDANTS)
            niveaux: dict[str, int] = defaultdict(int)
            for (q, _), parniveau in series.items():
                if q == question:
                    for niveau, n in parniveau.items():
                        niveaux[niveau] += n
            d = Distribution(question, "", dict(niveaux))
            publie = repondants >= seuil() and d.exprimees >= seuil()
            taux = d.taux_satisfaction if publie else None
            resultat.append(
                Croisement(
                    cle,
                    info.libelle,
                    code,
                    libelle,
                    repondants,
                    d.exprimees,
                    None if taux is None else round(100 * taux, 1),
                )
            )
    return resultat


@dataclass
class Comparaison:
    question: str
    libelle: str
    avant: float | None
    apres: float | None

    @property
    def ecart(self) -> float | None:
        """En points de pourcentage."""
        if self.avant is None or self.apres is None:
            return None
        return round(self.apres - self.avant, 1)


def comparer(avant: Resultats, apres: Resultats) -> list[Comparaison]:
    """Le taux de chaque question d'une période à l'autre (même clé et même signature : une
    question reformulée ouvre une autre série)."""
    taux_avant = {(li.info.cle, li.signature): li.taux for li in avant.lignes}
    resultat = []
    for ligne in apres.lignes:
        serie = (ligne.info.cle, ligne.signature)
        resultat.append(
            Comparaison(
                ligne.info.cle,
                ligne.info.libelle,
                taux_avant.get(serie) if avant.publie else None,
                ligne.taux if apres.publie else None,
            )
        )
    return resultat


# --- Pour le baromètre (pilotage) -------------------------------------------------------------


def mdph_avec_reponses(p: Periode) -> int:
    """Le nombre de MDPH qui ont des réponses sur la période : « national (N MDPH chargées) »."""
    return (
        Comptage.objects.filter(mois__range=(p.debut, p.fin), segment=SEGMENT_TOUS)
        .filter(question=CLE_REPONDANTS)
        .values("departement")
        .distinct()
        .count()
    )


_mdph_avec_reponses = Memoire(mdph_avec_reponses, taille=16)


def annees_avec_reponses(departement: str | None = None) -> list[int]:
    comptes = Comptage.objects.filter(segment=SEGMENT_TOUS, question=CLE_REPONDANTS)
    if departement:
        comptes = comptes.filter(departement=departement)
    return sorted({m.year for m in comptes.values_list("mois", flat=True).distinct()})


@dataclass(frozen=True)
class TauxAnnee:
    annee: int
    taux: float | None  # None : sous le seuil de publication
    repondants: int
    mdph: int = 1  # MDPH dont les réponses sont poolées


def taux_global(maille: str, code: str, annee: int, cle: str = "globale") -> TauxAnnee:
    """Le taux de satisfaction de l'année (question d'ensemble), sous le seuil : None."""
    p = periode(str(annee))
    r = resultats(territoire(maille, code), p)
    mdph = _mdph_avec_reponses(p) if maille == "national" else 1
    return TauxAnnee(annee, r.taux(cle), r.repondants, mdph)


@dataclass(frozen=True)
class TauxPublie:
    annee: int
    taux: float
    repondants: int | None
    source: str


def taux_publie(code: str = "FR", cle: str = "globale", annee: int | None = None):
    """Le taux publié (CNSA) le plus récent jusqu'à `annee` : le champ publié, sinon très
    satisfaits + satisfaits (en pourcentages, ou recalculé des nombres)."""
    from satisfaction.models import Maille, ResultatPublie

    maille = Maille.NATIONAL if code == "FR" else Maille.DEPARTEMENT
    publies = ResultatPublie.objects.filter(maille=maille, code=code, question=cle)
    if annee is not None:
        publies = publies.filter(annee__lte=annee)
    for r in publies.order_by("-annee"):
        taux = _taux_de(r)
        if taux is not None:
            return TauxPublie(r.annee, round(taux, 1), r.repondants, r.source)
    return None


def _taux_de(r) -> float | None:
    if r.taux_satisfaction is not None:
        return float(r.taux_satisfaction)
    niveaux = [r.tres_satisfait, r.satisfait, r.insatisfait, r.tres_insatisfait]
    if any(n is None for n in niveaux):
        return None
    if r.en_pourcentages:
        return float(niveaux[0] + niveaux[1])
    total = sum(niveaux)
    return float(100 * (niveaux[0] + niveaux[1]) / total) if total else None


def taux_par_departement(annee: int, cle: str = "globale") -> dict[str, float | None]:
    """{département: taux de l'année} pour les MDPH qui ont des réponses, en une requête ;
    None sous le seuil de publication (répondants ou réponses exprimées)."""
    p = periode(str(annee))
    lignes = (
        Comptage.objects.filter(mois__range=(p.debut, p.fin), segment=SEGMENT_TOUS)
        .filter(question__in=[CLE_REPONDANTS, cle])
        .values_list("departement", "question", "niveau")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    repondants: dict[str, int] = defaultdict(int)
    niveaux: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for departement, question, niveau, n in lignes:
        if question == CLE_REPONDANTS:
            repondants[departement] += n
        else:
            niveaux[departement][niveau] += n
    resultat: dict[str, float | None] = {}
    for departement, nombre in repondants.items():
        d = Distribution(cle, "", dict(niveaux[departement]))
        publie = nombre >= seuil() and d.exprimees >= seuil() and d.taux_satisfaction is not None
        resultat[departement] = round(100 * d.taux_satisfaction, 1) if publie else None
    return resultat
