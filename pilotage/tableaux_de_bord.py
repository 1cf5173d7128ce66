"""Contenu des tableaux de bord : baromètre d'une MDPH, activité, classement, alertes.

Chaque page est une liste de blocs (un tableau de données, le graphique dessiné depuis lui) ;
les vues d'export relisent la même page et écrivent le tableau demandé.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from pilotage import alertes as regles
from pilotage.barometres import series_barometre
from pilotage.graphiques import cartogramme, graphique_barres, graphique_lignes
from pilotage.indicateurs import JOURS_PAR_MOIS, bornes_trimestre
from pilotage.mesures import (
    DELAIS,
    DUREE_SCOLARISATION,
    MESURES,
    SANS_LIMITATION,
    Mesure,
    lignes_par_departement,
    lignes_par_trimestre,
    pooler,
)
from pilotage.models import AgregatTrimestriel, Demande, Indicateur, Maille, Sens, ValeurBarometre
from pilotage.selectors import activite_annuelle, premieres_annees, serie_trimestrielle_delais
from pilotage.series_publiees import delais_annuels_publies, derniere_annee_publiee
from pilotage.tableaux import Colonne, Tableau, nombre_fr
from territoires.models import Departement

Trimestre = tuple[int, int]
TRIMESTRES_AFFICHES = 12


@dataclass
class Bloc:
    tableau: Tableau
    graphique: object | None = None


@dataclass
class Page:
    blocs: list[Bloc] = field(default_factory=list)

    @property
    def tableaux(self) -> dict[str, Tableau]:
        return {b.tableau.slug: b.tableau for b in self.blocs}

    def bloc(self, slug: str) -> Bloc:
        return next(b for b in self.blocs if b.tableau.slug == slug)


def libelle_trimestre(periode: Trimestre) -> str:
    return f"{periode[0]}-T{periode[1]}"


def dernier_trimestre(*, departement: str | None = None) -> Trimestre | None:
    """Le trimestre le plus récent des agrégats (d'une MDPH, ou de toutes)."""
    agregats = AgregatTrimestriel.objects.all()
    if departement:
        agregats = agregats.filter(departement_id=departement)
    ligne = agregats.order_by("-annee", "-trimestre").values("annee", "trimestre").first()
    return (ligne["annee"], ligne["trimestre"]) if ligne else None


def trimestres_jusqua(fin: Trimestre, nombre: int) -> list[Trimestre]:
    annee, trimestre = fin
    resultat = []
    for _ in range(nombre):
        resultat.append((annee, trimestre))
        annee, trimestre = (annee - 1, 4) if trimestre == 1 else (annee, trimestre - 1)
    return resultat[::-1]


def _tableau_serie(
    mesure: Mesure, *, periodes: list[Trimestre], local: dict, national: dict, nom: str
) -> Tableau:
    return Tableau(
        slug=mesure.code,
        titre=f"{mesure.libelle} ({mesure.unite}), {nom} et national, par trimestre",
        colonnes=[
            Colonne("Trimestre", decimales=0),
            Colonne(nom, mesure.unite, mesure.decimales),
            Colonne("National", mesure.unite, mesure.decimales),
        ],
        lignes=[
            [
                libelle_trimestre(p),
                mesure.calculer(local.get(p, [])),
                mesure.calculer(national.get(p, [])),
            ]
            for p in periodes
        ],
        note="National : valeur poolée sur toutes les MDPH (Σ numérateurs / Σ dénominateurs).",
    )


def _bloc_serie(tableau: Tableau) -> Bloc:
    return Bloc(tableau, graphique_lignes(tableau, colonnes=[1, 2]))


def _synthese(
    slug: str, titre: str, mesures, *, periode: Trimestre, local: dict, national: dict, nom: str
) -> Tableau:
    """Dernier trimestre : valeur locale, nationale et écart, une ligne par indicateur."""
    lignes = []
    for m in mesures:
        v_local = m.calculer(local.get(periode, []))
        v_national = m.calculer(national.get(periode, []))
        ecart = None if None in (v_local, v_national) else round(v_local - v_national, 1)
        lignes.append([m.court, v_local, v_national, ecart])
    unite = mesures[0].unite
    return Tableau(
        slug=slug,
        titre=f"{titre}, {libelle_trimestre(periode)} : {nom} et national",
        colonnes=[
            Colonne("Indicateur", decimales=0),
            Colonne(nom, unite),
            Colonne("National", unite),
            Colonne("Écart", unite),
        ],
        lignes=lignes,
    )


def barometre_mdph(*, departement: Departement, demandes: bool = True) -> Page | None:
    """Baromètre d'une MDPH face à la valeur nationale : délais, droits sans limitation de
    durée, durée des droits de scolarisation, valeurs publiées ; séries trimestrielles.

    `demandes=False` : les valeurs publiées seulement (pour qui ne voit pas les demandes de ce
    département, docs/adr/0008 « Pilotage par territoire ») ; None s'il n'y en a pas."""
    if not demandes:
        publies = [_bloc_serie(tableau) for tableau in _tableaux_publies(departement)]
        return Page(publies) if publies else None
    fin = dernier_trimestre(departement=departement.code)
    if fin is None:
        return None
    periodes = trimestres_jusqua(fin, TRIMESTRES_AFFICHES)
    local = lignes_par_trimestre(departements=[departement.code], depuis=periodes[0])
    periodes = [p for p in periodes if p >= min(local)]  # pas de trimestres vides en tête
    national = lignes_par_trimestre(departements=None, depuis=periodes[0])
    nom = departement.nom
    contexte = {"periodes": periodes, "local": local, "national": national, "nom": nom}
    page = Page()
    page.blocs.append(
        Bloc(
            _synthese(
                "synthese-delais",
                "Délais moyens de traitement",
                DELAIS,
                periode=fin,
                local=local,
                national=national,
                nom=nom,
            )
        )
    )
    page.blocs.append(
        Bloc(
            _synthese(
                "synthese-droits",
                "Droits attribués sans limitation de durée",
                SANS_LIMITATION,
                periode=fin,
                local=local,
                national=national,
                nom=nom,
            )
        )
    )
    for mesure in (*DELAIS, *SANS_LIMITATION, DUREE_SCOLARISATION):
        page.blocs.append(_bloc_serie(_tableau_serie(mesure, **contexte)))
    for tableau in _tableaux_publies(departement):
        page.blocs.append(_bloc_serie(tableau))
    return page


def _tableaux_publies(departement: Departement) -> list[Tableau]:
    """Valeurs publiées (baromètre Etalab ou DITP) de la MDPH et nationales, par trimestre."""
    valeurs = ValeurBarometre.objects.filter(
        Q(maille=Maille.DEPARTEMENT, territoire=departement.code) | Q(maille=Maille.NATIONAL)
    ).select_related("indicateur")
    par_indicateur: dict[Indicateur, dict[Trimestre, dict]] = {}
    for v in valeurs.order_by("indicateur__code", "annee", "trimestre"):
        serie = par_indicateur.setdefault(v.indicateur, {})
        serie.setdefault((v.annee, v.trimestre), {})[v.maille] = v.valeur
    tableaux = []
    for indicateur, serie in par_indicateur.items():
        if not any(Maille.DEPARTEMENT in valeurs for valeurs in serie.values()):
            continue
        periodes = sorted(serie)[-TRIMESTRES_AFFICHES:]
        tableaux.append(
            Tableau(
                slug=f"publie-{indicateur.code.lower()}",
                titre=f"{indicateur.libelle} ({indicateur.unite}), valeurs publiées : "
                f"{departement.nom} et national",
                colonnes=[
                    Colonne("Trimestre", decimales=0),
                    Colonne(departement.nom, indicateur.unite),
                    Colonne("National", indicateur.unite),
                ],
                lignes=[
                    [
                        libelle_trimestre(p),
                        _arrondi(serie[p].get(Maille.DEPARTEMENT)),
                        _arrondi(serie[p].get(Maille.NATIONAL)),
                    ]
                    for p in periodes
                ],
                note=f"Source : baromètre publié, indicateur {indicateur.code}.",
            )
        )
    return tableaux


def _arrondi(valeur: float | None, decimales: int = 1) -> float | None:
    return None if valeur is None else round(valeur, decimales)


# ---------------------------------------------------------------- classement et carte


def annees_disponibles() -> list[int]:
    return list(
        AgregatTrimestriel.objects.values_list("annee", flat=True).distinct().order_by("-annee")
    )


def classement(
    *, mesure: Mesure, annee: int, departements: frozenset[str] | None = None
) -> tuple[Page, float | None]:
    """Classement des MDPH sur un indicateur de l'année (la meilleure en tête selon le sens),
    avec la valeur nationale poolée, et le cartogramme des départements.

    `departements` : ceux que la personne voit (None : tous) ; la valeur nationale reste
    poolée sur toutes les MDPH."""
    par_departement = lignes_par_departement(annee=annee)
    noms = dict(Departement.objects.values_list("code", "nom"))
    valeurs = {
        code: mesure.calculer(lignes)
        for code, lignes in par_departement.items()
        if departements is None or code in departements
    }
    national = mesure.calculer(pooler(par_departement))
    classees = sorted(
        ((c, v) for c, v in valeurs.items() if v is not None),
        key=lambda cv: (cv[1] if mesure.sens == Sens.BAISSE else -cv[1], cv[0]),
    )
    carte = cartogramme(
        valeurs=valeurs,
        noms=noms,
        titre=f"{mesure.libelle} en {annee}, par département",
        unite=mesure.unite,
        decimales=mesure.decimales,
    )
    classe_de = {t.code: t.classe for t in carte.tuiles}
    tableau = Tableau(
        slug="classement",
        titre=f"Classement des MDPH : {mesure.libelle.lower()} en {annee} ({mesure.unite})",
        colonnes=[
            Colonne("Département", decimales=0),
            Colonne("Rang", decimales=0),
            Colonne("Code", decimales=0),
            Colonne(mesure.court, mesure.unite, mesure.decimales),
            Colonne("Classe sur la carte (1 = valeurs les plus basses)", decimales=0),
        ],
        lignes=[
            [noms.get(code, code), rang, code, v, classe_de.get(code)]
            for rang, (code, v) in enumerate(classees, start=1)
        ],
        note=f"Valeur nationale poolée : {nombre_fr(national, mesure.decimales)} {mesure.unite}.",
    )
    return Page([Bloc(tableau, carte)]), national


def rang_de(*, page: Page, code: str) -> tuple[int, int] | None:
    lignes = page.tableaux["classement"].lignes
    return next(((ligne[1], len(lignes)) for ligne in lignes if ligne[2] == code), None)


# ---------------------------------------------------------------- activité d'une MDPH


@dataclass(frozen=True)
class Prevision:
    stock: int
    sortie_nette_moyenne: float | None
    trimestres: float | None
    date: dt.date | None
    message: str


def prevision_resorption(*, stocks: list[int], fin: dt.date) -> Prevision:
    """Délai de résorption du stock au rythme actuel : stock / sortie nette moyenne des quatre
    derniers trimestres (sortie nette = stock du trimestre précédent − stock du trimestre,
    soit décisions et annulations − nouvelles demandes).

    `stocks` : stocks de fin de trimestre, du plus ancien au plus récent (jusqu'à cinq) ;
    `fin` : dernier jour du trimestre le plus récent.
    """
    stock = stocks[-1] if stocks else 0
    derniers = stocks[-5:]
    sorties = [a - b for a, b in itertools.pairwise(derniers)]
    if not sorties:
        return Prevision(stock, None, None, None, "Pas assez de trimestres pour une prévision.")
    moyenne = sum(sorties) / len(sorties)
    if stock == 0:
        return Prevision(stock, moyenne, 0.0, fin, "Aucune demande en attente.")
    if moyenne <= 0:
        return Prevision(stock, moyenne, None, None, "Le stock ne diminue pas au rythme actuel.")
    trimestres = stock / moyenne
    date = fin + dt.timedelta(days=round(trimestres * 3 * JOURS_PAR_MOIS))
    message = (
        f"Au rythme des {len(sorties)} derniers trimestres (sortie nette moyenne de "
        f"{nombre_fr(moyenne, 0)} demandes par trimestre), le stock de {nombre_fr(stock)} "
        f"demandes serait résorbé en {nombre_fr(trimestres * 3, 1)} mois, vers {date:%m/%Y}."
    )
    return Prevision(stock, moyenne, trimestres, date, message)


TRANCHES_ANCIENNETE = ((0, 1), (1, 3), (3, 6), (6, 12), (12, None))  # mois
TRANCHES_DELAI = ((0, 1), (1, 2), (2, 3), (3, 4), (4, 6), (6, 9), (9, 12), (12, None))


def _libelle_tranche(debut: int, fin: int | None) -> str:
    return f"{debut} mois ou plus" if fin is None else f"de {debut} à moins de {fin} mois"


def _jours(mois: int) -> int:
    return round(mois * JOURS_PAR_MOIS)


def stock_par_anciennete(*, departement: str, jour: dt.date) -> Tableau:
    """Demandes en stock (déposées, ni décidées ni annulées) ce jour, par ancienneté du dépôt."""
    comptes = {}
    for debut, fin in TRANCHES_ANCIENNETE:
        filtre = Q(date_depot__lte=jour - dt.timedelta(days=_jours(debut)))
        if fin is not None:
            filtre &= Q(date_depot__gt=jour - dt.timedelta(days=_jours(fin)))
        comptes[f"t{debut}"] = Count("id", filter=filtre)
    resultat = Demande.objects.du_departement(departement).en_stock_le(jour).aggregate(**comptes)
    return Tableau(
        slug="stock-anciennete",
        titre=f"Demandes en attente au {jour:%d/%m/%Y}, par ancienneté du dépôt",
        colonnes=[Colonne("Ancienneté", decimales=0), Colonne("Demandes", decimales=0)],
        lignes=[[_libelle_tranche(d, f), resultat[f"t{d}"]] for d, f in TRANCHES_ANCIENNETE],
    )


def histogramme_delais(*, departement: str, debut: dt.date, fin: dt.date) -> Tableau:
    """Répartition des délais (recevabilité → décision, définition CNSA) des décisions de la
    période, en tranches de mois de 30,4375 jours."""
    comptes = {}
    for bas, haut in TRANCHES_DELAI:
        filtre = Q(delai_jours__gte=_jours(bas))
        if haut is not None:
            filtre &= Q(delai_jours__lt=_jours(haut))
        comptes[f"t{bas}"] = Count("id", filter=filtre)
    resultat = (
        Demande.objects.du_departement(departement)
        .decidees_entre(debut, fin)
        .filter(delai_jours__isnull=False)
        .aggregate(**comptes)
    )
    return Tableau(
        slug="histogramme-delais",
        titre=f"Décisions du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}, par délai de traitement",
        colonnes=[Colonne("Délai", decimales=0), Colonne("Décisions", decimales=0)],
        lignes=[[_libelle_tranche(b, h), resultat[f"t{b}"]] for b, h in TRANCHES_DELAI],
    )


def activite_mdph(*, departement: Departement) -> tuple[Page, Prevision] | None:
    """Entrées, décisions et stock par trimestre ; ancienneté du stock ; histogramme des
    délais des quatre derniers trimestres ; prévision de résorption du stock."""
    fin = dernier_trimestre(departement=departement.code)
    if fin is None:
        return None
    periodes = trimestres_jusqua(fin, TRIMESTRES_AFFICHES)
    local = lignes_par_trimestre(departements=[departement.code], depuis=periodes[0])
    periodes = [p for p in periodes if p >= min(local)]
    flux = Tableau(
        slug="flux",
        titre=f"Nouvelles demandes, décisions et stock de fin de trimestre, {departement.nom}",
        colonnes=[
            Colonne("Trimestre", decimales=0),
            Colonne("Nouvelles demandes", decimales=0),
            Colonne("Décisions", decimales=0),
            Colonne("Stock en fin de trimestre", decimales=0),
        ],
        lignes=[
            [
                libelle_trimestre(p),
                *(
                    sum(ligne.get(champ) or 0 for ligne in local.get(p, []))
                    for champ in ("nouvelles_demandes", "decisions", "stock_fin")
                ),
            ]
            for p in periodes
        ],
    )
    jour_fin = bornes_trimestre(*fin)[1]
    debut_annee = bornes_trimestre(*trimestres_jusqua(fin, 4)[0])[0]
    anciennete = stock_par_anciennete(departement=departement.code, jour=jour_fin)
    delais = histogramme_delais(departement=departement.code, debut=debut_annee, fin=jour_fin)
    page = Page(
        [
            Bloc(flux, graphique_lignes(flux, colonnes=[1, 2, 3])),
            Bloc(anciennete, graphique_barres(anciennete)),
            Bloc(delais, graphique_barres(delais)),
        ]
    )
    prevision = prevision_resorption(stocks=flux.colonne(3)[-5:], fin=jour_fin)
    return page, prevision


# ---------------------------------------------------------------- alertes


def verifier_alertes(
    *,
    annee: int | None = None,
    demandes: frozenset[str] | None = None,
    publies: frozenset[str] | None = None,
) -> tuple[int | None, list[regles.Alerte]]:
    """Applique les règles d'alerte précoce (`pilotage.alertes`) à toutes les sources : MDPH
    en difficulté et valeurs aberrantes sur les demandes transmises (agrégats), puis sur les
    baromètres publiés (série Etalab puis DITP du délai AAH, `series_publiees`).

    Les alertes calculées sur les demandes ne portent que sur les départements `demandes`,
    celles des valeurs publiées sur les départements `publies` (None : tous). Sans `annee`,
    chaque source est jugée sur sa dernière année complète (les baromètres au plus tard sur
    `annee`, leur dernière année publiée) ; l'année rendue est celle des demandes, sinon celle
    des baromètres."""
    annee_demandes = annee or _derniere_annee_complete()
    resultat = []
    if annee_demandes is not None:
        resultat = [
            a for a in _alertes_des_demandes(annee_demandes) if dans_codes(a.territoire, demandes)
        ]
    publiees = delais_annuels_publies(departements=publies)
    derniere = derniere_annee_publiee(publiees)
    annee_publiee = min(annee, derniere) if annee and derniere else derniere
    if annee_publiee is not None:
        resultat += regles.mdph_en_difficulte(activite=publiees, annee=annee_publiee)
    resultat += _aberrations_publiees(publies)
    return annee_demandes or annee_publiee, resultat


def dans_codes(code: str, codes: frozenset[str] | None) -> bool:
    return codes is None or code in codes


def _alertes_des_demandes(annee: int) -> list[regles.Alerte]:
    calculees = regles.mdph_en_difficulte(
        activite=activite_annuelle(annees=[annee - 1, annee]), annee=annee
    )
    series = _sans_rodage(serie_trimestrielle_delais(), premieres_annees())
    return calculees + [
        regles.Alerte(a.territoire, a.regle, a.message, regles.SOURCE_DEMANDES)
        for a in regles.valeurs_aberrantes(series=series)
    ]


def _sans_rodage(series: dict[str, list], premieres: dict[str, int]) -> dict[str, list]:
    """Retire des séries trimestrielles l'année de rodage de chaque MDPH (ses délais sont
    ceux des seules demandes vite décidées : une « aberration » de l'amorçage, pas de la MDPH)."""
    return {
        code: [(p, v) for p, v in serie if p[0] != premieres.get(code)]
        for code, serie in series.items()
    }


def _aberrations_publiees(publies: frozenset[str] | None) -> list[regles.Alerte]:
    resultat = []
    for code in (
        ValeurBarometre.objects.filter(maille=Maille.DEPARTEMENT)
        .values_list("indicateur__code", flat=True)
        .distinct()
        .order_by("indicateur__code")
    ):
        for alerte in regles.valeurs_aberrantes(series=series_barometre(indicateur=code)):
            if dans_codes(alerte.territoire, publies):
                resultat.append(
                    regles.Alerte(
                        alerte.territoire,
                        alerte.regle,
                        f"{code} publié : {alerte.message}",
                        f"d'après le baromètre publié ({code})",
                    )
                )
    return resultat


def _derniere_annee_complete() -> int | None:
    """La dernière année dont le 4e trimestre figure dans les agrégats."""
    return AgregatTrimestriel.objects.filter(trimestre=4).aggregate(a=Max("annee"))["a"]


LIBELLES_REGLES = {
    "mdph_en_difficulte": "MDPH en difficulté",
    "valeur_aberrante": "Valeur aberrante",
}


def tableau_alertes(alertes: list[regles.Alerte]) -> Tableau:
    noms = dict(Departement.objects.values_list("code", "nom"))
    return Tableau(
        slug="alertes",
        titre="Alertes déclenchées",
        colonnes=[
            Colonne("Département", decimales=0),
            Colonne("Code", decimales=0),
            Colonne("Règle", decimales=0),
            Colonne("Source", decimales=0),
            Colonne("Raison", decimales=0),
        ],
        lignes=[
            [
                noms.get(a.territoire, a.territoire),
                a.territoire,
                LIBELLES_REGLES.get(a.regle, a.regle),
                a.source,
                a.message,
            ]
            for a in alertes
        ],
    )


def mesure_par_code(code: str) -> Mesure | None:
    return MESURES.get(code)
