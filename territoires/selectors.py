"""Retrouver une commune à partir de ce qu'une personne tape : nom, code postal, code INSEE."""

import re
from collections.abc import Iterable

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When

from core.memoire import memoire
from core.texte import normaliser
from territoires.deploiement import communes_du_deploiement
from territoires.models import EPCI, CodePostal, Commune, Departement, Region

# Le plus long nom de commune compte 45 caractères ; au-delà, la saisie n'en est pas une.
LONGUEUR_MAX_SAISIE = 120

CODE_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
CODE = re.compile(r"\b(\d{5}|2[AB]\d{3})\b", re.IGNORECASE)
# « Nevers (58) », la forme qu'affiche str(commune).
DEPARTEMENT = re.compile(r"\((\d{2,3}|2[AB])\)", re.IGNORECASE)


def rechercher_communes(saisie: str) -> QuerySet[Commune]:
    """Communes correspondant à la saisie, les plus probables d'abord.

    Un nom (casse, accents et tirets ignorés, « st » = « saint ») donne d'abord les noms
    exacts puis ceux qui commencent par la saisie, les plus peuplées d'abord ; à défaut, ceux
    dont chaque mot saisi commence un mot (« Cosne sur Loire »). Un code à cinq caractères est
    lu comme code postal ou code INSEE ; « Nevers 58000 » et « Nevers (58) » restreignent le
    nom à un code postal ou à un département.
    À rang égal, les communes du territoire servi (`AUTONOMIE_TERRITOIRE`) passent avant
    leurs homonymes d'ailleurs ; un nom exact d'ailleurs passe tout de même avant un début
    de nom d'ici (« Nevers » tapé dans l'Yonne, c'est Nevers).
    Une saisie vide ou fantaisiste donne un ensemble vide, jamais d'erreur.
    """
    propre = "".join(c for c in saisie[: LONGUEUR_MAX_SAISIE + 1] if c.isprintable()).strip()
    if not propre or len(propre) > LONGUEUR_MAX_SAISIE:
        return Commune.objects.none()
    communes = _avec_hors_territoire(Commune.objects.all())
    if departement := DEPARTEMENT.search(propre):
        communes = communes.filter(departement_id=departement.group(1).upper())
        propre = propre[: departement.start()] + propre[departement.end() :]
    if code := CODE.search(propre):
        communes = communes.filter(_par_code(code.group().upper()))
        propre = propre[: code.start()] + propre[code.end() :]
    nom = normaliser(propre)
    if nom:
        par_debut = communes.filter(nom_normalise__startswith=nom)
        premier, *suivants = nom.split()
        if suivants and not par_debut.exists():
            # « Cosne sur Loire » est Cosne-Cours-sur-Loire : chaque mot saisi commence un mot
            # du nom, le premier en tête. Cherché seulement faute de mieux : « saint » seul
            # ferait relire des milliers de noms.
            mots = Q(nom_normalise__startswith=premier)
            for mot in suivants:
                mots &= Q(nom_normalise__contains=f" {mot}")
            return communes.filter(mots).order_by(*ORDRE)
        return par_debut.annotate(
            nom_complete=Case(When(nom_normalise=nom, then=Value(False)), default=Value(True))
        ).order_by("nom_complete", *ORDRE)
    if not code:
        return Commune.objects.none()
    return communes.order_by(*ORDRE)


ORDRE = ("hors_territoire", "-population", "nom", "code_insee")


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
    """Les `limite` communes les plus probables pour une saisie libre (voir rechercher_communes)."""
    return list(rechercher_communes(saisie).select_related("departement")[: max(limite, 0)])


@memoire(taille=4096)
def commune_saisie(saisie: str) -> Commune | None:
    """La commune la plus probable, gardée en mémoire : chaque recherche redemande la sienne,
    et les mêmes reviennent sans cesse (« Nevers », « 58000 »)."""
    return next(iter(trouver_communes(saisie, limite=1)), None)


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
