"""Exports ouverts du répertoire : CSV pour le tableur, GeoJSON pour la carte.

Une ligne (ou un point) par couple service × lieu. Les deux formats sont produits morceau par
morceau : on peut les diffuser (StreamingHttpResponse) sans tout charger en mémoire.
"""

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.tableurs import cellule_csv, ecrivain_csv
from repertoire.horaires import vers_osm
from repertoire.identifiants import Identifiants, identifiants_service
from repertoire.models import Contact, Lieu, Service

TAILLE_LOT = 500
BOM = "\ufeff"
COLONNES = (
    "service_id",
    "service",
    "nature",
    "structure_id",
    "structure",
    "lieu",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "besoins",
    "publics",
    "horaires_osm",
    "telephone",
    "courriel",
    "site_web",
    "date_verification",
    # Pour rapprocher chaque ligne des registres nationaux (ADR 0014) ; ajoutées en fin de ligne.
    "finess_et",
    "finess_ej",
    "siret",
    "sources",
    "lien_source",
)


def services_a_exporter(queryset: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services publiés, avec tout ce que les exports lisent, préchargé."""
    lieux = Lieu.objects.select_related("commune")
    services = queryset if queryset is not None else Service.objects.all()
    return (
        services.filter(statut=Service.Statut.PUBLIE)
        .select_related("structure")
        .prefetch_related(
            "besoins",
            "publics",
            "zones",
            "plages",
            "exceptions",
            "contacts",
            "provenances",
            Prefetch("lieux", queryset=lieux),
            Prefetch("structure__lieux", queryset=lieux),
            "structure__provenances",
        )
        .order_by("pk")
    )


def lieu_principal(lieux: Iterable[Lieu]) -> Lieu | None:
    return next(iter(lieux), None)


def contact_public(service: Service) -> Contact | None:
    return next(
        (c for c in service.contacts.all() if c.visibilite == Contact.Visibilite.PUBLIC), None
    )


def identifiants(service: Service) -> Identifiants:
    """Sur un service chargé par `services_a_exporter` : sans requête."""
    return identifiants_service(
        service, lieux=service.lieux.all(), provenances=service.provenances.all()
    )


def _proprietes(service: Service, lieu: Lieu | None) -> dict[str, Any]:
    contact = contact_public(service)
    ids = identifiants(service)
    commune = lieu.commune if lieu else None
    date = service.date_verification or timezone.localdate(service.modifie_le)
    return {
        "service_id": service.pk,
        "service": service.nom,
        "nature": service.get_nature_display(),
        "structure_id": service.structure_id,
        "structure": service.structure.nom,
        "lieu": lieu.nom if lieu else "",
        "adresse": lieu.adresse if lieu else "",
        "complement_adresse": lieu.complement_adresse if lieu else "",
        "code_postal": lieu.code_postal if lieu else "",
        "commune": commune.nom if commune else "",
        "code_insee": commune.code_insee if commune else "",
        "latitude": lieu.latitude if lieu else None,
        "longitude": lieu.longitude if lieu else None,
        "besoins": [b.libelle for b in service.besoins.all()],
        "publics": [p.libelle for p in service.publics.all()],
        "horaires_osm": vers_osm(service),
        "telephone": (contact.telephone if contact else "") or service.structure.telephone,
        "courriel": (contact.courriel if contact else "") or service.structure.courriel,
        "site_web": service.site_web or service.structure.site_web,
        "date_verification": date.isoformat(),
        # Le lieu porte l'ET de cette ligne ; à défaut, celui du service.
        "finess_et": (lieu.finess_et if lieu else "") or ids.finess_et,
        "finess_ej": ids.finess_ej,
        "siret": ids.siret,
        "sources": ids.sources_en_texte(),
        "lien_source": ids.lien_source,
    }


def lignes(queryset: QuerySet[Service] | None = None) -> Iterator[dict[str, Any]]:
    """Un dictionnaire par service × lieu ; un service sans lieu (à domicile) donne une ligne."""
    for service in services_a_exporter(queryset).iterator(chunk_size=TAILLE_LOT):
        for lieu in list(service.lieux.all()) or [None]:
            yield _proprietes(service, lieu)


def _cellule(valeur: Any) -> str:
    """Les listes (besoins, publics) en « a | b » ; le reste par la règle commune des tableurs."""
    if isinstance(valeur, list):
        valeur = " | ".join(valeur)
    return cellule_csv(valeur)


def csv_services(queryset: QuerySet[Service] | None = None) -> Iterator[str]:
    """CSV `;`, UTF-8 avec BOM (pour qu'Excel lise les accents), morceau par morceau."""
    tampon = io.StringIO()
    ecrivain = ecrivain_csv(tampon)
    ecrivain.writerow(COLONNES)
    yield BOM + tampon.getvalue()
    for ligne in lignes(queryset):
        tampon.seek(0)
        tampon.truncate()
        ecrivain.writerow(_cellule(ligne[colonne]) for colonne in COLONNES)
        yield tampon.getvalue()


def _point(ligne: dict[str, Any], lieu_commune: tuple[float, float] | None) -> dict | None:
    if ligne["latitude"] is not None and ligne["longitude"] is not None:
        coordonnees, precision = (ligne["longitude"], ligne["latitude"]), "adresse"
    elif lieu_commune:
        coordonnees, precision = lieu_commune, "commune"
    else:
        return None
    proprietes = {k: v for k, v in ligne.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(coordonnees)},
        "properties": proprietes | {"precision": precision},
    }


def geojson_services(queryset: QuerySet[Service] | None = None) -> Iterator[str]:
    """FeatureCollection de points service × lieu ; sans coordonnées, le point de la commune
    (propriété `precision` = « commune ») ; sans commune non plus, pas de point."""
    yield '{"type": "FeatureCollection", "features": ['
    separateur = ""
    for service in services_a_exporter(queryset).iterator(chunk_size=TAILLE_LOT):
        for lieu in service.lieux.all():
            commune = lieu.commune
            repli = (commune.longitude, commune.latitude) if commune else None
            point = _point(_proprietes(service, lieu), repli)
            if point:
                yield separateur + json.dumps(point, ensure_ascii=False)
                separateur = ",\n"
    yield "]}\n"
