"""Retrouver une commune à partir de ce qu'une personne tape : nom, code postal, code INSEE."""

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from rapidfuzz import fuzz, process

from core.memoire import memoire
from core.texte import normaliser
from territoires.deploiement import codes_departements_du_deploiement, communes_du_deploiement
from territoires.models import EPCI, CodePostal, Commune, Departement, Region

# Le plus long nom de commune compte 45 caractères ; au-delà, la saisie n'en est pas une.
LONGUEUR_MAX_SAISIE = 120

CODE_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
CODE = re.compile(r"\b(\d{5}|2[AB]\d{3})\b", re.IGNORECASE)
# « Nevers (58) », la forme qu'affiche str(commune).
DEPARTEMENT = re.compile(r"\((\d{2,3}|2[AB])\)", re.IGNORECASE)


@dataclass(frozen=True)
class _Saisie:
    """Une saisie lue : les communes que restreignent son code et son département, son nom."""

    communes: QuerySet[Commune]
    nom: str
    code: bool


def _lire(saisie: str) -> _Saisie | None:
    propre = "".join(c for c in saisie[: LONGUEUR_MAX_SAISIE + 1] if c.isprintable()).strip()
    if not propre or len(propre) > LONGUEUR_MAX_SAISIE:
        return None
    communes = _avec_hors_territoire(Commune.objects.all())
    if departement := DEPARTEMENT.search(propre):
        communes = communes.filter(departement_id=departement.group(1).upper())
        propre = propre[: departement.start()] + propre[departement.end() :]
    if code := CODE.search(propre):
        communes = communes.filter(_par_code(code.group().upper()))
        propre = propre[: code.start()] + propre[code.end() :]
    return _Saisie(communes, normaliser(propre), code is not None)


def _par_sql(lue: _Saisie) -> QuerySet[Commune]:
    """Noms exacts, débuts de nom, puis (faute de mieux) chaque mot au début d'un mot."""
    communes, nom = lue.communes, lue.nom
    if not nom:
        return communes.annotate(nom_complete=Value(False)).order_by(*ORDRE)
    par_debut = communes.filter(nom_normalise__startswith=nom)
    premier, *suivants = nom.split()
    if suivants and not par_debut.exists():
        # « Cosne sur Loire » est Cosne-Cours-sur-Loire : chaque mot saisi commence un mot
        # du nom, le premier en tête. Cherché seulement faute de mieux : « saint » seul
        # ferait relire des milliers de noms.
        mots = Q(nom_normalise__startswith=premier)
        for mot in suivants:
            mots &= Q(nom_normalise__contains=f" {mot}")
        return communes.filter(mots).annotate(nom_complete=Value(True)).order_by(*ORDRE)
    return par_debut.annotate(
        nom_complete=Case(When(nom_normalise=nom, then=Value(False)), default=Value(True))
    ).order_by(*ORDRE)


def rechercher_communes(saisie: str) -> QuerySet[Commune]:
    """Communes correspondant à la saisie, les plus probables d'abord.

    Un nom (casse, accents et tirets ignorés, « st » = « saint ») donne d'abord les noms
    exacts puis ceux qui commencent par la saisie, les plus peuplées d'abord ; à défaut, ceux
    dont chaque mot saisi commence un mot (« Cosne sur Loire ») ; à défaut encore, les noms
    approchants (« Chateau Chinnon », voir `_approchantes`). Un code à cinq caractères est
    lu comme code postal ou code INSEE ; « Nevers 58000 » et « Nevers (58) » restreignent le
    nom à un code postal ou à un département.
    Les communes du territoire servi (`AUTONOMIE_TERRITOIRE`) passent avant celles
    d'ailleurs : « Saint-Pierre » tapé dans la Nièvre est Saint-Pierre-le-Moûtier, pas
    Saint-Pierre de La Réunion ; « Nevers » tapé dans l'Yonne, où aucun nom n'en commence
    ainsi, reste Nevers. Voir docs/adr/0015-communes-et-petits-ecrans.md.
    Une saisie vide ou fantaisiste donne un ensemble vide, jamais d'erreur.
    """
    lue = _lire(saisie)
    if lue is None or not (lue.nom or lue.code):
        return Commune.objects.none()
    communes = _par_sql(lue)
    if lue.nom and not communes.exists():
        return _approchantes(lue)
    return communes


ORDRE = ("hors_territoire", "nom_complete", "-population", "nom", "code_insee")

# Score (0 à 100, rapidfuzz) sous lequel un nom n'est plus « approchant » ; une saisie plus
# courte que LONGUEUR_MIN_APPROCHE ne cherche pas d'approchant : trop de noms lui ressemblent.
SCORE_MIN_APPROCHE = 80
LONGUEUR_MIN_APPROCHE = 4
APPROCHANTES_MAX = 20


@memoire(taille=1)
def _noms_normalises() -> tuple[list[str], list[str], list[str]]:
    """(noms normalisés, codes INSEE, départements) de toutes les communes, en mémoire du
    processus : le rapprochement flou les parcourt tous (≈ 37 000, quelques ms en C)."""
    lignes = Commune.objects.order_by("code_insee").values_list(
        "nom_normalise", "code_insee", "departement_id"
    )
    noms, codes, departements = [], [], []
    for nom, code, departement in lignes:
        noms.append(nom)
        codes.append(code)
        departements.append(departement)
    return noms, codes, departements


def _approchantes(lue: _Saisie) -> QuerySet[Commune]:
    """Les noms les plus proches d'une saisie mal orthographiée (« Chateau Chinnon »).

    Le score d'un nom est le meilleur de sa ressemblance entière et de celle de son début
    (la saisie est souvent un nom tronqué), plus un bonus pour le territoire servi ; seuls
    sont gardés les noms à quelques points du meilleur."""
    nom = lue.nom
    if len(nom) < LONGUEUR_MIN_APPROCHE:
        return Commune.objects.none()
    noms, codes, departements = _noms_normalises()
    scores: dict[int, float] = {}
    debuts = [n[: len(nom) + 1] for n in noms]
    for choix, penalite in ((noms, 0), (debuts, 2)):
        for _, score, indice in process.extract(
            nom, choix, scorer=fuzz.ratio, limit=APPROCHANTES_MAX, score_cutoff=SCORE_MIN_APPROCHE
        ):
            scores[indice] = max(scores.get(indice, 0), score - penalite)
    servis = codes_departements_du_deploiement()
    if servis is not None:
        scores = {i: s + (3 if departements[i] in servis else 0) for i, s in scores.items()}
    if not scores:
        return Commune.objects.none()
    meilleur = max(scores.values())
    retenus = sorted((i for i, s in scores.items() if s >= meilleur - 5), key=lambda i: -scores[i])
    rang = Case(*(When(pk=codes[i], then=Value(n)) for n, i in enumerate(retenus)))
    return (
        lue.communes.filter(pk__in=[codes[i] for i in retenus])
        .annotate(nom_complete=Value(True), approchee=Value(True), rang=rang)
        .order_by("rang", "-population", "code_insee")
    )


def _avec_hors_territoire(communes: QuerySet[Commune]) -> QuerySet[Commune]:
    """`hors_territoire` : la commune n'est pas dans le territoire servi (toujours faux pour
    un déploiement national)."""
    servies = communes_du_deploiement()
    if servies is None:
        return communes.annotate(hors_territoire=Value(False))
    return communes.annotate(
        hors_territoire=Case(When(servies, then=Value(False)), default=Value(True))
    )


def _par_code(code: str) -> Q:
    """Le code INSEE, ou les communes du code postal, lues d'abord : « code INSEE OU
    sous-requête » fait parcourir toute la table à PostgreSQL (6 ms au lieu de 0,1)."""
    postales = CodePostal.objects.filter(code=code).values_list("commune_id", flat=True)
    return Q(pk__in=[code, *postales])


def trouver_communes(saisie: str, *, limite: int = 20) -> list[Commune]:
    """Les `limite` communes les plus probables pour une saisie libre (voir rechercher_communes).

    Une saisie bien orthographiée coûte une requête ; le rapprochement flou n'est tenté que
    si elle ne donne rien."""
    lue = _lire(saisie)
    if lue is None or not (lue.nom or lue.code) or limite <= 0:
        return []
    communes = list(_par_sql(lue).select_related("departement")[:limite])
    if not communes and lue.nom:
        communes = list(_approchantes(lue).select_related("departement")[:limite])
    return communes


@dataclass(frozen=True)
class ChoixCommune:
    """La commune retenue pour une saisie, et celles qui y répondaient aussi bien.

    `approchee` : la saisie ne nommait aucune commune, la retenue en est la plus proche."""

    retenue: Commune | None
    autres: tuple[Commune, ...] = ()
    approchee: bool = False


AUTRES_MAX = 5


@memoire(taille=4096)
def choix_commune(saisie: str) -> ChoixCommune:
    """La commune la plus probable, et les autres quand la saisie est ambiguë : mêmes noms
    exacts (« Saint-Denis »), mêmes débuts de nom (« Château-Chinon »), même code postal, ou
    noms approchants. Gardé en mémoire : chaque recherche redemande le sien, et les mêmes
    reviennent sans cesse (« Nevers », « 58000 »)."""
    candidates = trouver_communes(saisie, limite=AUTRES_MAX + 1)
    if not candidates:
        return ChoixCommune(None)
    retenue, *suivantes = candidates
    approchee = getattr(retenue, "approchee", False)
    rang = _rang(retenue)
    # Un début de nom du territoire (« Saint-Malo » → Saint-Malo-en-Donziois, dans la Nièvre)
    # est retenu, mais le nom exact d'ailleurs (Saint-Malo, 35) est proposé à côté.
    autres = tuple(
        c
        for c in suivantes
        if approchee or _rang(c) == rang or (retenue.nom_complete and not c.nom_complete)
    )
    return ChoixCommune(retenue, autres[:AUTRES_MAX], approchee)


def _rang(commune: Commune) -> tuple[bool, bool]:
    return (commune.hors_territoire, commune.nom_complete)


def commune_saisie(saisie: str) -> Commune | None:
    """La commune la plus probable pour une saisie (voir `choix_commune`)."""
    return choix_commune(saisie).retenue


# Une commune lue dans la phrase (« ehpad nevers », « aide à domicile à Saint-Malo ») : son nom
# la termine, ou suit l'un de ces mots. Ailleurs dans la phrase, un nom de commune est trop
# souvent un mot ordinaire (« Mère », « Fille », « Ligne » sont des communes).
MOTS_AVANT_UN_LIEU = frozenset({"a", "au", "sur", "vers", "dans", "pres", "autour", "proche"})
_JETON = re.compile(r"[^\s\-'’_./,;()]+")
NOM_MOTS_MAX = 8  # « Saint-Pierre-de-Chartreuse… » : le plus long nom compte 8 mots


@dataclass(frozen=True)
class LieuDuTexte:
    """La commune nommée dans une phrase, et la phrase sans elle (ni le mot qui l'annonçait)."""

    commune: Commune
    reste: str


def commune_dans_texte(texte: str, mots_ordinaires: Container[str]) -> LieuDuTexte | None:
    """La commune que nomme une phrase libre, par son nom ou son code postal, à la fin
    (« ssiad rennes ») ou après « à », « sur », « près de »… (« aide à Nevers le soir »).

    Comme pour le champ commune (`rechercher_communes`), le territoire servi passe d'abord :
    un nom exact du territoire, puis un début de nom du territoire de deux mots au moins
    (« chateau chinon » est Château-Chinon (Ville)), puis un nom exact d'ailleurs ; à rang
    égal, le plus long nom, puis le plus proche de la fin. Un nom d'un seul mot qui est
    aussi un mot de la recherche (`mots_ordinaires` : besoins, publics, parenté) n'est pas
    lu comme un lieu : « ma mère » n'est pas Mère (Yvelines). Deux ou trois requêtes
    indexées, quelle que soit la phrase."""
    jetons = [(m.start(), m.end(), normaliser(m.group())) for m in _JETON.finditer(texte[:200])]
    passages = _passages([j[2] for j in jetons], mots_ordinaires)
    if not passages:
        return None
    trouve = _meilleure(passages)
    if trouve is None:
        return None
    commune, (debut, fin, annonce) = trouve
    coupe = jetons[debut - 1][0] if annonce else jetons[debut][0]
    reste = f"{texte[:coupe]} {texte[jetons[fin - 1][1] :]}"
    # Sans le nom, reste sa ponctuation orpheline : « (Ville) » laisse « ) ».
    return LieuDuTexte(commune, " ".join(m for m in reste.split() if any(map(str.isalnum, m))))


_Passage = tuple[int, int, bool]  # début, fin (exclue), annoncé par « à », « sur »…


def _passages(mots: list[str], mots_ordinaires: Container[str]) -> dict[str, _Passage]:
    """Les suites de mots qui peuvent nommer une commune → leur place, la plus longue et la
    plus proche de la fin d'abord (un même nom garde sa première place)."""
    passages: dict[str, _Passage] = {}
    for longueur in range(min(NOM_MOTS_MAX, len(mots)), 0, -1):
        for debut in range(len(mots) - longueur, -1, -1):
            fin = debut + longueur
            annonce = debut > 0 and mots[debut - 1] in MOTS_AVANT_UN_LIEU
            nom = " ".join(mots[debut:fin])
            seul = longueur == 1 and not CODE_INSEE.fullmatch(nom.upper())
            if (fin < len(mots) and not annonce) or (
                seul and (len(nom) < 3 or nom in mots_ordinaires or nom.isdigit())
            ):
                continue
            passages.setdefault(nom, (debut, fin, annonce))
    return passages


def _meilleure(passages: dict[str, _Passage]) -> tuple[Commune, _Passage] | None:
    """La commune du meilleur passage : rang (territoire, nom exact), longueur, place."""
    codes = {nom: p for nom, p in passages.items() if CODE_INSEE.fullmatch(nom.upper())}
    noms = {nom: p for nom, p in passages.items() if nom not in codes}
    trouvees = [
        (c, noms[c.nom_normalise], 0 if not c.hors_territoire else 2)
        for c in _avec_hors_territoire(Commune.objects.filter(nom_normalise__in=list(noms)))
    ]
    for code, passage in codes.items():
        if commune := _par_code_seul(code):
            trouvees.append((commune, passage, 0 if not commune.hors_territoire else 2))
    multiples = [nom for nom in noms if " " in nom]
    if multiples and not any(rang == 0 for _, _, rang in trouvees):
        trouvees += [(c, noms[nom], 1) for c, nom in _debuts_du_territoire(multiples)]

    def cle(trouvee: tuple[Commune, _Passage, int]):
        commune, (debut, fin, _), rang = trouvee
        return (rang, debut - fin, -debut, -(commune.population or 0), commune.pk)

    if not trouvees:
        return None
    commune, passage, _ = min(trouvees, key=cle)
    return commune, passage


def _debuts_du_territoire(noms: list[str]) -> list[tuple[Commune, str]]:
    """Les communes du territoire dont le nom commence par l'un de ces noms d'au moins deux
    mots (« chateau chinon » → « chateau chinon ville »), avec le nom qu'elles prolongent."""
    debuts = Q()
    for nom in noms:
        debuts |= Q(nom_normalise__startswith=f"{nom} ")
    communes = Commune.objects.filter(debuts)
    if (servies := communes_du_deploiement()) is not None:
        communes = communes.filter(servies)
    return [
        (c, next(n for n in noms if c.nom_normalise.startswith(f"{n} ")))
        for c in communes.annotate(hors_territoire=Value(False))
    ]


def _par_code_seul(code: str) -> Commune | None:
    """Un code postal ou INSEE tapé dans la phrase : la commune la plus probable du code."""
    communes = _avec_hors_territoire(Commune.objects.filter(_par_code(code.upper())))
    return communes.order_by("hors_territoire", "-population", "code_insee").first()


def libelle_commune(commune: Commune, code_postal: str | None = None) -> str:
    """« Château-Chinon (Ville) 58120 – Nièvre » : le nom, le code postal qui départage les
    homonymes, le département. Sans code postal donné, le premier de la commune
    (préchargé par `avec_relations`)."""
    if code_postal is None:
        code_postal = next((c.code for c in commune.codes_postaux.all()), "")
    return " – ".join(filter(None, [valeur_commune(commune, code_postal), commune.departement.nom]))


def libelles_communes(communes: Iterable[Commune]) -> dict[str, tuple[str, str]]:
    """(libellé, valeur à taper) de chaque commune, département déjà chargé ; leurs premiers
    codes postaux lus en une requête."""
    communes = list(communes)
    premiers: dict[str, str] = {}
    codes = CodePostal.objects.filter(commune__in=communes).order_by("-code")
    for commune_id, code in codes.values_list("commune_id", "code"):
        premiers[commune_id] = code  # le dernier lu est le plus petit
    return {
        c.pk: (
            libelle_commune(c, premiers.get(c.pk, "")),
            valeur_commune(c, premiers.get(c.pk, "")),
        )
        for c in communes
    }


def valeur_commune(commune: Commune, code_postal: str) -> str:
    """« Nevers 58000 » : ce qu'une personne tape pour désigner cette seule commune."""
    return " ".join(filter(None, [commune.nom, code_postal]))


def avec_relations(communes: QuerySet[Commune]) -> QuerySet[Commune]:
    """Département, EPCI et codes postaux (triés) chargés en deux requêtes par page."""
    codes = Prefetch("codes_postaux", queryset=CodePostal.objects.order_by("code"))
    return communes.select_related("departement", "epci").prefetch_related(codes)


def commune_par_code(code_insee: str) -> Commune | None:
    code = code_insee.strip().upper()
    if not CODE_INSEE.fullmatch(code):
        return None
    return avec_relations(Commune.objects.filter(pk=code)).first()


def noms_territoires(territoires: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Noms lisibles de territoires (type, code) : « Nièvre (58) » plutôt que « 58 ».

    Une requête par type de territoire, quel que soit leur nombre ; un code inconnu garde
    son code pour nom.
    """
    modeles = {"commune": Commune, "epci": EPCI, "departement": Departement, "region": Region}
    codes: dict[str, set[str]] = {}
    for type_, code in territoires:
        codes.setdefault(type_, set()).add(code)
    noms = {("france", code): "toute la France" for code in codes.get("france", ())}
    for type_, modele in modeles.items():
        if type_ not in codes:
            continue
        for objet in modele.objects.filter(pk__in=codes[type_]):
            noms[(type_, objet.pk)] = str(objet) if type_ == "departement" else objet.nom
    return {(t, c): noms.get((t, c), c) for t, cs in codes.items() for c in cs}
