"""Le questionnaire « Ma MDPH, mon avis » : en ligne (public, sans compte), imprimé, et la
saisie des questionnaires papier par les agents d'une MDPH."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from comptes.acces import reservee
from comptes.permissions import Action, peut
from core.acces import publique
from core.limitation import adresse_client
from satisfaction import resultats, services, tableaux
from satisfaction.avis import AVIS_AFFICHES
from satisfaction.avis import avis_libres as lire_avis
from satisfaction.forms import SaisiePapierForm
from satisfaction.impression import en_pdf
from satisfaction.models import Origine, Version
from satisfaction.parcours import (
    NOMBRE_ETAPES,
    TITRES,
    Parcours,
    formulaire,
    formulaire_a_montrer,
    questions_de,
)
from territoires.models import Departement, Region

PUBLIC = "Le questionnaire de satisfaction est anonyme, ouvert à tous, sans compte"


def _version() -> Version:
    # Les questions lues une fois par requête : l'envoi final reconstruit les 4 étapes, et un
    # questionnaire fait 9 requêtes (banc de charge, bench/satisfaction_charge.py).
    version = Version.objects.prefetch_related("questions").en_service()
    if version is None:
        raise Http404("Aucun questionnaire n'est en service.")
    return version


def _garder(request: HttpRequest, parcours: Parcours) -> None:
    parcours.garder(request.session, anonyme=not request.user.is_authenticated)


@publique(PUBLIC)
def accueil(request: HttpRequest) -> HttpResponse:
    return render(request, "satisfaction/accueil.html", {"etapes": TITRES})


@publique(PUBLIC)
def etape(request: HttpRequest, numero: int) -> HttpResponse:
    if not 1 <= numero <= NOMBRE_ETAPES:
        raise Http404
    version = _version()
    parcours = Parcours.de_la_session(request.session, version)
    permise = parcours.premiere_etape_permise(numero)
    if permise != numero:
        return redirect("satisfaction:etape", numero=permise)
    if request.method != "POST":
        form = formulaire_a_montrer(version, numero, parcours)
        return _page(request, version, numero, form, parcours)
    form = formulaire(version, numero, request.POST)
    parcours.retenir(request.POST, [nom for nom in form.fields if nom != "site_internet"])
    if request.POST.get("action") == "precedent" and numero > 1:
        _garder(request, parcours)
        return redirect("satisfaction:etape", numero=numero - 1)
    if numero == NOMBRE_ETAPES:
        return _envoyer(request, version, parcours, form)
    if not form.is_valid():
        _garder(request, parcours)
        return _page(request, version, numero, form, parcours, status=400)
    if numero == 1:
        parcours.departement = form.departement.code
    parcours.etape_validee = max(parcours.etape_validee, numero)
    _garder(request, parcours)
    return redirect("satisfaction:etape", numero=numero + 1)


def _page(
    request: HttpRequest,
    version: Version,
    numero: int,
    form: Any,
    parcours: Parcours,
    status: int = 200,
) -> HttpResponse:
    departement = None
    if numero > 1:
        departement = Departement.objects.filter(pk=parcours.departement).first()
    contexte = {
        "form": form,
        "numero": numero,
        "nombre": NOMBRE_ETAPES,
        "titre": TITRES[numero],
        "departement": departement,
        "derniere": numero == NOMBRE_ETAPES,
    }
    return render(request, "satisfaction/etape.html", contexte, status=status)


def _envoyer(request: HttpRequest, version: Version, parcours: Parcours, form: Any) -> HttpResponse:
    """L'envoi final : débit, validation de la dernière étape puis de toutes, pot de miel,
    fenêtre des doublons."""
    client = services.pseudonyme_du_jour(adresse_client(request))
    if services.debit_depasse(client):
        _garder(request, parcours)
        return render(request, "satisfaction/trop_d_envois.html", status=429)
    if not form.is_valid():
        _garder(request, parcours)
        return _page(request, version, NOMBRE_ETAPES, form, parcours, status=400)
    if form.est_un_robot():
        Parcours.oublier(request.session)
        request.session["satisfaction_merci"] = "enregistre"  # rien n'est dit au robot
        return redirect("satisfaction:merci")
    formulaires = [formulaire(version, n, parcours.donnees()) for n in range(1, NOMBRE_ETAPES)]
    for numero, precedent in enumerate(formulaires, start=1):
        if not precedent.is_valid():
            parcours.etape_validee = numero - 1
            _garder(request, parcours)
            return redirect("satisfaction:etape", numero=numero)
    valeurs = {k: v for f in formulaires for k, v in f.valeurs().items()}
    reponse = services.recevoir_en_ligne(
        client=client,
        version=version,
        departement=formulaires[0].departement,
        valeurs=valeurs,
        texte=form.texte_libre(),
    )
    Parcours.oublier(request.session)
    request.session["satisfaction_merci"] = "enregistre" if reponse else "deja_recu"
    return redirect("satisfaction:merci")


@publique(PUBLIC)
def merci(request: HttpRequest) -> HttpResponse:
    etat = request.session.pop("satisfaction_merci", "")
    return render(request, "satisfaction/merci.html", {"etat": etat})


@publique("Le questionnaire papier est à imprimer par tous (MDPH, associations, personnes)")
def questionnaire_pdf(request: HttpRequest) -> HttpResponse:
    version = _version()
    etapes = [(n, TITRES[n], questions_de(version, n)) for n in range(1, NOMBRE_ETAPES + 1)]
    pdf = en_pdf(
        gabarit="satisfaction/questionnaire_pdf.html",
        contexte={"version": version, "etapes": etapes},
    )
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="ma-mdph-mon-avis-v{version.numero}.pdf"'
    return reponse


@reservee(Action.SAISIR_QUESTIONNAIRES)
def saisie_papier(request: HttpRequest) -> HttpResponse:
    """Un agent de la MDPH recopie un questionnaire papier (origine « papier »)."""
    version = _version()
    departements = [
        d
        for d in Departement.objects.order_by("code")
        if peut(request.user, Action.SAISIR_QUESTIONNAIRES, d)
    ]
    form = SaisiePapierForm(
        request.POST or None,
        questions=list(version.questions.all()),
        departements=departements,
        initial={"departement": departements[0].code if len(departements) == 1 else ""},
    )
    if request.method == "POST" and form.is_valid():
        services.enregistrer_reponse(
            version=version,
            departement=Departement.objects.get(pk=form.cleaned_data["departement"]),
            valeurs=form.valeurs(),
            texte_libre=form.texte_libre(),
            origine=Origine.PAPIER,
            mois=form.cleaned_data["mois"],
        )
        messages.success(request, "Le questionnaire papier est enregistré. Saisissez le suivant.")
        return redirect(reverse("satisfaction:saisie_papier"))
    status = 400 if request.method == "POST" else 200
    contexte = {"form": form, "version": version}
    return render(request, "satisfaction/saisie_papier.html", contexte, status=status)


# --- Résultats (issue 12, § 2) ---------------------------------------------------------------

FORMATS_EXPORT = {
    "csv": ("text/csv; charset=utf-8", tableaux.en_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", tableaux.en_xlsx),
}


def _page_resultats(request: HttpRequest, maille: str, code: str) -> dict:
    """Le territoire, les périodes lues dans la requête, les résultats et leurs tableaux ;
    une saisie illisible donne un message en français (400), jamais une erreur 500."""
    t = resultats.territoire(maille, code)
    p = resultats.periode(request.GET.get("periode") or resultats.periode_par_defaut().code)
    comparer = request.GET.get("comparer") or resultats.periode_precedente(p).code
    avant_p = resultats.periode(comparer)
    question = request.GET.get("question") or resultats.QUESTION_CROISEE_PAR_DEFAUT
    infos = {i.cle: i for i in resultats.questions().values() if i.type == "echelle"}
    if question not in infos:
        raise ValueError(f"Question « {question} » inconnue.")
    r = resultats.resultats(t, p, question_croisee=question)
    avant = resultats.resultats(t, avant_p, question_croisee=question)
    comparaison = resultats.comparer(avant, r)
    return {
        "territoire": t,
        "periode": p,
        "avant": avant,
        "r": r,
        "question": infos[question],
        "questions": sorted(infos.values(), key=lambda i: (i.etape, i.ordre)),
        "seuil": resultats.seuil(),
        "non_publie": resultats.non_publie(),
        "definition": resultats.DEFINITION_TAUX,
        "tableaux": {
            "distributions": tableaux.tableau_distributions(r),
            "croisements": tableaux.tableau_croisements(r, infos[question].libelle),
            "comparaison": tableaux.tableau_comparaison(avant, r, comparaison),
        },
    }


def _erreur(request: HttpRequest, message: str) -> HttpResponse:
    contexte = {"message": message, "choix": _choix_territoires(), "seuil": resultats.seuil()}
    return render(request, "satisfaction/resultats_accueil.html", contexte, status=400)


def _choix_territoires() -> dict:
    return {
        "departements": Departement.objects.order_by("code"),
        "regions": Region.objects.order_by("nom"),
    }


@reservee(Action.VOIR_PILOTAGE)
def resultats_accueil(request: HttpRequest) -> HttpResponse:
    if "maille" in request.GET:
        maille, code = request.GET.get("maille", ""), request.GET.get("code", "")
        if maille == "national":
            return redirect("satisfaction:resultats_national")
        if maille in ("mdph", "region") and code:
            return redirect("satisfaction:resultats_territoire", maille=maille, code=code)
        return _erreur(request, "Choisissez une MDPH, une région ou le national.")
    contexte = {"choix": _choix_territoires(), "seuil": resultats.seuil()}
    return render(request, "satisfaction/resultats_accueil.html", contexte)


@reservee(Action.VOIR_PILOTAGE)
def resultats_page(request: HttpRequest, maille: str, code: str = "") -> HttpResponse:
    try:
        contexte = _page_resultats(request, maille, code)
    except ValueError as e:
        return _erreur(request, str(e))
    t = contexte["territoire"]
    contexte["avis"] = maille == "mdph" and peut(
        request.user, Action.LIRE_AVIS_LIBRES, Departement.objects.get(pk=t.code)
    )
    contexte["requete"] = f"?{request.GET.urlencode()}" if request.GET else ""
    return render(request, "satisfaction/resultats.html", contexte)


@reservee(Action.VOIR_PILOTAGE)
def resultats_export(
    request: HttpRequest, maille: str, slug: str, format: str, code: str = ""
) -> HttpResponse:
    try:
        contexte = _page_resultats(request, maille, code)
    except ValueError as e:
        return _erreur(request, str(e))
    tableau = contexte["tableaux"].get(slug)
    if tableau is None or format not in FORMATS_EXPORT:
        raise Http404("Tableau inconnu")
    type_mime, ecrire = FORMATS_EXPORT[format]
    reponse = HttpResponse(ecrire(tableau), content_type=type_mime)
    nom = f"satisfaction-{maille}{'-' + code if code else ''}-{contexte['periode'].code}-{slug}"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format}"'
    return reponse


@reservee(Action.LIRE_AVIS_LIBRES)
def avis_libres(request: HttpRequest, code: str) -> HttpResponse:
    """Les avis libres d'une MDPH, masqués : pour le rôle de cette MDPH seulement."""
    departement = Departement.objects.filter(pk=code).first()
    if departement is None:
        raise Http404("MDPH inconnue")
    if not peut(request.user, Action.LIRE_AVIS_LIBRES, departement):
        raise PermissionDenied
    try:
        p = resultats.periode(request.GET.get("periode") or resultats.periode_par_defaut().code)
    except ValueError as e:
        return _erreur(request, str(e))
    liste, themes, total = lire_avis(departement=code, debut=p.debut, fin=p.fin)
    contexte = {
        "departement": departement,
        "periode": p,
        "avis": liste,
        "themes": themes,
        "total": total,
        "affiches": AVIS_AFFICHES,
    }
    return render(request, "satisfaction/avis_libres.html", contexte)
