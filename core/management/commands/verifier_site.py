import os

from django.core.management.base import BaseCommand, CommandError

from core.visite import (
    Navigateur,
    Visite,
    code_totp,
    premier_identifiant,
    verifier_introuvable,
)

PUBLIC = (
    "/recherche/", "/services/", "/structures/", "/api/v1/docs", "/compte/", "/donner-mon-avis/",
    "/barometre/",
)  # fmt: skip
PROFESSIONNEL = (
    "/pilotage/", "/admin/repertoire/", "/admin/pilotage/", "/compte/", "/moderation/",
    "/fraicheur/", "/professionnels/", "/gestion/", "/veille/", "/satisfaction/",
)  # fmt: skip
# Les pages de modification d'une fiche par partie (contribution), visitées pour la première
# structure et le premier service publiés.
PARTIES = {
    "structures": (
        "modifier/", "modifier/contacts/", "lieux/", "lieux/ajouter/", "proposer-un-service/",
    ),
    "services": (
        "modifier/", "modifier/acces/", "modifier/horaires/", "modifier/exceptions/",
        "modifier/permanences/", "modifier/contacts/",
    ),
}  # fmt: skip


class Command(BaseCommand):
    help = (
        "Visite un site Autonomie en marche (après un déploiement, ou en CI) : une page de "
        "chaque type, publique puis réservée, avec ses fichiers statiques, doit répondre 200."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("url", help="adresse du serveur, ex. http://127.0.0.1:8000")
        parser.add_argument("--identifiant", help="compte pour visiter pilotage et administration")
        parser.add_argument(
            "--mot-de-passe-variable",
            default="VERIFIER_SITE_MOT_DE_PASSE",
            help="variable d'environnement qui contient son mot de passe (jamais en argument)",
        )
        parser.add_argument(
            "--cle-totp-variable",
            default="VERIFIER_SITE_CLE_TOTP",
            help="variable d'environnement qui contient la clé (base 32) du double facteur du "
            "compte, si le site le demande (jamais en argument)",
        )
        parser.add_argument("--limite", type=int, default=200, help="pages au plus")

    def handle(self, *args, url: str, identifiant: str | None, **options) -> None:
        navigateur = Navigateur(url.rstrip("/"))
        visite = Visite(navigateur, PUBLIC, limite=options["limite"])
        signaler = self.stdout.write if options["verbosity"] > 1 else (lambda _: None)
        visite.parcourir(self._depart_public(navigateur), signaler)
        if identifiant:
            self._connecter(
                navigateur,
                identifiant,
                options["mot_de_passe_variable"],
                options["cle_totp_variable"],
            )
            visite.perimetres = PUBLIC + PROFESSIONNEL
            visite.parcourir(self._depart_professionnel(navigateur), signaler)
        if introuvable := verifier_introuvable(navigateur):
            visite.echecs.append(introuvable)
        bilan = f"{visite.pages} pages et {len(visite.ressources)} fichiers statiques visités"
        if visite.echecs:
            raise CommandError(f"{bilan} ; en échec :\n" + "\n".join(visite.echecs))
        self.stdout.write(f"{bilan} : tout répond.")

    def _depart_public(self, navigateur: Navigateur) -> list[str]:
        depart = ["/sante/", "/", "/recherche/", "/recherche/?q=aide+a+domicile"]
        depart += ["/api/v1/openapi.json", "/api/v1/docs"]
        depart += ["/compte/connexion/", "/compte/mot-de-passe/oubli/"]
        # Le questionnaire de satisfaction : l'accueil, la 1re étape (les suivantes renvoient à
        # elle tant qu'elle n'est pas remplie) et le questionnaire papier (PDF).
        depart += ["/donner-mon-avis/", "/donner-mon-avis/etape/1/"]
        depart += ["/donner-mon-avis/questionnaire.pdf", "/barometre/"]
        for ressource in ("services", "structures"):
            if (ident := premier_identifiant(navigateur, ressource)) is not None:
                depart.append(f"/{ressource}/{ident}/")
        return depart

    def _depart_professionnel(self, navigateur: Navigateur) -> list[str]:
        depart = ["/pilotage/", "/admin/", "/compte/", "/professionnels/jetons/"]
        depart += ["/moderation/", "/moderation/doublons/", "/fraicheur/campagnes/"]
        depart += ["/fraicheur/qualite/", "/gestion/", "/services/proposer/"]
        depart += ["/veille/", "/satisfaction/saisie/", "/satisfaction/resultats/"]
        depart += ["/satisfaction/resultats/national/"]
        for ressource, modele in (("structures", "structure"), ("services", "service")):
            if (ident := premier_identifiant(navigateur, ressource)) is not None:
                depart.append(f"/admin/repertoire/{modele}/{ident}/change/")
                depart += [f"/{ressource}/{ident}/{partie}" for partie in PARTIES[ressource]]
        return depart

    def _connecter(
        self, navigateur: Navigateur, identifiant: str, variable: str, variable_cle: str
    ) -> None:
        mot_de_passe = os.environ.get(variable, "")
        cle = os.environ.get(variable_cle, "").strip()
        if cle:
            try:
                code_totp(cle)
            except ValueError:  # binascii.Error
                raise CommandError(f"{variable_cle} n'est pas une clé en base 32.") from None
        code = (lambda: code_totp(cle)) if cle else None
        if not navigateur.se_connecter("/compte/connexion/", identifiant, mot_de_passe, code):
            raise CommandError(
                f"Connexion refusée pour « {identifiant} » (mot de passe : {variable} ; "
                f"double facteur : {variable_cle}{'' if cle else ', vide'})."
            )
