from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from comptes import views
from comptes.acces import reservee
from core.acces import publique

app_name = "comptes"
GABARITS = "comptes/mot_de_passe"
PAR_COURRIEL = publique("réinitialisation par courriel : le lien reçu tient lieu de droit")

urlpatterns = [
    path("", views.mon_compte, name="mon_compte"),
    path("connexion/", views.connexion, name="connexion"),
    path("connexion/code/", views.double_facteur_code, name="double_facteur_code"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("double-facteur/", views.double_facteur_activer, name="double_facteur_activer"),
    path(
        "double-facteur/desactiver/",
        views.double_facteur_desactiver,
        name="double_facteur_desactiver",
    ),
    path("inviter/", views.inviter, name="inviter"),
    path("invitation/<str:jeton>/", views.invitation, name="invitation"),
    path(
        "mot-de-passe/",
        reservee(None)(
            auth_views.PasswordChangeView.as_view(
                template_name=f"{GABARITS}/changer.html",
                success_url=reverse_lazy("comptes:mot_de_passe_change"),
            )
        ),
        name="mot_de_passe",
    ),
    path(
        "mot-de-passe/change/",
        reservee(None)(
            auth_views.PasswordChangeDoneView.as_view(template_name=f"{GABARITS}/change.html")
        ),
        name="mot_de_passe_change",
    ),
    path(
        "mot-de-passe/oubli/",
        PAR_COURRIEL(
            auth_views.PasswordResetView.as_view(
                template_name=f"{GABARITS}/oubli.html",
                subject_template_name="comptes/courriels/reinitialisation_sujet.txt",
                email_template_name="comptes/courriels/reinitialisation.txt",
                html_email_template_name="comptes/courriels/reinitialisation.html",
                success_url=reverse_lazy("comptes:mot_de_passe_envoye"),
            )
        ),
        name="mot_de_passe_oubli",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        PAR_COURRIEL(
            auth_views.PasswordResetDoneView.as_view(template_name=f"{GABARITS}/envoye.html")
        ),
        name="mot_de_passe_envoye",
    ),
    # « /reinitialisation/<…>/<…>/ » : le filtre des journaux masque ce qui suit (jeton).
    path(
        "reinitialisation/<uidb64>/<token>/",
        PAR_COURRIEL(
            auth_views.PasswordResetConfirmView.as_view(
                template_name=f"{GABARITS}/nouveau.html",
                success_url=reverse_lazy("comptes:mot_de_passe_reinitialise"),
            )
        ),
        name="mot_de_passe_nouveau",
    ),
    path(
        "mot-de-passe/reinitialise/",
        PAR_COURRIEL(
            auth_views.PasswordResetCompleteView.as_view(
                template_name=f"{GABARITS}/reinitialise.html"
            )
        ),
        name="mot_de_passe_reinitialise",
    ),
]
