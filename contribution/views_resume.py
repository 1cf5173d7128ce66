"""Désinscription du résumé de modération : le lien signé du courriel tient lieu de droit."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from contribution import annonces
from core.acces import publique


@publique("le lien signé du résumé de modération tient lieu de droit")
@require_http_methods(["GET", "POST"])
def desinscription_resume(request: HttpRequest, jeton: str) -> HttpResponse:
    """GET montre, seul POST écrit (les aperçus de liens des messageries ne désinscrivent
    personne) ; la même page permet de se réinscrire."""
    utilisateur = annonces.utilisateur_du_lien(jeton)
    if utilisateur is None:
        raise Http404("Lien de désinscription inconnu")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "reinscrire":
        annonces.reinscrire(utilisateur)
    elif request.method == "POST":
        annonces.desinscrire(utilisateur)
    contexte = {
        "courriel": utilisateur.email,
        "desinscrit": annonces.est_desinscrit(utilisateur),
        "fait": action,
    }
    return render(request, "contribution/desinscription_resume.html", contexte)
