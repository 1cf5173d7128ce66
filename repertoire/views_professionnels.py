"""Pages des professionnels connectés : leurs jetons personnels pour l'API /api/v1/pro/."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache

from comptes.permissions import Action, peut
from repertoire.forms import JetonForm
from repertoire.jetons import creer_jeton, revoquer_jeton
from repertoire.models import JetonApi

# La page de connexion du site (tenue par comptes / pilotage).
CONNEXION = reverse_lazy("pilotage:connexion")


@never_cache
@login_required(login_url=CONNEXION)
def jetons(request: HttpRequest) -> HttpResponse:
    """Créer un jeton (montré une seule fois), voir les siens, en révoquer un.

    Réservé à qui peut voir des contacts réservés aux professionnels quelque part : un jeton
    ne sert qu'à l'API qui les montre."""
    if not peut(request.user, Action.VOIR_CONTACTS_PROFESSIONNELS):
        return render(request, "repertoire/jetons.html", {"autorise": False}, status=403)
    form, nouveau = JetonForm(), ""
    if request.method == "POST" and "revoquer" in request.POST:
        jeton = get_object_or_404(
            JetonApi, pk=request.POST.get("revoquer", ""), utilisateur=request.user
        )
        revoquer_jeton(jeton=jeton)
        return redirect("repertoire:jetons")
    if request.method == "POST":
        form = JetonForm(request.POST)
        if form.is_valid():
            _, nouveau = creer_jeton(utilisateur=request.user, nom=form.cleaned_data["nom"])
            form = JetonForm()
    contexte = {
        "autorise": True,
        "form": form,
        "nouveau": nouveau,
        "jetons": JetonApi.objects.filter(utilisateur=request.user),
    }
    return render(request, "repertoire/jetons.html", contexte)
