from django.urls import path

from pilotage import vues_publiques as vues

app_name = "barometre"
urlpatterns = [
    path("", vues.liste, name="liste"),
    path("mdph/<str:code>/", vues.mdph, name="mdph"),
    path("mdph/<str:code>/historique.csv", vues.mdph_historique, name="historique"),
    *[
        path(
            f"mdph/<str:code>/tableaux/<slug:slug>.{f}",
            vues.mdph_export,
            {"format": f},
            name=f"export_{f}",
        )
        for f in ("csv", "xlsx")
    ],
]
