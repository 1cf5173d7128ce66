"""API publique du baromètre des MDPH, v1 (issue 12, § 3) : les mêmes valeurs que les pages
publiques et leur CSV, en JSON stable. Les champs ne changent pas de sens ; un nouveau champ
peut s'ajouter."""

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from core.acces import publique
from core.api import REPONSES_ERREUR, Erreur
from pilotage.acces import departement_du_deploiement
from pilotage.public import barometre_public, historique
from pilotage.vues_publiques import mdph_du_barometre

router = Router(tags=["baromètre"])


class MdphResume(Schema):
    code: str = Field(description="code du département de la MDPH : 58, 2A, 971")
    nom: str
    url: str = Field(description="la page publique de la MDPH")


class IndicateurSchema(Schema):
    code: str = Field(description="delai-global, delai-aah, sans-limitation-aah, …")
    libelle: str
    unite: str = Field(description="mois ou %")
    periode: str = Field(description="trimestre (2024-T4) ou année (2026)")
    phrase: str = Field(description="la valeur dite en une phrase, en français simple")
    mdph: float | None = Field(description="la valeur de la MDPH (null : non disponible)")
    national_poole: float | None = Field(
        description="poolée sur les MDPH chargées dans Autonomie (jamais une moyenne)"
    )
    mdph_chargees: int = Field(description="nombre de MDPH dans la valeur poolée")
    national_publie: float | None = Field(description="valeur nationale publiée (DITP, CNSA)")
    periode_publiee: str
    source_publiee: str
    definition: str


class ValeurHistorique(Schema):
    indicateur: str
    libelle: str
    periode: str
    valeur_de: str = Field(description="mdph, national_poole ou national_publie")
    colonne: str = Field(description="l'en-tête de colonne du tableau de la page")
    unite: str
    valeur: float


class BarometreMdph(Schema):
    code: str
    nom: str
    indicateurs: list[IndicateurSchema]
    historique: list[ValeurHistorique]


@router.get(
    "/barometre/mdph",
    response={200: list[MdphResume], **REPONSES_ERREUR},
    summary="MDPH du baromètre",
)
@publique("liste publique des MDPH du baromètre")
def liste_mdph(request: HttpRequest):
    return [
        {"code": d.code, "nom": d.nom, "url": f"/barometre/mdph/{d.code}/"}
        for d in mdph_du_barometre()
    ]


@router.get(
    "/barometre/mdph/{code}",
    response={200: BarometreMdph, 404: Erreur, **REPONSES_ERREUR},
    summary="Baromètre d'une MDPH et tout son historique",
    description="Les indicateurs de la dernière période (avec leur phrase) et l'historique "
    "complet : valeurs de la MDPH, nationales poolées sur les MDPH chargées, nationales "
    "publiées. Délais en mois (de la recevabilité à la décision CDAPH), parts en %.",
)
@publique("baromètre public d'une MDPH")
def barometre_mdph(request: HttpRequest, code: str):
    try:
        departement = departement_du_deploiement(code)
    except Http404 as e:
        raise HttpError(404, f"Aucune MDPH « {code} » dans ce baromètre.") from e
    page = barometre_public(departement)
    return {
        "code": departement.code,
        "nom": departement.nom,
        "indicateurs": [vars(i) for i in page.indicateurs],
        "historique": historique(departement),
    }
