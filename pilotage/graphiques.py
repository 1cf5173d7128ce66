"""Géométrie des graphiques SVG rendus côté serveur (sans JavaScript), depuis un `Tableau`.

Accessibilité : chaque graphique a un titre et une description, son tableau de données à
côté ; les séries se distinguent par le trait (plein ou tireté), la forme des marqueurs (rond,
carré) et une étiquette en bout de ligne, jamais par la seule couleur ; les barres et les
tuiles portent leur valeur écrite.
"""

import itertools
import math
from dataclasses import dataclass, field

from pilotage.tableaux import Tableau, nombre_fr

LARGEUR = 640
# Classe, marqueur, couleur (contraste ≥ 3:1 sur blanc), tirets : trois indices par série.
STYLES = (
    ("serie-1", "rond", "#1f4e79", ""),
    ("serie-2", "carre", "#3a3a3a", "8 5"),
    ("serie-3", "triangle", "#8a4b08", "2 4"),
)
COULEUR_BARRE = "#1f4e79"
# Teintes des classes du cartogramme (0 : pas de donnée), et couleur du texte lisible dessus.
TEINTES = ("#f2f2f2", "#dce8f3", "#a9c6e0", "#5f93c1", "#2f6aa0", "#123a5e")
TEXTE_SUR_TEINTE = ("#1e1e1e", "#1e1e1e", "#1e1e1e", "#1e1e1e", "#ffffff", "#ffffff")


@dataclass
class Point:
    x: float
    y: float
    texte: str


@dataclass
class Trace:
    nom: str
    classe: str
    marqueur: str
    chemin: str
    points: list[Point]
    etiquette: Point | None
    couleur: str = "#000000"
    tirets: str = ""


@dataclass
class Graduation:
    position: float
    texte: str


@dataclass
class GraphiqueLignes:
    genre = "lignes"
    ident: str
    titre: str
    description: str
    hauteur: int
    traces: list[Trace]
    graduations: list[Graduation]
    abscisses: list[Graduation]
    gauche: int
    droite: int
    haut: int
    bas: int
    largeur: int = LARGEUR


def echelle(maximum: float, *, graduations: int = 5) -> list[float]:
    """Graduations « rondes » de 0 à au moins `maximum` (pas de 1, 2, 2,5 ou 5 × 10^k)."""
    if maximum <= 0:
        return [0.0, 1.0]
    brut = maximum / (graduations - 1)
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(p * puissance for p in (1, 2, 2.5, 5, 10) if p * puissance >= brut)
    n = math.ceil(maximum / pas - 1e-9)
    return [round(i * pas, 6) for i in range(n + 1)]


def _texte(valeur, unite: str, decimales: int) -> str:
    texte = nombre_fr(valeur, decimales)
    return f"{texte} {unite}".strip() if valeur is not None else "non disponible"


def graphique_lignes(
    tableau: Tableau, *, colonnes: list[int], description: str = "", hauteur: int = 300
) -> GraphiqueLignes:
    """Courbes des colonnes choisies en fonction des libellés de lignes (trimestres)."""
    gauche, droite, haut, bas = 56, LARGEUR - 90, 20, hauteur - 44
    categories = tableau.colonne(0)
    valeurs = [v for i in colonnes for v in tableau.colonne(i) if v is not None]
    reperes = echelle(max(valeurs, default=0))
    sommet = reperes[-1] or 1
    pas_x = (droite - gauche) / max(len(categories) - 1, 1)

    def y(v: float) -> float:
        return round(bas - (bas - haut) * v / sommet, 1)

    traces = []
    for indice, (classe, marqueur, couleur, tirets) in zip(colonnes, STYLES, strict=False):
        colonne = tableau.colonnes[indice]
        points, morceaux, leve = [], [], True
        for rang, (categorie, v) in enumerate(
            zip(categories, tableau.colonne(indice), strict=True)
        ):
            if v is None:
                leve = True
                continue
            point = Point(
                round(gauche + rang * pas_x, 1),
                y(v),
                f"{categorie} : {_texte(v, colonne.unite, colonne.decimales)}",
            )
            morceaux.append(f"{'M' if leve else 'L'}{point.x} {point.y}")
            points.append(point)
            leve = False
        etiquette = (
            Point(points[-1].x + 8, points[-1].y + 4, colonne.libelle)
            if points and len(colonne.libelle) <= 14
            else None
        )  # les libellés longs restent dans la légende
        traces.append(
            Trace(
                colonne.libelle,
                classe,
                marqueur,
                " ".join(morceaux),
                points,
                etiquette,
                couleur,
                tirets,
            )
        )
    _ecarter_etiquettes([t.etiquette for t in traces if t.etiquette])
    frequence = max(1, math.ceil(len(categories) / 8))
    return GraphiqueLignes(
        ident=f"graphique-{tableau.slug}",
        titre=tableau.titre,
        description=description or f"{tableau.titre}. Les valeurs sont dans le tableau ci-contre.",
        hauteur=hauteur,
        traces=traces,
        graduations=[Graduation(y(r), nombre_fr(r, 1 if r % 1 else 0)) for r in reperes],
        abscisses=[
            Graduation(round(gauche + rang * pas_x, 1), str(c))
            for rang, c in enumerate(categories)
            if (len(categories) - 1 - rang) % frequence == 0  # le dernier trimestre est écrit
        ],
        gauche=gauche,
        droite=droite,
        haut=haut,
        bas=bas,
    )


def _ecarter_etiquettes(etiquettes: list[Point], ecart: float = 14) -> None:
    """Deux étiquettes de fin de ligne ne se chevauchent pas."""
    etiquettes.sort(key=lambda p: p.y)
    for precedente, suivante in itertools.pairwise(etiquettes):
        if suivante.y - precedente.y < ecart:
            suivante.y = round(precedente.y + ecart, 1)


@dataclass
class Barre:
    libelle: str
    y: float
    largeur: float
    texte: str
    x_texte: float

    @property
    def y_texte(self) -> float:
        return self.y + 16


@dataclass
class GraphiqueBarres:
    genre = "barres"
    ident: str
    titre: str
    description: str
    hauteur: int
    barres: list[Barre]
    gauche: int
    epaisseur: int
    largeur: int = LARGEUR

    @property
    def x_libelle(self) -> int:
        return self.gauche - 8

    graduations: list[Graduation] = field(default_factory=list)
    couleur: str = COULEUR_BARRE


def graphique_barres(
    tableau: Tableau, *, colonne: int = 1, description: str = ""
) -> GraphiqueBarres:
    """Barres horizontales (histogrammes, répartitions) : libellé à gauche, valeur écrite."""
    gauche, droite, epaisseur, pas = 170, LARGEUR - 70, 22, 34
    definition = tableau.colonnes[colonne]
    valeurs = tableau.colonne(colonne)
    sommet = max((v for v in valeurs if v is not None), default=0) or 1
    barres = []
    for rang, (libelle, v) in enumerate(zip(tableau.colonne(0), valeurs, strict=True)):
        largeur = round((droite - gauche) * (v or 0) / sommet, 1)
        barres.append(
            Barre(
                str(libelle),
                10 + rang * pas,
                largeur,
                _texte(v, definition.unite, definition.decimales),
                gauche + largeur + 6,
            )
        )
    return GraphiqueBarres(
        ident=f"graphique-{tableau.slug}",
        titre=tableau.titre,
        description=description or f"{tableau.titre}. Les valeurs sont dans le tableau ci-contre.",
        hauteur=20 + len(barres) * pas,
        barres=barres,
        gauche=gauche,
        epaisseur=epaisseur,
    )


# Grille de tuiles des départements (cartogramme) : colonne, ligne ; une tuile par MDPH,
# placée à peu près selon la géographie ; les outre-mer sur la dernière ligne.
GRILLE: dict[str, tuple[int, int]] = {
    "62": (7, 0), "59": (8, 0),
    "76": (6, 1), "80": (7, 1), "02": (8, 1), "08": (9, 1),
    "50": (3, 2), "14": (4, 2), "27": (5, 2), "60": (6, 2), "95": (7, 2), "93": (8, 2),
    "51": (9, 2), "55": (10, 2), "57": (11, 2), "67": (12, 2),
    "29": (0, 3), "22": (1, 3), "35": (2, 3), "53": (3, 3), "61": (4, 3), "28": (5, 3),
    "78": (6, 3), "92": (7, 3), "75": (8, 3), "94": (9, 3), "52": (10, 3), "54": (11, 3),
    "88": (12, 3), "68": (13, 3),
    "56": (1, 4), "44": (2, 4), "49": (3, 4), "72": (4, 4), "41": (5, 4), "91": (6, 4),
    "45": (7, 4), "77": (8, 4), "10": (9, 4), "21": (10, 4), "70": (11, 4), "90": (12, 4),
    "85": (2, 5), "79": (3, 5), "86": (4, 5), "37": (5, 5), "18": (6, 5), "89": (7, 5),
    "58": (8, 5), "71": (9, 5), "39": (10, 5), "25": (11, 5),
    "17": (2, 6), "16": (3, 6), "87": (4, 6), "36": (5, 6), "03": (6, 6), "63": (7, 6),
    "42": (8, 6), "69": (9, 6), "01": (10, 6), "74": (11, 6),
    "33": (2, 7), "24": (3, 7), "19": (4, 7), "23": (5, 7), "15": (6, 7), "43": (7, 7),
    "07": (8, 7), "38": (9, 7), "73": (10, 7), "05": (11, 7),
    "40": (2, 8), "47": (3, 8), "46": (4, 8), "12": (5, 8), "48": (6, 8), "30": (7, 8),
    "26": (8, 8), "84": (9, 8), "04": (10, 8), "06": (11, 8),
    "64": (2, 9), "32": (3, 9), "82": (4, 9), "81": (5, 9), "34": (6, 9), "13": (8, 9),
    "83": (9, 9), "2B": (12, 9),
    "65": (3, 10), "31": (4, 10), "09": (5, 10), "11": (6, 10), "66": (7, 10), "2A": (12, 10),
    "971": (0, 11), "972": (1, 11), "973": (2, 11), "974": (3, 11), "976": (4, 11),
}  # fmt: skip
CLASSES = 5


@dataclass
class Tuile:
    code: str
    nom: str
    x: int
    y: int
    classe: int | None
    texte: str
    selection: bool

    @property
    def teinte(self) -> str:
        return TEINTES[self.classe or 0]

    @property
    def couleur_texte(self) -> str:
        return TEXTE_SUR_TEINTE[self.classe or 0]


@dataclass
class Cartogramme:
    genre = "cartogramme"
    ident: str
    titre: str
    description: str
    tuiles: list[Tuile]
    legende: list[tuple[int, str, str]]
    largeur: int
    hauteur: int
    cote: int


def classes_quantiles(valeurs: list[float], n: int = CLASSES) -> list[float]:
    """Bornes supérieures des n classes d'effectifs égaux (quantiles), de la plus basse."""
    ordonnees = sorted(valeurs)
    if not ordonnees:
        return []
    return [
        ordonnees[min(len(ordonnees) - 1, math.ceil(len(ordonnees) * k / n) - 1)]
        for k in range(1, n + 1)
    ]


def cartogramme(
    *,
    valeurs: dict[str, float | None],
    noms: dict[str, str],
    titre: str,
    unite: str,
    decimales: int = 1,
    selection: str = "",
) -> Cartogramme:
    """Cartogramme en tuiles : la classe (1 = valeurs les plus basses) règle la teinte ; le
    code et la valeur sont écrits dans chaque tuile, la tuile choisie a un cadre épais."""
    cote = 44
    bornes = classes_quantiles([v for v in valeurs.values() if v is not None])
    tuiles = []
    for code, (colonne, ligne) in GRILLE.items():
        v = valeurs.get(code)
        classe = (
            next((k + 1 for k, b in enumerate(bornes) if v <= b), None) if v is not None else None
        )
        tuiles.append(
            Tuile(
                code,
                noms.get(code, code),
                colonne * (cote + 2),
                ligne * (cote + 2) + (8 if ligne == 11 else 0),
                classe,
                nombre_fr(v, decimales) if v is not None else "–",
                code == selection,
            )
        )
    precedente = min((v for v in valeurs.values() if v is not None), default=None)
    legende = []
    for k, borne in enumerate(bornes, start=1):
        legende.append(
            (
                k,
                f"{nombre_fr(precedente, decimales)} à {nombre_fr(borne, decimales)} {unite}",
                TEINTES[k],
            )
        )
        precedente = borne
    return Cartogramme(
        ident="cartogramme",
        titre=titre,
        description=(
            f"{titre} : une tuile par département, placée selon sa position approximative, "
            "avec son code et sa valeur écrits ; classement complet dans le tableau ci-contre."
        ),
        tuiles=tuiles,
        legende=legende,
        largeur=14 * (cote + 2),
        hauteur=12 * (cote + 2) + 8,
        cote=cote,
    )
