"""Pages de la fraîcheur : campagnes et qualité (animateurs), réponse à une campagne et
désinscription des rappels (lien signé, sans compte)."""

from collections import Counter, defaultdict

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from comptes.acces import reservee
from comptes.permissions import Action, peut
from core.acces import publique
from core.tableurs import cellule_csv, ecrivain_csv
from fraicheur import courriels, services
from fraicheur.forms import CampagneForm, ReponseForm
from fraicheur.models import Campagne, Demande, Reponse
from fraicheur.qualite import qualite_du_service, qualite_du_territoire, services_a_noter
from territoires.deploiement import departements_du_deploiement
from territoires.models import Departement


@reservee(Action.ANIMER)
@require_http_methods(["GET", "POST"])
def campagnes(request: HttpRequest) -> HttpResponse:
    formulaire = CampagneForm(request.POST or None, utilisateur=request.user)
    if request.method == "POST" and formulaire.is_valid():
        donnees = formulaire.cleaned_data
        campagne = services.lancer_campagne(
            nom=donnees["nom"],
            departement=donnees["departement"],
            besoins=donnees["besoins"],
            categories=donnees["categories"],
            par=request.user,
            jours=donnees["jours"],
        )
        return redirect("fraicheur:campagne", pk=campagne.pk)
    permis = formulaire.fields["departement"].queryset
    liste = Campagne.objects.filter(departement__in=permis).select_related("departement")
    return render(
        request, "fraicheur/campagnes.html", {"formulaire": formulaire, "campagnes": liste}
    )


def _campagne_animee(request: HttpRequest, pk: int) -> Campagne:
    campagne = get_object_or_404(Campagne.objects.select_related("departement"), pk=pk)
    if not peut(request.user, Action.ANIMER, campagne):
        raise PermissionDenied
    return campagne


@reservee(Action.ANIMER)
def campagne(request: HttpRequest, pk: int) -> HttpResponse:
    campagne = _campagne_animee(request, pk)
    demandes = list(
        campagne.demandes.select_related("structure")
        .prefetch_related("services__lieux__commune")
        .order_by("structure__nom")
    )
    return render(
        request,
        "fraicheur/campagne.html",
        {"campagne": campagne, "demandes": demandes, **_tableaux(demandes)},
    )


def _tableaux(demandes: list[Demande]) -> dict:
    """Réponses par structure, puis par commune et par catégorie des fiches concernées."""
    par_reponse = Counter(d.reponse for d in demandes)
    communes: dict[str, Counter] = defaultdict(Counter)
    categories: dict[str, Counter] = defaultdict(Counter)
    for demande in demandes:
        for service in demande.services.all():
            noms = {lieu.commune.nom for lieu in service.lieux.all() if lieu.commune}
            for nom in noms or {"commune inconnue"}:
                communes[nom][demande.reponse] += 1
            categories[service.categorie_finess or "sans catégorie FINESS"][demande.reponse] += 1

    def lignes(compteurs: dict[str, Counter]) -> list[dict]:
        return [
            {
                "nom": nom,
                "confirmees": c[Reponse.CONFIRMEE],
                "a_corriger": c[Reponse.A_CORRIGER],
                "sans_reponse": c[Reponse.AUCUNE],
            }
            for nom, c in sorted(compteurs.items())
        ]

    return {
        "confirmees": par_reponse[Reponse.CONFIRMEE],
        "a_corriger": par_reponse[Reponse.A_CORRIGER],
        "sans_reponse": par_reponse[Reponse.AUCUNE],
        "par_commune": lignes(communes),
        "par_categorie": lignes(categories),
    }


@reservee(Action.ANIMER)
@require_POST
def relancer(request: HttpRequest, pk: int) -> HttpResponse:
    campagne = _campagne_animee(request, pk)
    envoyees = services.relancer_silencieux(campagne)
    return redirect(f"{reverse('fraicheur:campagne', args=[campagne.pk])}?relancees={envoyees}")


@publique("le lien signé tient lieu de droit")
@require_http_methods(["GET", "POST"])
def verifier(request: HttpRequest, jeton: str) -> HttpResponse:
    try:
        demande = services.demande_du_lien(jeton)
    except services.LienInvalide as refus:
        contexte = {"raison": refus.raison, "demande": refus.demande}
        return render(
            request,
            "fraicheur/lien_invalide.html",
            contexte,
            status=410 if refus.raison == "expire" else 404,
        )
    formulaire = ReponseForm(request.POST or None)
    if request.method == "POST":
        choix = request.POST.get("reponse")
        if choix not in (Reponse.CONFIRMEE, Reponse.A_CORRIGER):
            formulaire.add_error(None, "Choisissez « Rien n'a changé » ou « À corriger ».")
        elif choix == Reponse.A_CORRIGER and not request.POST.get("message", "").strip():
            formulaire.add_error("message", "Dites-nous ce qui a changé.")
        elif formulaire.is_valid():
            try:
                services.repondre(
                    demande=demande,
                    reponse=Reponse(choix),
                    message=formulaire.cleaned_data["message"],
                )
            except services.LienInvalide:
                return render(
                    request,
                    "fraicheur/lien_invalide.html",
                    {"raison": "expire", "demande": demande},
                    status=410,
                )
            return redirect("fraicheur:verifier", jeton=jeton)
    contexte = {
        "demande": demande,
        "services": demande.services.all(),
        "formulaire": formulaire,
        "Reponse": Reponse,
    }
    return render(request, "fraicheur/verifier.html", contexte)


@publique("le lien signé tient lieu de droit")
@require_http_methods(["GET", "POST"])
def confirmer(request: HttpRequest, jeton: str) -> HttpResponse:
    """Le lien d'un rappel : le gestionnaire confirme sa fiche sans se connecter."""
    try:
        service, gestionnaire = services.fiche_du_rappel(jeton)
    except services.LienInvalide as refus:
        statut = {"expire": 410, "plus-gestionnaire": 403}.get(refus.raison, 404)
        contexte = {"raison": refus.raison, "demande": None}
        return render(request, "fraicheur/lien_invalide.html", contexte, status=statut)
    fait = request.method == "POST"
    if fait:
        services.confirmer_fiche(service=service, par=gestionnaire)
        service.refresh_from_db()
    return render(request, "fraicheur/confirmer.html", {"service": service, "fait": fait})


@publique("le lien signé tient lieu de droit")
@require_http_methods(["GET", "POST"])
def desinscription(request: HttpRequest, jeton: str) -> HttpResponse:
    try:
        courriel = signing.loads(jeton, salt=courriels.SEL_DESINSCRIPTION)
    except signing.BadSignature:
        raise Http404("Lien de désinscription inconnu") from None
    fait = request.method == "POST"
    if fait:
        services.desinscrire(courriel)
    return render(request, "fraicheur/desinscription.html", {"courriel": courriel, "fait": fait})


def _departements_animes(request: HttpRequest) -> list[Departement]:
    return [d for d in departements_du_deploiement() if peut(request.user, Action.ANIMER, d)]


@reservee(Action.ANIMER)
def qualite(request: HttpRequest) -> HttpResponse:
    aujourdhui = timezone.localdate()
    lignes = [
        (
            departement,
            qualite_du_territoire(
                qualite_du_service(s, le=aujourdhui) for s in services_a_noter(departement.pk)
            ),
        )
        for departement in _departements_animes(request)
    ]
    return render(request, "fraicheur/qualite.html", {"lignes": lignes})


def _departement_anime(request: HttpRequest, code: str) -> Departement:
    departement = get_object_or_404(departements_du_deploiement(), pk=code)
    if not peut(request.user, Action.ANIMER, departement):
        raise PermissionDenied
    return departement


@reservee(Action.ANIMER)
def qualite_departement(request: HttpRequest, code: str) -> HttpResponse:
    departement = _departement_anime(request, code)
    aujourdhui = timezone.localdate()
    fiches = [(s, qualite_du_service(s, le=aujourdhui)) for s in services_a_noter(code)]
    contexte = {
        "departement": departement,
        "fiches": fiches,
        "bilan": qualite_du_territoire(q for _, q in fiches),
    }
    return render(request, "fraicheur/qualite_departement.html", contexte)


ENTETES_CSV = [
    "id", "service", "structure", "note sur 100", "complétude (%)", "vérifiée à temps",
    "résumé FALC", "joignable", "vérifiée le",
]  # fmt: skip


@reservee(Action.ANIMER)
def qualite_csv(request: HttpRequest, code: str) -> HttpResponse:
    _departement_anime(request, code)
    aujourdhui = timezone.localdate()
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="qualite-{code}.csv"'
    ecrivain = ecrivain_csv(reponse)
    ecrivain.writerow(ENTETES_CSV)
    for service in services_a_noter(code):
        q = qualite_du_service(service, le=aujourdhui)
        valeurs = [
                service.pk, service.nom, service.structure.nom, q.score,
                round(100 * q.completude), _oui(q.fraiche), _oui(q.falc), _oui(q.joignable),
                service.date_verification.isoformat() if service.date_verification else "",
        ]  # fmt: skip
        ecrivain.writerow([cellule_csv(v) for v in valeurs])
    return reponse


def _oui(valeur: bool) -> str:
    return "oui" if valeur else "non"
