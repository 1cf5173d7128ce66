"""Données de démonstration du pilotage : activité synthétique de quelques MDPH sur trois ans,
baromètres réels publiés (Etalab, DITP) et catalogue des priorités de la branche."""

import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from comptes.models import Institution, Role, TypeInstitution, TypeRole
from core.env import env_str
from pilotage.agregation import agreger_activite
from pilotage.barometres import importer_barometre
from pilotage.generation import POPULATIONS, generer_activite
from pilotage.models import Maille, Sens, ValeurBarometre
from pilotage.priorites import synchroniser_priorites
from territoires.models import Departement, Region
from territoires.perimetres import Niveau

DONNEES = Path(__file__).parent / "donnees"
# La Nièvre, ses voisines, l'Eure (exemple de baromètre cité par la CNSA) : de petites MDPH,
# pour une démo chargée en quelques secondes.
DEPARTEMENTS_DEMO = ("58", "18", "21", "71", "89", "03", "27", "23")
BAROMETRES = (
    ("ditp_ind-296_dmt_global_hors_aah.csv", "", ""),
    ("ditp_ind-297_dmt_aah.csv", "", ""),
    (
        "etalab_barometre_dmt_aah_departements_2017_2022.csv",
        "etalab-dmt-aah",
        "Délai moyen de traitement des demandes d'AAH (baromètre Etalab)",
    ),
    (
        "etalab_barometre_dmt_aah_national_2017_2022.csv",
        "etalab-dmt-aah",
        "Délai moyen de traitement des demandes d'AAH (baromètre Etalab)",
    ),
)


def _departements_presents() -> None:
    """Sans référentiel chargé, crée les départements (nom provisoire) pour les baromètres."""
    if Departement.objects.count() >= len(POPULATIONS):
        return
    region, _ = Region.objects.get_or_create(code="00", defaults={"nom": "Non renseignée"})
    for code in POPULATIONS:
        Departement.objects.get_or_create(
            code=code, defaults={"nom": f"Département {code}", "region": region}
        )


INDICATEUR_DELAI_GLOBAL = "IND-296"


def delais_publies(departements: tuple[str, ...]) -> dict[str, float]:
    """Le dernier délai global publié (mois) de chaque MDPH, s'il est chargé."""
    delais = {}
    for territoire, valeur in (
        ValeurBarometre.objects.filter(
            indicateur__code=INDICATEUR_DELAI_GLOBAL,
            maille=Maille.DEPARTEMENT,
            territoire__in=departements,
        )
        .order_by("territoire", "annee", "trimestre")
        .values_list("territoire", "valeur")
    ):
        delais[territoire] = valeur  # le plus récent écrit en dernier
    return delais


def charger_demo_pilotage(
    *,
    annees: tuple[int, ...] = (2022, 2023, 2024),
    departements: tuple[str, ...] = DEPARTEMENTS_DEMO,
    progression: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Importe les baromètres publiés, génère l'activité (graine fixe : reproductible) au
    délai publié de chaque MDPH, agrège et synchronise les priorités ; idempotent
    (l'activité de ces années est remplacée).

    Le délai de chaque MDPH de démonstration est son délai global publié le plus récent
    (IND-296) : une alerte « MDPH en difficulté » de la démonstration est celle d'une vraie
    MDPH, jamais un tirage au sort."""
    dire = progression or (lambda _: None)
    _departements_presents()
    for fichier, code, libelle in BAROMETRES:
        rapport = importer_barometre(
            chemin=DONNEES / fichier, indicateur=code, libelle=libelle, sens=Sens.BAISSE
        )
        dire(f"{fichier} : {rapport.resume()}")
    totaux = generer_activite(
        departements=list(departements),
        annees=list(annees),
        graine=58,
        delais=delais_publies(departements),
    )
    dire(f"{totaux['demandes']} demandes et {totaux['evenements']} événements générés.")
    totaux["agregats"] = agreger_activite(departements=list(departements))
    dire(f"{totaux['agregats']} lignes d'agrégats.")
    priorites = synchroniser_priorites()
    totaux["priorites"] = priorites["creees"] + priorites["mises_a_jour"]
    dire(f"Priorités et fiches : {priorites['creees']} créées, {priorites['mises_a_jour']} à jour.")
    return totaux


# Comptes de démonstration du pilotage : un par niveau de territoire (docs/adr/0008).
COMPTES_DEMO = (
    ("pilotage-mdph58", TypeInstitution.MDPH, "MDPH de la Nièvre", Niveau.DEPARTEMENT, "58"),
    ("pilotage-ars-bfc", TypeInstitution.ARS, "ARS Bourgogne-Franche-Comté", Niveau.REGION, "27"),
    ("pilotage-cnsa", TypeInstitution.CNSA, "CNSA", Niveau.NATIONAL, ""),
)


@transaction.atomic
def creer_comptes_pilotage_demo() -> tuple[list[str], str | None]:
    """Crée, sur un poste de développement seulement (DEBUG), les comptes de pilotage de
    démonstration : MDPH de la Nièvre (son département), ARS Bourgogne-Franche-Comté (sa
    région), CNSA (le pays). Idempotent ; un compte existant n'est pas touché.

    Mot de passe : DEMO_ADMIN_PASSWORD, sinon tiré au hasard et renvoyé pour être affiché une
    fois. Rend (identifiants créés, mot de passe généré ou None)."""
    if not settings.DEBUG:
        return [], None
    impose = env_str("DEMO_ADMIN_PASSWORD")
    mot_de_passe = impose or secrets.token_urlsafe(12)
    utilisateurs = get_user_model()._default_manager
    crees = []
    for identifiant, type_, nom, niveau, code in COMPTES_DEMO:
        territoire = _territoire_demo(niveau, code)
        if territoire is None or utilisateurs.filter(username=identifiant).exists():
            continue
        institution, _ = Institution.objects.get_or_create(
            type=type_, nom=nom, defaults={"niveau": niveau, **territoire}
        )
        utilisateur = utilisateurs.create_user(
            identifiant, f"{identifiant}@demo.invalid", mot_de_passe
        )
        Role.objects.create(
            utilisateur=utilisateur, institution=institution, type=TypeRole.PILOTAGE
        )
        crees.append(identifiant)
    return crees, None if impose or not crees else mot_de_passe


def _territoire_demo(niveau: str, code: str) -> dict | None:
    """Les champs du territoire d'une institution de démo ; None s'il n'est pas chargé."""
    if niveau == Niveau.NATIONAL:
        return {}
    modele, champ = (Region, "region") if niveau == Niveau.REGION else (Departement, "departement")
    territoire = modele.objects.filter(pk=code).first()
    return {champ: territoire} if territoire else None
