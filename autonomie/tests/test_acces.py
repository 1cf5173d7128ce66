"""Chaque adresse du site dit qui peut l'ouvrir, et une adresse réservée refuse le public.

Le test parcourt toute l'urlconf (pages, exports, API, administration) : une vue sans
marque d'accès (`core.acces.publique` ou `comptes.acces.reservee`) le fait échouer, de même
qu'un point d'API authentifié sans passer ensuite par `comptes.acces.reservee_api`. Puis il
ouvre chaque adresse réservée sans compte, et avec un compte sans aucun rôle : aucune ne doit
répondre 200.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView

from autonomie.api import api
from comptes.acces import CONNECTEE, site_reserve_aux_administrateurs
from core.acces import acces_de

# Les deux vues que django-ninja fabrique lui-même : le schéma et sa documentation publique.
NINJA_PUBLIQUES = {"api-v1:openapi-json", "api-v1:openapi-view", "api-v1:api-root"}
EXEMPLES = {"code": "58", "slug": "delai-global", "numero": "1", "annee": "2023", "pk": "1"}


@dataclass(frozen=True)
class Adresse:
    modele: str
    nom: str
    vue: object


def adresses(
    resolveur: URLResolver | None = None, prefixe: str = "", espace: str = ""
) -> Iterator[Adresse]:
    for motif in (resolveur or get_resolver()).url_patterns:
        if isinstance(motif, URLResolver):
            sous_espace = motif.namespace or espace
            yield from adresses(motif, prefixe + str(motif.pattern), sous_espace)
        elif isinstance(motif, URLPattern):
            nom = f"{espace}:{motif.name}" if espace else str(motif.name)
            yield Adresse(prefixe + str(motif.pattern), nom, motif.callback)


def operations_ninja() -> Iterator[tuple[str, object]]:
    """Les opérations telles que l'API les sert (routeurs liés : authentification héritée)."""
    for routeur in api._get_bound_routers():
        for chemin, vue_de_chemin in routeur.path_operations.items():
            assert isinstance(vue_de_chemin, PathView)
            for operation in vue_de_chemin.operations:
                yield f"{routeur.prefix}{chemin}", operation


def url_exemple(modele: str) -> str:
    def remplacer(trouve: re.Match) -> str:
        return EXEMPLES.get(trouve.group(1), "1")

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", remplacer, modele)


def pages() -> list[Adresse]:
    return [
        a for a in adresses() if not a.nom.startswith(("admin:", "api-v1:")) and a.nom != "None"
    ]


def test_chaque_page_dit_qui_peut_l_ouvrir():
    sans_marque = [a.modele for a in pages() if acces_de(a.vue) is None]
    assert sans_marque == []


def test_chaque_point_d_api_est_public_par_choix_ou_authentifie_puis_verifie_par_peut():
    oublis = []
    for chemin, operation in operations_ninja():
        marque = acces_de(operation.view_func)
        authentifie = bool(operation.auth_callbacks)
        publique_par_choix = not authentifie and marque is not None and marque.publique
        verifiee = authentifie and marque is not None and marque.permission.startswith("comptes.")
        if not (publique_par_choix or verifiee):
            oublis.append(chemin)
    assert oublis == []


def test_l_administration_passe_par_la_fonction_de_permission():
    assert site_reserve_aux_administrateurs(admin.site)
    hors_site = [
        a.modele
        for a in adresses()
        if a.modele.startswith("admin/") and not a.nom.startswith("admin:")
    ]
    assert hors_site == []


def reservees(*, sauf_son_compte: bool = False) -> list[str]:
    return [
        url_exemple(a.modele)
        for a in pages()
        if (acces := acces_de(a.vue)) is not None
        and not acces.publique
        and not (sauf_son_compte and acces.permission == CONNECTEE)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", reservees())
def test_une_adresse_reservee_ne_s_ouvre_pas_sans_compte(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert "/connexion/?next=" in reponse["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", reservees(sauf_son_compte=True))
def test_une_adresse_reservee_ne_s_ouvre_pas_a_un_compte_sans_role(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("sans-role", "sans.role@exemple.fr"))
    assert client.get(url).status_code == 403
