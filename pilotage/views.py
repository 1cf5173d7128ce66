"""Pages du pilotage, réservées aux professionnels connectés ayant la permission de lecture."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy

from pilotage import rapports
from pilotage import tableaux_de_bord as tdb
from pilotage.mesures import DELAIS, MESURES
from pilotage.models import AgregatTrimestriel, Priorite
from pilotage.priorites import valeurs_annee
from pilotage.tableaux import Colonne, Tableau, en_csv, en_xlsx, nombre_fr
from territoires.models import Departement

PERMISSION = "pilotage.view_agregattrimestriel"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", en_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", en_xlsx),
}


def reserve(vue: Callable) -> Callable:
    """Connexion exigée (sinon redirection vers /pilotage/connexion/), puis permission de
    lecture du pilotage (sinon 403)."""
    protegee = permission_required(PERMISSION, raise_exception=True)(vue)
    return wraps(vue)(login_required(protegee, login_url=reverse_lazy("pilotage:connexion")))


def _export(tableaux: dict[str, Tableau], slug: str, format: str, nom: str) -> HttpResponse:
    tableau = tableaux.get(slug)
    if tableau is None or format not in FORMATS:
        raise Http404("Tableau inconnu")
    type_mime, ecrire = FORMATS[format]
    reponse = HttpResponse(ecrire(tableau), content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}-{slug}.{format}"'
    return reponse


def _requete(request: HttpRequest) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


@reserve
def accueil(request: HttpRequest) -> HttpResponse:
    codes = AgregatTrimestriel.objects.values_list("departement_id", flat=True).distinct()
    departements = Departement.objects.filter(code__in=codes).order_by("code")
    return render(
        request,
        "pilotage/accueil.html",
        {"departements": departements, "annees": tdb.annees_disponibles()},
    )


def _mdph(code: str) -> Departement:
    return get_object_or_404(Departement, code=code)


@reserve
def barometre(request: HttpRequest, code: str) -> HttpResponse:
    departement = _mdph(code)
    page = tdb.barometre_mdph(departement=departement)
    rang = None
    if page:
        annee = int(page.tableaux["delai-global"].lignes[-1][0][:4])
        classement, _ = tdb.classement(mesure=DELAIS[0], annee=annee)
        rang = tdb.rang_de(page=classement, code=code)
    return render(
        request,
        "pilotage/barometre.html",
        {"departement": departement, "page": page, "rang": rang, "export": "tableaux/"},
    )


@reserve
def barometre_export(request: HttpRequest, code: str, slug: str, format: str) -> HttpResponse:
    page = tdb.barometre_mdph(departement=_mdph(code))
    return _export(page.tableaux if page else {}, slug, format, f"barometre-{code}")


@reserve
def activite(request: HttpRequest, code: str) -> HttpResponse:
    departement = _mdph(code)
    resultat = tdb.activite_mdph(departement=departement)
    page, prevision = resultat or (None, None)
    return render(
        request,
        "pilotage/activite.html",
        {"departement": departement, "page": page, "prevision": prevision, "export": "tableaux/"},
    )


@reserve
def activite_export(request: HttpRequest, code: str, slug: str, format: str) -> HttpResponse:
    resultat = tdb.activite_mdph(departement=_mdph(code))
    return _export(resultat[0].tableaux if resultat else {}, slug, format, f"activite-{code}")


def _classement(request: HttpRequest) -> dict:
    annees = tdb.annees_disponibles()
    mesure = MESURES.get(request.GET.get("indicateur", ""), DELAIS[0])
    try:
        annee = int(request.GET.get("annee", ""))
    except ValueError:
        annee = annees[0] if annees else None
    if annee not in annees:
        annee = annees[0] if annees else None
    page, national = tdb.classement(mesure=mesure, annee=annee) if annee else (None, None)
    return {"mesure": mesure, "annee": annee, "annees": annees, "page": page, "national": national}


@reserve
def classement(request: HttpRequest) -> HttpResponse:
    contexte = _classement(request)
    contexte.update(mesures=MESURES.values(), export="tableaux/", requete=_requete(request))
    return render(request, "pilotage/classement.html", contexte)


@reserve
def classement_export(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    page = _classement(request)["page"]
    return _export(page.tableaux if page else {}, slug, format, "classement")


def _alertes(request: HttpRequest) -> tuple[int | None, Tableau]:
    try:
        annee = int(request.GET["annee"])
    except (KeyError, ValueError):
        annee = None
    annee, alertes = tdb.verifier_alertes(annee=annee)
    return annee, tdb.tableau_alertes(alertes)


@reserve
def alertes(request: HttpRequest) -> HttpResponse:
    annee, tableau = _alertes(request)
    return render(
        request,
        "pilotage/alertes.html",
        {"annee": annee, "tableau": tableau, "export": "tableaux/", "requete": _requete(request)},
    )


@reserve
def alertes_export(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    return _export({"alertes": _alertes(request)[1]}, slug, format, "alertes")


@reserve
def priorites(request: HttpRequest) -> HttpResponse:
    liste = Priorite.objects.prefetch_related("indicateurs").order_by("numero")
    return render(request, "pilotage/priorites.html", {"priorites": liste})


def _priorite(numero: int, request: HttpRequest) -> tuple[Priorite, int | None, list]:
    priorite = get_object_or_404(
        Priorite.objects.prefetch_related("indicateurs__fiche"), numero=numero
    )
    annees = tdb.annees_disponibles()
    annee = annees[0] if annees else None
    if request.GET.get("annee", "").isdigit() and int(request.GET["annee"]) in annees:
        annee = int(request.GET["annee"])
    indicateurs = sorted(
        priorite.indicateurs.all(), key=lambda i: getattr(getattr(i, "fiche", None), "ordre", 99)
    )
    valeurs = valeurs_annee(indicateurs=indicateurs, annee=annee) if annee else []
    return priorite, annee, valeurs


def _tableau_valeurs(valeurs) -> Tableau:
    """Valeurs d'un indicateur par département, avec cible et taux d'avancement DITP."""
    noms = dict(Departement.objects.values_list("code", "nom"))
    indicateur = valeurs.indicateur
    codes = sorted(set(valeurs.par_departement) | set(valeurs.cibles))
    return Tableau(
        slug=indicateur.code.lower(),
        titre=f"{indicateur.libelle} ({indicateur.unite}), par département",
        colonnes=[
            Colonne("Département", decimales=0),
            Colonne("Code", decimales=0),
            Colonne("Valeur", indicateur.unite),
            Colonne("Cible", indicateur.unite),
            Colonne("Taux d'avancement", "%"),
        ],
        lignes=[
            [
                noms.get(c, c),
                c,
                valeurs.par_departement.get(c),
                valeurs.cibles[c].valeur_cible if c in valeurs.cibles else None,
                valeurs.cibles[c].taux_avancement() if c in valeurs.cibles else None,
            ]
            for c in codes
            if c in noms
        ],
        note=f"Valeur nationale : {nombre_fr(valeurs.national)} {indicateur.unite}.",
    )


@reserve
def priorite(request: HttpRequest, numero: int) -> HttpResponse:
    priorite, annee, valeurs = _priorite(numero, request)
    tableaux = [(v, _tableau_valeurs(v) if v.connectee else None) for v in valeurs]
    return render(
        request,
        "pilotage/priorite.html",
        {
            "priorite": priorite,
            "annee": annee,
            "tableaux": tableaux,
            "export": "tableaux/",
            "requete": _requete(request),
        },
    )


@reserve
def priorite_export(request: HttpRequest, numero: int, slug: str, format: str) -> HttpResponse:
    _, _, valeurs = _priorite(numero, request)
    tableaux = {t.slug: t for t in (_tableau_valeurs(v) for v in valeurs if v.connectee)}
    return _export(tableaux, slug, format, f"priorite-{numero}")


@reserve
def rapport_departemental(request: HttpRequest, code: str, annee: int) -> HttpResponse:
    contexte = rapports.rapport_departemental(departement=_mdph(code), annee=annee)
    return render(request, "pilotage/rapport_departemental.html", contexte)


@reserve
def rapport_departemental_pdf(request: HttpRequest, code: str, annee: int) -> HttpResponse:
    contexte = rapports.rapport_departemental(departement=_mdph(code), annee=annee)
    contexte["corps"] = "pilotage/_rapport_departemental.html"
    return _pdf(request, contexte, f"rapport-{code}-{annee}.pdf")


@reserve
def rapport_branche(request: HttpRequest, annee: int) -> HttpResponse:
    return render(request, "pilotage/rapport_branche.html", rapports.rapport_branche(annee=annee))


@reserve
def rapport_branche_pdf(request: HttpRequest, annee: int) -> HttpResponse:
    contexte = rapports.rapport_branche(annee=annee)
    contexte["corps"] = "pilotage/_rapport_branche.html"
    return _pdf(request, contexte, f"rapport-branche-{annee}.pdf")


def _pdf(request: HttpRequest, contexte: dict, nom: str) -> HttpResponse:
    pdf = rapports.en_pdf(gabarit="pilotage/rapport_pdf.html", contexte=contexte)
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse
