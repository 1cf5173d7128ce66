"""Pages publiques du répertoire : recherche, fiche d'un service, fiche d'une structure.

Une fiche montre en plus, à une personne connectée qui en a le droit sur son territoire
(`comptes.permissions`), les contacts réservés aux professionnels : ses pages portent alors
`Cache-Control: private` et `Vary: Cookie`, pour qu'aucun cache partagé ne les resserve.
"""

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify

from comptes.permissions import Action, peut
from core.acces import publique
from repertoire.forms_recherche import RechercheForm
from repertoire.horaires import en_toutes_lettres, est_ouvert
from repertoire.models import Besoin, Contact, Lieu, ModeAcces, Public, Service, Structure
from repertoire.permanences import en_mots, prochaines_dates
from repertoire.points_information import PointInformation, point_information_pour
from repertoire.recherche import PageResultats, rechercher
from repertoire.veille import compter_recherche
from territoires.deploiement import dans_le_deploiement, nom_du_territoire_servi
from territoires.selectors import noms_territoires

PAR_PAGE = 20


def slug_de(nom: str) -> str:
    return slugify(nom)[:80] or "fiche"


def url_service(service: Service) -> str:
    return reverse("repertoire:service", args=[service.pk, slug_de(service.nom)])


def url_structure(structure: Structure) -> str:
    return reverse("repertoire:structure", args=[structure.pk, slug_de(structure.nom)])


def formulaire_recherche(donnees: dict | None = None) -> RechercheForm:
    """Le formulaire, avec le thésaurus et les publics (deux requêtes)."""
    return RechercheForm(
        donnees,
        besoins=Besoin.objects.only("pk", "slug", "libelle", "parent_id"),
        publics=Public.objects.only("pk", "slug", "libelle", "parent_id"),
    )


def prive_si_connecte(vue: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """La page d'une personne connectée ne va dans aucun cache partagé (mandataire, CDN) :
    elle peut montrer des contacts réservés aux professionnels."""

    @wraps(vue)
    def enveloppe(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        reponse = vue(request, *args, **kwargs)
        patch_vary_headers(reponse, ["Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(reponse, private=True)
        return reponse

    return enveloppe


def contacts_professionnels(request: HttpRequest, fiche: Service | Structure) -> list[Contact]:
    """Les contacts réservés aux professionnels de la fiche (et, pour un service, de sa
    structure), si la personne a le droit de les voir sur le territoire de la fiche ;
    sinon aucun. Le public (non connecté) ne passe même pas la question à `peut`."""
    if not request.user.is_authenticated:
        return []
    if not peut(request.user, Action.VOIR_CONTACTS_PROFESSIONNELS, fiche):
        return []
    reserves = Contact.objects.filter(visibilite=Contact.Visibilite.PROFESSIONNELS)
    if isinstance(fiche, Service):
        reserves = reserves.filter(Q(service=fiche) | Q(structure_id=fiche.structure_id))
    else:
        reserves = reserves.filter(structure=fiche)
    return list(reserves.order_by("libelle", "pk"))


@publique("l'accueil du répertoire, ouvert à tous")
def accueil(request: HttpRequest) -> HttpResponse:
    """La page d'accueil du site : chercher une aide, et ce que compte le répertoire."""
    return render(
        request,
        "repertoire/accueil.html",
        {
            "form": formulaire_recherche(),
            "nb_services": Service.objects.publies().count(),
            "nb_structures": Structure.objects.filter(fusionnee_dans__isnull=True).count(),
            "territoire_servi": nom_du_territoire_servi(),
        },
    )


@publique("la recherche du répertoire, ouverte à tous")
def recherche(request: HttpRequest) -> HttpResponse:
    form = formulaire_recherche(request.GET)
    form.is_valid()  # les champs invalides sont signalés et écartés, la recherche a lieu quand même
    maintenant = timezone.localtime()
    numero = form.valeurs().get("page", 1)
    page = rechercher(form.critere(maintenant=maintenant), page=numero, par_page=PAR_PAGE)
    compter_recherche(  # veille des besoins, anonyme (repertoire/veille.py)
        besoin=page.besoin_compris,
        public=page.public_compris,
        commune=page.commune,
        rayon_km=page.rayon_km,
        resultats=page.total,
        page=page.page,
    )
    services = [resultat.service for resultat in page.resultats]
    prefetch_related_objects(services, "plages", "exceptions")
    return render(
        request,
        "repertoire/recherche.html",
        {
            "form": form,
            "page": page,
            "resultats": [_resultat(r, maintenant) for r in page.resultats],
            "points": _points_carte(page),
            "pagination": _pagination(form, page),
            "resume": _resume(form, page),
            "premier_numero": (page.page - 1) * page.par_page + 1,
            "hors_limites": page.page > 1 and not page.resultats,
            "premiere_page": _url_page(form, 1),
            "hors_territoire": _hors_territoire(page),
            "plus_loin": [
                (km, nombre, _url_recherche(form, rayon=f"{km:g}")) for km, nombre in page.plus_loin
            ],
            "point_information": _point_sans_resultat(page),
            "aides": [_aide(aide) for aide in page.aides],
            "besoins_voisins": [
                (voisin, _url_besoin_voisin(form, voisin.slug)) for voisin in page.besoins_voisins
            ],
        },
    )


@prive_si_connecte
@publique("fiche publique (les contacts réservés n'y sont montrés qu'aux professionnels, par peut)")
def fiche_service(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    service = _publie_ou_redirection(
        Service.objects.publies()
        .select_related("structure")
        .prefetch_related(
            "besoins",
            "publics",
            "lieux__commune",
            "plages__lieu",
            "exceptions",
            "permanences__lieu__commune",
            "zones",
            "provenances",
            Prefetch("contacts", queryset=_contacts_publics(), to_attr="contacts_publics"),
        ),
        pk=pk,
    )
    if isinstance(service, HttpResponse):
        return service
    if slug != slug_de(service.nom):
        return redirect(url_service(service), permanent=True)
    maintenant = timezone.localtime()
    contacts = [*service.contacts_publics, *_contacts_publics().filter(structure=service.structure)]
    lieux = list(service.lieux.all())
    return render(
        request,
        "repertoire/fiche_service.html",
        {
            "service": service,
            "structure": service.structure,
            "url_structure": url_structure(service.structure),
            "contacts": contacts,
            "qui_appeler": _qui_appeler(service, contacts, service.structure.telephone, lieux),
            "horaires_en_mots": en_toutes_lettres(service),
            "permanences": permanences_a_venir(service, maintenant.date()),
            "ouvert": _est_ouvert(service, maintenant),
            "modes_acces": _libelles_modes_acces(service.modes_acces),
            "lieux": [_lieu(lieu) for lieu in lieux],
            "zones": _zones(service),
            "contacts_professionnels": contacts_professionnels(request, service),
        },
    )


def permanences_a_venir(service: Service, le: dt.date) -> list[dict[str, Any]]:
    """Chaque permanence en mots, avec ses prochaines dates ; les passées disparaissent."""
    resultat = []
    for permanence in service.permanences.all():
        dates = prochaines_dates(permanence, apres=le)
        if dates:
            resultat.append({"p": permanence, "en_mots": en_mots(permanence), "dates": dates})
    return resultat


def _zones(service: Service) -> list[str]:
    zones = [(zone.type, zone.code) for zone in service.zones.all()]
    noms = noms_territoires(zones)
    return [noms[zone] for zone in zones]


@prive_si_connecte
@publique("fiche publique (les contacts réservés n'y sont montrés qu'aux professionnels, par peut)")
def fiche_structure(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    structure = get_object_or_404(
        Structure.objects.prefetch_related(
            "lieux__commune",
            "provenances",
            Prefetch("services", queryset=Service.objects.publies(), to_attr="services_publies"),
            Prefetch("contacts", queryset=_contacts_publics(), to_attr="contacts_publics"),
        ),
        pk=pk,
    )
    if structure.fusionnee_dans_id is not None:  # un doublon fusionné : la structure gardée
        return redirect(url_structure(structure.fusionnee_dans), permanent=True)
    if slug != slug_de(structure.nom):
        return redirect(url_structure(structure), permanent=True)
    lieux = list(structure.lieux.all())
    return render(
        request,
        "repertoire/fiche_structure.html",
        {
            "structure": structure,
            "qui_appeler": _qui_appeler(
                structure, structure.contacts_publics, structure.telephone, lieux
            ),
            "services": [(s, url_service(s)) for s in structure.services_publies],
            "lieux": [_lieu(lieu) for lieu in lieux],
            "contacts_professionnels": contacts_professionnels(request, structure),
        },
    )


def _qui_appeler(
    fiche: Service | Structure, contacts: list[Contact], telephone: str, lieux: list[Lieu]
) -> dict[str, Any] | None:
    """Une fiche sans aucun téléphone public propose le point d'information de sa commune."""
    if telephone or any(c.telephone for c in contacts):
        return None
    commune = next((lieu.commune for lieu in lieux if lieu.commune), None)
    point: PointInformation | None = point_information_pour(commune, sauf=fiche)
    return {
        "point": point,
        "url": url_service(point.service) if point and point.service else "",
        "commune": commune,
    }


@publique("adresse courte d'une fiche publique")
def service_court(request: HttpRequest, pk: int) -> HttpResponse:
    service = _publie_ou_redirection(Service.objects.publies().only("pk", "nom"), pk=pk)
    if isinstance(service, HttpResponse):
        return service
    return redirect(url_service(service), permanent=True)


def _publie_ou_redirection(services: QuerySet, *, pk: int) -> Service | HttpResponse:
    """Le service publié ; sinon, s'il a été fusionné dans un autre (doublon), la redirection
    permanente vers la fiche gardée (pour les liens et favoris qui le nomment encore) ; sinon
    404. La requête de plus n'est faite que pour une fiche introuvable."""
    try:
        return services.get(pk=pk)
    except Service.DoesNotExist:
        absorbe = Service.objects.filter(pk=pk, fusionne_dans__isnull=False)
        service = absorbe.select_related("fusionne_dans").first()
        if service is None:
            raise Http404("Aucun service ne correspond.") from None
        return redirect(url_service(service.fusionne_dans), permanent=True)


@publique("adresse courte d'une fiche publique")
def structure_courte(request: HttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(
        Structure.objects.select_related("fusionnee_dans").only(
            "pk", "nom", "fusionnee_dans__id", "fusionnee_dans__nom"
        ),
        pk=pk,
    )
    return redirect(url_structure(structure.fusionnee_dans or structure), permanent=True)


# --- Mise en forme pour les gabarits --------------------------------------------------------


def _contacts_publics():
    return Contact.objects.filter(visibilite=Contact.Visibilite.PUBLIC).order_by("libelle", "pk")


def _premier_lieu(service: Service) -> Lieu | None:
    """Sur un service chargé par `avec_resume` (les résultats de recherche)."""
    lieux = service.lieux_charges
    return next((lieu for lieu in lieux if lieu.latitude is not None), lieux[0] if lieux else None)


def _adresse(lieu: Lieu | None) -> str:
    if lieu is None:
        return ""
    ville = lieu.commune.nom if lieu.commune else ""
    morceaux = [lieu.adresse, lieu.complement_adresse, f"{lieu.code_postal} {ville}".strip()]
    return ", ".join(m for m in morceaux if m)


def _lieu(lieu: Lieu) -> dict:
    carte = ""
    if lieu.latitude is not None and lieu.longitude is not None:
        carte = (
            "https://www.openstreetmap.org/?"
            + urlencode({"mlat": lieu.latitude, "mlon": lieu.longitude})
            + f"#map=17/{lieu.latitude}/{lieu.longitude}"
        )
    return {"lieu": lieu, "adresse": _adresse(lieu), "lien_carte": carte}


def _resultat(resultat, maintenant: dt.datetime) -> dict:
    service = resultat.service
    return {
        "service": service,
        "url": url_service(service),
        # La distance a sa propre ligne : on ne la répète pas parmi les raisons.
        "raisons": [r for r in resultat.raisons if not re.fullmatch(r"à [\d,.]+ km", r)],
        "distance_km": resultat.distance_km,
        "adresse": _adresse(_premier_lieu(service)),
        "ouvert": _est_ouvert(service, maintenant),
    }


def _aide(resultat) -> dict:
    """Une aide pour payer (APA, ASH…) : ni adresse ni horaires d'ouverture, qui ne disent
    rien d'un droit ; son résumé en mots simples, qui la gère et pourquoi elle est là."""
    service = resultat.service
    return {
        "service": service,
        "url": url_service(service),
        "resume": service.resume_falc or _premiere_phrase(service.description),
        "raisons": resultat.raisons,
    }


def _premiere_phrase(texte: str) -> str:
    phrase = re.split(r"(?<=[.!?])\s", texte.strip(), maxsplit=1)[0]
    return phrase if len(phrase) <= 300 else phrase[:299].rstrip() + "…"


def _points_carte(page: PageResultats) -> list[dict]:
    points = []
    for numero, resultat in enumerate(page.resultats, start=1):
        lieu = _premier_lieu(resultat.service)
        if lieu is None or lieu.latitude is None or lieu.longitude is None:
            continue
        points.append(
            {
                "numero": numero,
                "nom": resultat.service.nom,
                "url": url_service(resultat.service),
                "adresse": _adresse(lieu),
                "lat": lieu.latitude,
                "lon": lieu.longitude,
            }
        )
    return points


def _pagination(form: RechercheForm, page: PageResultats) -> dict:
    """Numéros à afficher : la première, la dernière et deux pages de part et d'autre."""
    nb_pages = max(1, math.ceil(page.total / page.par_page))
    numeros = sorted({1, nb_pages, *range(max(1, page.page - 2), min(nb_pages, page.page + 2) + 1)})
    liens, precedent = [], 0
    for numero in numeros:
        if numero - precedent > 1:
            liens.append({"ellipse": True})
        liens.append(
            {"numero": numero, "url": _url_page(form, numero), "courante": numero == page.page}
        )
        precedent = numero
    return {
        "nb_pages": nb_pages,
        "liens": liens if nb_pages > 1 else [],
        "precedente": _url_page(form, page.page - 1) if 1 < page.page <= nb_pages else "",
        "suivante": _url_page(form, page.page + 1) if page.page < nb_pages else "",
    }


def _point_sans_resultat(page: PageResultats) -> dict[str, Any] | None:
    """Aucune réponse autour d'une commune : le point d'information qui la couvre (ou le
    Département), qui saura orienter la personne plutôt que la laisser sans piste."""
    if page.resultats or page.page > 1 or page.commune is None:
        return None
    point = point_information_pour(page.commune)
    if point is None:
        return None
    url = url_service(point.service) if point.service else ""
    return {"point": point, "url": url, "commune": page.commune}


def _url_recherche(form: RechercheForm, **remplacements: str) -> str:
    """La même recherche, un paramètre changé (un rayon plus large), en première page."""
    parametres = {c: v for c, v in form.parametres(**remplacements).items() if c != "page"}
    return reverse("repertoire:recherche") + "?" + urlencode(parametres)


def _url_besoin_voisin(form: RechercheForm, slug: str) -> str:
    """La même recherche (lieu, rayon, public, filtres) sur un besoin voisin, sans les mots :
    ce qu'a compté `moteur.besoins_voisins`."""
    parametres = {c: v for c, v in form.parametres(besoin=slug).items() if c not in ("q", "page")}
    return reverse("repertoire:recherche") + "?" + urlencode(parametres)


def _url_page(form: RechercheForm, numero: int) -> str:
    parametres = form.parametres(**({"page": numero} if numero > 1 else {}))
    return reverse("repertoire:recherche") + "?" + urlencode(parametres)


def _resume(form: RechercheForm, page: PageResultats) -> str:
    """« aide à domicile, Répit des aidants, autour de Nevers » : pour le titre de la page."""
    valeurs = form.valeurs()
    morceaux = [f"« {valeurs['q']} »"] if valeurs.get("q") else []
    morceaux += [form.libelle(nom) for nom in ("besoin", "public") if form.libelle(nom)]
    if page.commune:  # une commune inconnue est expliquée par page.message, pas reprise ici
        morceaux.append(f"autour de {page.commune.nom}")
    return ", ".join(morceaux)


def _hors_territoire(page: PageResultats) -> str:
    """Une commune hors du territoire servi est cherchée quand même (un aidant cherche pour
    un parent qui vit ailleurs, et le répertoire peut y connaître des services), mais la
    page dit que le répertoire n'y est pas tenu à jour : ses résultats peuvent manquer."""
    if page.commune is None or dans_le_deploiement(page.commune):
        return ""
    return (
        f"{page.commune} est hors du territoire que sert ce répertoire "
        f"({nom_du_territoire_servi()}) : les services y sont peut-être incomplets. "
        "Renseignez-vous aussi auprès du département de cette commune."
    )


def _libelles_modes_acces(valeurs: list) -> list[str]:
    libelles = dict(ModeAcces.choices)
    return [libelles.get(valeur, valeur) for valeur in valeurs if isinstance(valeur, str)]


def _est_ouvert(service: Service, maintenant: dt.datetime) -> bool | None:
    """None quand on ne sait pas : aucune plage horaire saisie."""
    return est_ouvert(service, maintenant) if service.plages.all() else None
