"""Le baromètre public des MDPH : sans connexion (issue 12, § 3). Les données des demandes
qui ne sont pas publiées restent dans les pages du pilotage, réservées."""

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.acces import publique
from core.tableurs import cellule_csv, ecrivain_csv
from pilotage.acces import departement_du_deploiement, departements_publies
from pilotage.models import AgregatTrimestriel, Maille, ValeurBarometre
from pilotage.public import barometre_public, historique
from pilotage.views import FORMATS
from territoires.models import Departement

PUBLIC = "Le baromètre des MDPH est une information publique (issue 12, § 3)"


def mdph_du_barometre():
    """Les MDPH du déploiement qui ont une valeur à montrer (calculée ou publiée)."""
    codes = set(AgregatTrimestriel.objects.values_list("departement_id", flat=True).distinct())
    codes |= set(
        ValeurBarometre.objects.filter(maille=Maille.DEPARTEMENT).values_list(
            "territoire", flat=True
        )
    )
    departements = Departement.objects.filter(code__in=codes).order_by("code")
    publies = departements_publies()
    return [d for d in departements if publies is None or d.code in publies]


@publique(PUBLIC)
def liste(request: HttpRequest) -> HttpResponse:
    return render(request, "pilotage/public_liste.html", {"departements": mdph_du_barometre()})


@publique(PUBLIC)
def mdph(request: HttpRequest, code: str) -> HttpResponse:
    departement = departement_du_deploiement(code)
    page = barometre_public(departement)
    return render(
        request,
        "pilotage/public_mdph.html",
        {"departement": departement, "page": page, "export": "tableaux/"},
    )


@publique(PUBLIC)
def mdph_export(request: HttpRequest, code: str, slug: str, format: str) -> HttpResponse:
    departement = departement_du_deploiement(code)
    tableau = barometre_public(departement).tableaux.get(slug)
    if tableau is None or format not in FORMATS:
        raise Http404("Tableau inconnu")
    type_mime, ecrire = FORMATS[format]
    reponse = HttpResponse(ecrire(tableau), content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="barometre-{code}-{slug}.{format}"'
    return reponse


COLONNES_HISTORIQUE = (
    "indicateur",
    "libelle",
    "periode",
    "valeur_de",
    "colonne",
    "unite",
    "valeur",
)


@publique(PUBLIC)
def mdph_historique(request: HttpRequest, code: str) -> HttpResponse:
    """Tout l'historique en CSV (UTF-8 avec BOM, `;`, virgule décimale)."""
    departement = departement_du_deploiement(code)
    flux = io.StringIO()
    ecrivain = ecrivain_csv(flux)
    ecrivain.writerow(COLONNES_HISTORIQUE)
    for ligne in historique(departement):
        valeurs = [ligne[c] for c in COLONNES_HISTORIQUE]
        ecrivain.writerow(
            f"{v:.1f}".replace(".", ",") if isinstance(v, float) else cellule_csv(v)
            for v in valeurs
        )
    reponse = HttpResponse(
        ("\ufeff" + flux.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    reponse["Content-Disposition"] = f'attachment; filename="barometre-{code}-historique.csv"'
    return reponse
