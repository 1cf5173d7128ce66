"""Les résultats de la recherche de l'API, lus en valeurs et rendus en dictionnaires JSON.

Le contrat reste celui des schémas (`PageRecherche`, `ServiceResume`, `LieuSchema` de
repertoire/schemas.py), qui documentent l'API ; seule la façon de le remplir change. Charger
20 fiches en modèles (structure, lieux, communes, provenances) puis les faire valider et
sérialiser par pydantic coûtait plus de CPU que le moteur lui-même (issue 13 : moteur 22 %,
ORM 38 %, JSON 37 %). Ici : une requête par relation, des tuples plutôt que des modèles,
des dictionnaires dans l'ordre des champs du schéma. Un test compare ce JSON à celui du
schéma validé (repertoire/tests/test_api_recherche_json.py) ; voir aussi
docs/adr/0020-recherche-api-sans-modeles.md.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, router

from core.memoire import Memoire
from repertoire import thesaurus_en_memoire
from repertoire.identifiants import IdentifiantSource, identifiants_de_service
from repertoire.models import Lieu, Provenance, Service, Structure, lien_de_provenance
from repertoire.recherche.types import PageResultats, Resultat
from territoires.deploiement import dans_le_deploiement
from territoires.models import Commune

Json = dict[str, Any]

NATURES = dict(Service.Nature.choices)
TYPOLOGIES = dict(Structure.Typologie.choices)
MODES_ACCUEIL = (
    ("sur-place", "accueil sur place"),
    ("a-domicile", "intervention à domicile"),
    ("a-distance", "à distance (téléphone, visio)"),
)


@dataclass(slots=True)
class FicheResumee:
    """Ce que `moteur.raisons` lit d'un service (`besoins_charges`, `accueil_a_domicile`),
    et son résumé et ses lieux déjà en JSON."""

    pk: int
    accueil_a_domicile: bool
    resume: Json
    lieux: list[Json] = field(default_factory=list)
    finess_des_lieux: list[str] = field(default_factory=list)
    sources: list[IdentifiantSource] = field(default_factory=list)
    besoins_charges: list = field(default_factory=list)
    publics_charges: list = field(default_factory=list)


def charger_fiches(ids: set[int]) -> dict[int, FicheResumee]:
    """Les services de la page en quatre requêtes, quel qu'en soit le nombre : services et
    structures, liens au thésaurus, lieux et communes, provenances."""
    if not ids:
        return {}
    fiches = {ligne[0]: _fiche(ligne) for ligne in _lignes_services(ids)}
    thesaurus_en_memoire.attacher(list(fiches.values()), using=router.db_for_read(Service))
    _attacher_lieux(fiches)
    _attacher_sources(fiches)
    for fiche in fiches.values():
        _completer(fiche)
    return fiches


def _lignes_services(ids: set[int]) -> list[tuple]:
    return _lire(
        f"SELECT s.id, s.nom, s.nature, s.date_verification, s.accueil_sur_place, "
        f"s.accueil_a_domicile, s.accueil_a_distance, s.structure_id, st.nom, st.typologie, "
        f"st.finess_ej, st.siret FROM {_table(Service)} s "
        f"JOIN {_table(Structure)} st ON st.id = s.structure_id WHERE s.id IN ({{ids}})",
        ids,
    )


def _lire(sql: str, ids: Any, *debut: Any) -> list[tuple]:
    """SQL écrit ici plutôt que par l'ORM : compiler une requête de l'ORM coûte ≈ 1 ms de
    CPU, autant que la lire ; quatre par recherche, c'était le quart de l'API."""
    ids = list(ids)
    connexion = connections[router.db_for_read(Service)]
    with connexion.cursor() as curseur:
        curseur.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [*debut, *ids])
        return curseur.fetchall()


def _table(modele: Any) -> str:
    return connection.ops.quote_name(modele._meta.db_table)


def _fiche(ligne: tuple) -> FicheResumee:
    (pk, nom, nature, verifie, sur_place, a_domicile, a_distance, *structure) = ligne
    structure_id, structure_nom, typologie, finess_ej, siret = structure
    modes = (sur_place, a_domicile, a_distance)
    resume = {
        "id": pk,
        "nom": nom,
        "nature": {"code": nature, "libelle": NATURES.get(nature, nature)},
        "structure": {
            "id": structure_id,
            "nom": structure_nom,
            "typologie": {"code": typologie, "libelle": TYPOLOGIES.get(typologie, typologie)},
        },
        "besoins": [],
        "publics": [],
        "modes_accueil": [
            {"code": code, "libelle": libelle}
            for (code, libelle), oui in zip(MODES_ACCUEIL, modes, strict=True)
            if oui
        ],
        "communes": [],
        "date_verification": _date(verifie),
        "identifiants": {"finess_ej": finess_ej, "siret": siret},  # complétés plus loin
    }
    return FicheResumee(pk=pk, accueil_a_domicile=bool(a_domicile), resume=resume)


def _date(valeur: dt.date | str | None) -> str | None:
    return valeur.isoformat() if isinstance(valeur, dt.date) else valeur


def _attacher_lieux(fiches: dict[int, FicheResumee]) -> None:
    """Dans l'ordre des lieux du modèle (`Lieu.Meta.ordering`, par nom), puis par id."""
    lignes = _lire(
        "SELECT sl.service_id, l.id, l.nom, l.adresse, l.complement_adresse, l.code_postal, "
        "l.commune_id, c.nom, c.departement_id, l.latitude, l.longitude, l.accessibilite, "
        "l.accessibilite_url, l.entree_plain_pied, l.stationnement_adapte, "
        "l.sanitaires_adaptes, l.boucle_magnetique, l.finess_et "
        f"FROM {_table(Service.lieux.through)} sl JOIN {_table(Lieu)} l ON l.id = sl.lieu_id "
        f"LEFT JOIN {_table(Commune)} c ON c.code_insee = l.commune_id "
        "WHERE sl.service_id IN ({ids}) ORDER BY l.nom, l.id",
        fiches,
    )
    for ligne in lignes:
        fiche = fiches[ligne[0]]
        fiche.lieux.append(_lieu(ligne[1:-1]))
        fiche.finess_des_lieux.append(ligne[-1])


def _lieu(ligne: tuple) -> Json:
    pk, nom, adresse, complement, code_postal, code_insee, commune, departement = ligne[:8]
    latitude, longitude, description, url, plain_pied, stationnement, sanitaires, boucle = ligne[8:]
    # SQLite rend les booléens en 0 et 1 : le JSON veut true et false (ou null).
    plain_pied, stationnement, sanitaires, boucle = (
        None if v is None else bool(v) for v in (plain_pied, stationnement, sanitaires, boucle)
    )
    point = None
    if latitude is not None and longitude is not None:
        point = {"latitude": float(latitude), "longitude": float(longitude)}
    return {
        "id": pk,
        "nom": nom,
        "adresse": adresse,
        "complement_adresse": complement,
        "code_postal": code_postal,
        "commune": (
            {"code_insee": code_insee, "nom": commune, "departement": departement}
            if code_insee is not None
            else None
        ),
        "point": point,
        "accessibilite": {
            "description": description,
            "fiche_acceslibre": url,
            "entree_plain_pied": plain_pied,
            "stationnement_adapte": stationnement,
            "sanitaires_adaptes": sanitaires,
            "boucle_magnetique": boucle,
        },
    }


def _attacher_sources(fiches: dict[int, FicheResumee]) -> None:
    type_service = ContentType.objects.get_for_model(Service).pk
    lignes = _lire(
        f"SELECT object_id, source, identifiant, lien FROM {_table(Provenance)} "
        "WHERE content_type_id = %s AND object_id IN ({ids}) ORDER BY id",
        fiches,
        type_service,
    )
    for pk, source, identifiant, lien in lignes:
        fiches[pk].sources.append(
            IdentifiantSource(source, identifiant, lien_de_provenance(source, identifiant, lien))
        )


def _completer(fiche: FicheResumee) -> None:
    resume = fiche.resume
    resume["besoins"] = [{"slug": b.slug, "libelle": b.libelle} for b in fiche.besoins_charges]
    resume["publics"] = [{"slug": p.slug, "libelle": p.libelle} for p in fiche.publics_charges]
    communes: dict[str, Json] = {}
    for lieu in fiche.lieux:
        if lieu["commune"] is not None:
            communes.setdefault(lieu["commune"]["code_insee"], lieu["commune"])
    resume["communes"] = list(communes.values())
    structure = resume.pop("identifiants")
    identifiants = identifiants_de_service(
        sources=fiche.sources,
        finess_des_lieux=fiche.finess_des_lieux,
        finess_ej=structure["finess_ej"],
        siret=structure["siret"],
    )
    resume["identifiants"] = {
        "finess_et": identifiants.finess_et,
        "finess_ej": identifiants.finess_ej,
        "siret": identifiants.siret,
        "sources": [
            {"source": s.source, "identifiant": s.identifiant, "lien": s.lien}
            for s in identifiants.sources
        ],
        "lien_source": identifiants.lien_source,
    }


# Deux à quatre requêtes par appel, pour une réponse qui ne change qu'avec le réglage.
_dans_le_deploiement = Memoire(
    lambda _territoire, commune: dans_le_deploiement(commune), taille=4096
)


def commune_json(commune: Commune | None) -> Json | None:
    if commune is None:
        return None
    return {
        "code_insee": commune.code_insee,
        "nom": commune.nom,
        "departement": commune.departement_id,
    }


def page_json(page: PageResultats) -> Json:
    """La page au contrat de `PageRecherche`, ses résultats et ses aides chargés par
    `charger_fiches`."""
    return {
        "total": page.total,
        "total_exact": page.total_exact,
        "page": page.page,
        "par_page": page.par_page,
        "commune": commune_json(page.commune),
        "message": page.message,
        "hors_territoire": page.commune is not None
        and not _dans_le_deploiement(settings.AUTONOMIE_TERRITOIRE, page.commune),
        "rayon_km": None if page.rayon_km is None else float(page.rayon_km),
        "plus_loin": [{"rayon_km": float(km), "total": n} for km, n in page.plus_loin],
        "besoins_voisins": [
            {"slug": v.slug, "libelle": v.libelle, "total": v.total} for v in page.besoins_voisins
        ],
        "resultats": [_resultat_json(r, r.service) for r in page.resultats],
        "aides": [_resultat_json(a, a.service) for a in page.aides],
    }


def _resultat_json(resultat: Resultat, fiche: FicheResumee) -> Json:
    return {
        "service": fiche.resume,
        "distance_km": None if resultat.distance_km is None else float(resultat.distance_km),
        "raisons": resultat.raisons,
        "lieux": fiche.lieux,
    }
