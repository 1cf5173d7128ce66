"""Pages de la veille des besoins, pour les animateurs : les recherches peu ou pas servies
de leur territoire, par territoire et besoin, en tableau et en CSV (ADR 16)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from comptes.acces import reservee
from comptes.permissions import Action, peut
from core.tableurs import cellule_csv, ecrivain_csv
from territoires.deploiement import departements_du_deploiement
from territoires.models import Departement
from veille.forms import PeriodeForm
from veille.selectors import Maille, veille_du_departement
from veille.services import debut_de_conservation


@reservee(Action.ANIMER)
def veille(request: HttpRequest) -> HttpResponse:
    departements = [
        d for d in departements_du_deploiement() if peut(request.user, Action.ANIMER, d)
    ]
    return render(request, "veille/veille.html", {"departements": departements})


def _departement_anime(request: HttpRequest, code: str) -> Departement:
    departement = get_object_or_404(departements_du_deploiement(), pk=code)
    if not peut(request.user, Action.ANIMER, departement):
        raise PermissionDenied
    return departement


@reservee(Action.ANIMER)
def veille_departement(request: HttpRequest, code: str) -> HttpResponse:
    departement = _departement_anime(request, code)
    formulaire = PeriodeForm(request.GET or None)
    du, au, maille = formulaire.periode()
    contexte = {
        "departement": departement,
        "formulaire": formulaire,
        "du": du,
        "au": au,
        "maille": dict(Maille.CHOIX)[maille],
        "parametres": request.GET.urlencode(),
        "veille": veille_du_departement(departement, du=du, au=au, maille=maille),
        "conservation": debut_de_conservation(),
    }
    return render(request, "veille/veille_departement.html", contexte)


ENTETES_CSV = [
    "maille", "code du territoire", "territoire", "besoin", "recherches", "sans réponse",
    "1 ou 2 réponses", "peu ou pas de réponses (%)",
]  # fmt: skip


@reservee(Action.ANIMER)
def veille_csv(request: HttpRequest, code: str) -> HttpResponse:
    departement = _departement_anime(request, code)
    du, au, maille = PeriodeForm(request.GET or None).periode()
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    nom = f"veille-{code}-{du.isoformat()}-{au.isoformat()}.csv"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    ecrivain = ecrivain_csv(reponse)
    ecrivain.writerow(ENTETES_CSV)
    libelle_maille = dict(Maille.CHOIX)[maille]
    for ligne in veille_du_departement(departement, du=du, au=au, maille=maille).lignes:
        valeurs = [
            libelle_maille, ligne.code, ligne.territoire, ligne.libelle_besoin, ligne.recherches,
            ligne.sans_reponse, ligne.une_ou_deux, ligne.part_peu_ou_pas,
        ]  # fmt: skip
        ecrivain.writerow([cellule_csv(v) for v in valeurs])
    return reponse
