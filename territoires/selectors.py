"""Retrouver une commune à partir de ce qu'une personne tape : nom, code postal, code INSEE."""

import re
from collections.abc import Iterable
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
    autres = tuple(c for c in suivantes if approchee or _rang(c) == rang)
    return ChoixCommune(retenue, autres[:AUTRES_MAX], approchee)


def _rang(commune: Commune) -> tuple[bool, bool]:
    return (commune.hors_territoire, commune.nom_complete)


def commune_saisie(saisie: str) -> Commune | None:
    """La commune la plus probable pour une saisie (voir `choix_commune`)."""
    return choix_commune(saisie).retenue


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
