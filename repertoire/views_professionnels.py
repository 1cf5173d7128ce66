"""Pages des professionnels connectés : leurs jetons personnels pour l'API /api/v1/pro/."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from comptes.acces import reservee
from comptes.permissions import Action
from repertoire.forms import JetonForm
from repertoire.jetons import creer_jeton, revoquer_jeton
from repertoire.models import JetonApi


@never_cache
@reservee(Action.VOIR_CONTACTS_PROFESSIONNELS, refus="repertoire/jetons_refus.html")
def jetons(request: HttpRequest) -> HttpResponse:
    """Créer un jeton (montré une seule fois), voir les siens, en révoquer un.

    Réservé à qui peut voir des contacts réservés aux professionnels quelque part : un jeton
    ne sert qu'à l'API qui les montre."""
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
        "form": form,
        "nouveau": nouveau,
        "jetons": JetonApi.objects.filter(utilisateur=request.user),
    }
    return render(request, "repertoire/jetons.html", contexte)
