"""Pages du pilotage, réservées aux rôles de pilotage ; chacune ne montre que ce que la
personne peut voir (`pilotage.acces`, docs/adr/0008 « Pilotage par territoire »)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pilotage import rapports
from pilotage import tableaux_de_bord as tdb
from pilotage.acces import (
    Codes,
    dans,
    departement_des_demandes,
    departement_du_deploiement,
    departements_publies,
    departements_visibles,
    reserve,
    voit_le_national,
    voit_les_demandes,
)
from pilotage.mesures import DELAIS, MESURES
from pilotage.models import AgregatTrimestriel, Priorite
from pilotage.priorites import valeurs_annee
from pilotage.tableaux import Colonne, Tableau, en_csv, en_xlsx, nombre_fr
from territoires.models import Departement

FORMATS = {
    "csv": ("text/csv; charset=utf-8", en_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", en_xlsx),
}


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
    visibles = departements_visibles(request.user)
    codes = AgregatTrimestriel.objects.values_list("departement_id", flat=True).distinct()
    departements = Departement.objects.filter(code__in=codes).order_by("code")
    if visibles is not None:
        departements = departements.filter(code__in=visibles)
    return render(
        request,
        "pilotage/accueil.html",
        {
            "departements": departements,
            "annees": tdb.annees_disponibles(),
            "national": voit_le_national(request.user),
        },
    )


@reserve
def barometre(request: HttpRequest, code: str) -> HttpResponse:
    """Les données des demandes pour qui voit ce département ; sinon les valeurs publiées."""
    departement = departement_du_deploiement(code)
    demandes = voit_les_demandes(request.user, departement)
    page = tdb.barometre_mdph(departement=departement, demandes=demandes)
    rang = None
    if page and demandes:
        annee = int(page.tableaux["delai-global"].lignes[-1][0][:4])
        visibles = departements_visibles(request.user)
        classement, _ = tdb.classement(mesure=DELAIS[0], annee=annee, departements=visibles)
        rang = tdb.rang_de(page=classement, code=code)
    contexte = {"departement": departement, "page": page, "demandes": demandes, "rang": rang}
    return render(request, "pilotage/barometre.html", contexte | {"export": "tableaux/"})


@reserve
def barometre_export(request: HttpRequest, code: str, slug: str, format: str) -> HttpResponse:
    departement = departement_du_deploiement(code)
    demandes = voit_les_demandes(request.user, departement)
    if not demandes and not slug.startswith("publie-"):
        raise PermissionDenied
    page = tdb.barometre_mdph(departement=departement, demandes=demandes)
    return _export(page.tableaux if page else {}, slug, format, f"barometre-{code}")


@reserve
def activite(request: HttpRequest, code: str) -> HttpResponse:
    departement = departement_des_demandes(request.user, code)
    resultat = tdb.activite_mdph(departement=departement)
    page, prevision = resultat or (None, None)
    return render(
        request,
        "pilotage/activite.html",
        {"departement": departement, "page": page, "prevision": prevision, "export": "tableaux/"},
    )


@reserve
def activite_export(request: HttpRequest, code: str, slug: str, format: str) -> HttpResponse:
    resultat = tdb.activite_mdph(departement=departement_des_demandes(request.user, code))
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
    page, national = (None, None)
    if annee:
        visibles = departements_visibles(request.user)
        page, national = tdb.classement(mesure=mesure, annee=annee, departements=visibles)
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
    annee, alertes = tdb.verifier_alertes(
        annee=annee, demandes=departements_visibles(request.user), publies=departements_publies()
    )
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


def _tableau_valeurs(valeurs, *, visibles: Codes, publies: Codes, noms: dict) -> Tableau:
    """Valeurs d'un indicateur par département, avec cible et taux d'avancement DITP : toutes
    celles du déploiement pour un indicateur publié, celles des départements que la personne
    voit pour un indicateur calculé sur les demandes."""
    indicateur = valeurs.indicateur
    montres = publies if valeurs.publiee else visibles
    tous = set(valeurs.par_departement) | set(valeurs.cibles)
    codes = sorted(c for c in tous if dans(c, montres))
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
        note=valeurs.note_national
        or f"Valeur nationale : {nombre_fr(valeurs.national)} {indicateur.unite}.",
    )


def _tableaux_valeurs(request: HttpRequest, valeurs: list) -> list[tuple]:
    """(valeurs, tableau) de chaque indicateur ; tableau None pour une source non connectée."""
    portee = {
        "visibles": departements_visibles(request.user),
        "publies": departements_publies(),
        "noms": dict(Departement.objects.values_list("code", "nom")),
    }
    return [(v, _tableau_valeurs(v, **portee) if v.connectee else None) for v in valeurs]


@reserve
def priorite(request: HttpRequest, numero: int) -> HttpResponse:
    priorite, annee, valeurs = _priorite(numero, request)
    tableaux = _tableaux_valeurs(request, valeurs)
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
    tableaux = {t.slug: t for _, t in _tableaux_valeurs(request, valeurs) if t is not None}
    return _export(tableaux, slug, format, f"priorite-{numero}")


@reserve
def rapport_departemental(request: HttpRequest, code: str, annee: int) -> HttpResponse:
    departement = departement_des_demandes(request.user, code)
    contexte = rapports.rapport_departemental(departement=departement, annee=annee)
    return render(request, "pilotage/rapport_departemental.html", contexte)


@reserve
def rapport_departemental_pdf(request: HttpRequest, code: str, annee: int) -> HttpResponse:
    departement = departement_des_demandes(request.user, code)
    contexte = rapports.rapport_departemental(departement=departement, annee=annee)
    contexte["corps"] = "pilotage/_rapport_departemental.html"
    return _pdf(request, contexte, f"rapport-{code}-{annee}.pdf")


def _rapport_branche(request: HttpRequest, annee: int) -> dict:
    """Le rapport de branche est national : réservé aux rôles de pilotage nationaux (CNSA,
    administrateur national) ; son tableau par MDPH suit le territoire du déploiement."""
    if not voit_le_national(request.user):
        raise PermissionDenied
    return rapports.rapport_branche(annee=annee, departements=departements_publies())


@reserve
def rapport_branche(request: HttpRequest, annee: int) -> HttpResponse:
    return render(request, "pilotage/rapport_branche.html", _rapport_branche(request, annee))


@reserve
def rapport_branche_pdf(request: HttpRequest, annee: int) -> HttpResponse:
    contexte = _rapport_branche(request, annee)
    contexte["corps"] = "pilotage/_rapport_branche.html"
    return _pdf(request, contexte, f"rapport-branche-{annee}.pdf")


def _pdf(request: HttpRequest, contexte: dict, nom: str) -> HttpResponse:
    pdf = rapports.en_pdf(gabarit="pilotage/rapport_pdf.html", contexte=contexte)
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse
