"""Où lire : la base principale, ou une réplique en lecture pour les lectures publiques.

Sans `DATABASE_REPLICA_URL`, tout se lit et s'écrit sur la base principale, comme toujours :
le routeur et le middleware ne changent rien. Avec des répliques (README, « Répliques en
lecture »), une requête décide une fois, à son arrivée, où elle lit (`base_de_lecture`), et
le garde dans une variable de contexte que lisent le routeur de l'ORM et `pour_lire` (SQL
brut du moteur de recherche). Toute une requête lit ainsi sur la même base.

Restent sur la principale : toute écriture ; toute requête qui n'est pas GET ou HEAD, celle
d'une personne connectée, celle d'un navigateur qui vient d'écrire (témoin
`autonomie_ecriture`) ; les commandes et migrations (aucune requête ne choisit pour elles) ;
toute lecture faite dans une transaction ; les tables des comptes et des sessions.
"""

import random
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

TEMOIN_ECRITURE = "autonomie_ecriture"
METHODES_DE_LECTURE = frozenset({"GET", "HEAD"})
# Méthodes sans écriture : elles ne posent pas le témoin (OPTIONS : pré-vol CORS de l'API).
METHODES_SURES = METHODES_DE_LECTURE | {"OPTIONS", "TRACE"}
# Connexions, sessions, rôles, double facteur : une personne qui vient de se connecter ou un
# rôle qui vient d'être retiré se lisent toujours à jour.
APPLICATIONS_SUR_LA_PRINCIPALE = frozenset(
    {"auth", "sessions", "comptes", "axes", "otp_totp", "otp_static", "admin"}
)

_base_de_lecture: ContextVar[str] = ContextVar(
    "autonomie_base_de_lecture", default=DEFAULT_DB_ALIAS
)


def alias_de_lecture() -> str:
    """L'alias où lire maintenant : celui choisi par la requête en cours, sauf dans une
    transaction ouverte sur la principale (ce qu'on y lit peut dépendre de ce qu'on y a écrit)."""
    alias = _base_de_lecture.get()
    if alias != DEFAULT_DB_ALIAS and connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def pour_lire() -> BaseDatabaseWrapper:
    """La connexion où lire hors de l'ORM (SQL brut) : celle que l'ORM lirait aussi."""
    return connections[alias_de_lecture()]


@contextmanager
def lire_sur(alias: str) -> Iterator[None]:
    """Le temps du bloc, les lectures vont sur `alias` (une réplique, ou la principale)."""
    jeton = _base_de_lecture.set(alias)
    try:
        yield
    finally:
        _base_de_lecture.reset(jeton)


def lire_sur_la_principale() -> AbstractContextManager[None]:
    return lire_sur(DEFAULT_DB_ALIAS)


def base_de_lecture(request: HttpRequest) -> str:
    """Une réplique pour une lecture publique anonyme (recherche, fiches, API publique) d'un
    navigateur qui n'a rien écrit depuis `REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES`
    secondes ; la principale pour tout le reste."""
    repliques = settings.REPLIQUES_EN_LECTURE
    if (
        not repliques
        or request.method not in METHODES_DE_LECTURE
        or not re.match(settings.REPLIQUES_ADRESSES_REGEX, request.path_info)
        or TEMOIN_ECRITURE in request.COOKIES
        or request.user.is_authenticated
    ):
        return DEFAULT_DB_ALIAS
    # Une réplique tirée au sort par requête : la charge se répartit sans état partagé.
    return random.choice(repliques)


class LecturesSurRepliqueMiddleware:
    """Choisit la base de lecture de chaque requête ; pose le témoin après une écriture.

    Retiré de la chaîne (MiddlewareNotUsed) quand aucune réplique n'est configurée."""

    def __init__(self, get_response) -> None:
        if not settings.REPLIQUES_EN_LECTURE:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with lire_sur(base_de_lecture(request)):
            response = self.get_response(request)
        if request.method not in METHODES_SURES:
            _poser_temoin(response)
        return response


def _poser_temoin(response: HttpResponse) -> None:
    """Le navigateur qui vient d'écrire lit sur la principale le temps que les répliques
    rattrapent : il voit aussitôt la fiche qu'il vient d'enregistrer. Témoin technique sans
    donnée personnelle (valeur fixe), exempté de consentement comme ceux de répartition de
    charge (CNIL)."""
    response.set_cookie(
        TEMOIN_ECRITURE,
        "1",
        max_age=settings.REPLIQUES_PRINCIPALE_APRES_ECRITURE_SECONDES,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class RouteurDesLectures:
    """Routeur de l'ORM : lectures sur la base choisie par la requête, tout le reste sur la
    principale."""

    def db_for_read(self, model, **hints) -> str:
        # Toujours un alias, jamais None : sans quoi Django lirait sur la base d'où vient
        # l'objet de l'indice (une réplique) même dans une requête qui écrit.
        if model._meta.app_label in APPLICATIONS_SUR_LA_PRINCIPALE:
            return DEFAULT_DB_ALIAS
        return alias_de_lecture()

    def db_for_write(self, model, **hints) -> str:
        # Un objet lu sur une réplique puis modifié s'enregistre sur la principale.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        """Les répliques sont des copies de la principale : un objet lu sur l'une peut être
        lié à un objet de l'autre (la clé étrangère s'écrit sur la principale)."""
        bases = {DEFAULT_DB_ALIAS, *settings.REPLIQUES_EN_LECTURE}
        if obj1._state.db in bases and obj2._state.db in bases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        """Une réplique reçoit le schéma par la réplication, jamais par `migrate`."""
        return db == DEFAULT_DB_ALIAS
