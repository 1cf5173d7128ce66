"""Données de démonstration du pilotage : activité synthétique de quelques MDPH sur trois ans,
baromètres réels publiés (Etalab, DITP) et catalogue des priorités de la branche."""

from collections.abc import Callable
from pathlib import Path

from pilotage.agregation import agreger_activite
from pilotage.barometres import importer_barometre
from pilotage.generation import POPULATIONS, generer_activite
from pilotage.models import Sens
from pilotage.priorites import synchroniser_priorites
from territoires.models import Departement, Region

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


def charger_demo_pilotage(
    *,
    annees: tuple[int, ...] = (2022, 2023, 2024),
    departements: tuple[str, ...] = DEPARTEMENTS_DEMO,
    progression: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Génère l'activité (graine fixe : reproductible), agrège, importe les baromètres publiés
    et synchronise les priorités ; idempotent (l'activité de ces années est remplacée)."""
    dire = progression or (lambda _: None)
    _departements_presents()
    totaux = generer_activite(departements=list(departements), annees=list(annees), graine=58)
    dire(f"{totaux['demandes']} demandes et {totaux['evenements']} événements générés.")
    totaux["agregats"] = agreger_activite(departements=list(departements))
    dire(f"{totaux['agregats']} lignes d'agrégats.")
    for fichier, code, libelle in BAROMETRES:
        rapport = importer_barometre(
            chemin=DONNEES / fichier, indicateur=code, libelle=libelle, sens=Sens.BAISSE
        )
        dire(f"{fichier} : {rapport.resume()}")
    priorites = synchroniser_priorites()
    totaux["priorites"] = priorites["creees"] + priorites["mises_a_jour"]
    dire(f"Priorités et fiches : {priorites['creees']} créées, {priorites['mises_a_jour']} à jour.")
    return totaux
