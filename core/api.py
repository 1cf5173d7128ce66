"""Contrat commun de l'API publique : erreurs en français, limitation du débit.

Les messages de validation de pydantic sont en anglais ; une personne qui intègre l'API dans
le site d'une commune doit comprendre en français ce qui ne va pas dans sa requête.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, Throttled, ValidationError


class Erreur(Schema):
    detail: str = Field(description="explication en français")


class ErreurParametre(Schema):
    parametre: str = Field(description="nom du paramètre refusé, ex. par_page")
    message: str = Field(description="raison, en français")


class ErreurValidation(Erreur):
    erreurs: list[ErreurParametre] = Field(description="une entrée par paramètre refusé")


# Texte libre d'un paramètre : ni caractère de contrôle (PostgreSQL refuse l'octet nul), ni roman.
SANS_CONTROLE = r"^[^\x00-\x1f\x7f]*$"


def texte(description: str, *, max_length: int = 200) -> Any:
    """Un paramètre texte facultatif, borné et sans caractère de contrôle."""
    return Field(None, description=description, max_length=max_length, pattern=SANS_CONTROLE)


# Réponses d'erreur possibles de toute opération, documentées dans le schéma OpenAPI.
REPONSES_ERREUR: dict[int, type[Schema]] = {422: ErreurValidation, 429: Erreur}

MESSAGES: dict[str, str] = {
    "missing": "ce paramètre est obligatoire",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "finite_number": "un nombre fini est attendu",
    "bool_parsing": "true ou false est attendu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "string_too_short": "doit compter au moins {min_length} caractère(s)",
    "string_too_long": "doit compter au plus {max_length} caractères",
    "string_pattern_mismatch": "contient des caractères non admis",
    "literal_error": "valeur inconnue ; valeurs admises : {expected}",
    "enum": "valeur inconnue ; valeurs admises : {expected}",
    "string_type": "un texte est attendu",
    "value_error": "{error}",
}


def message_francais(erreur: dict[str, Any]) -> str:
    """Le message d'une erreur pydantic, en français quand son type est connu."""
    modele = MESSAGES.get(erreur.get("type", ""))
    if modele is None:
        return str(erreur.get("msg", "valeur refusée"))
    contexte = {cle: _en_texte(valeur) for cle, valeur in (erreur.get("ctx") or {}).items()}
    try:
        return modele.format(**contexte)
    except KeyError:
        return modele.split(" ;")[0]


def _en_texte(valeur: Any) -> str:
    return f"{valeur:g}" if isinstance(valeur, float) else str(valeur)


def _parametre(erreur: dict[str, Any]) -> str:
    # loc vaut ("query", "filtres", "par_page") ou ("path", "service_id") : le nom public est
    # le dernier élément après la source.
    morceaux = [str(m) for m in erreur.get("loc", ())[1:]]
    return morceaux[-1] if morceaux else ""


def validation_en_francais(
    request: HttpRequest, exc: ValidationError, *, api: NinjaAPI
) -> HttpResponse:
    erreurs = [
        {"parametre": _parametre(erreur), "message": message_francais(erreur)}
        for erreur in exc.errors
    ]
    detail = "Requête invalide : " + " ; ".join(
        f"{e['parametre']} : {e['message']}" if e["parametre"] else e["message"] for e in erreurs
    )
    return api.create_response(request, {"detail": detail, "erreurs": erreurs}, status=422)


def trop_de_requetes(request: HttpRequest, exc: Throttled, *, api: NinjaAPI) -> HttpResponse:
    """Ninja ajoute lui-même l'en-tête Retry-After à cette réponse."""
    detail = (
        "Trop de requêtes depuis votre adresse : réessayez dans une minute au plus "
        "(voir l'en-tête Retry-After, en secondes)."
    )
    return api.create_response(request, {"detail": detail}, status=429)


def non_authentifie(
    request: HttpRequest, exc: AuthenticationError, *, api: NinjaAPI
) -> HttpResponse:
    detail = (
        "Connexion requise : ouvrez une session sur le site (ou présentez un jeton "
        "personnel) pour lire cette partie de l'API."
    )
    return api.create_response(request, {"detail": detail}, status=401)


def installer_erreurs(api: NinjaAPI) -> None:
    api.add_exception_handler(
        AuthenticationError, lambda request, exc: non_authentifie(request, exc, api=api)
    )
    api.add_exception_handler(
        ValidationError, lambda request, exc: validation_en_francais(request, exc, api=api)
    )
    api.add_exception_handler(
        Throttled, lambda request, exc: trop_de_requetes(request, exc, api=api)
    )
