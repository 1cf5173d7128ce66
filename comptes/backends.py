"""Connexion par adresse électronique (ou par identifiant, pour les comptes d'avant)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class ConnexionParCourriel(ModelBackend):
    """Trouve le compte par son adresse électronique, sans tenir compte de la casse.

    Le formulaire de connexion garde son champ `username` (django-axes compte les échecs sur
    ce champ, quel que soit ce qu'on y tape). Une adresse partagée par deux comptes n'ouvre
    aucun des deux : on ne choisit pas au hasard à qui donner la session. Sinon, le champ
    vaut l'identifiant Django (les comptes créés avant les adresses, `createsuperuser`).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        modele = get_user_model()
        saisie = username if username is not None else kwargs.get(modele.USERNAME_FIELD)
        if not saisie or password is None:
            return None
        utilisateur = self._par_courriel(saisie) or self._par_identifiant(saisie)
        if utilisateur is None:
            modele().set_password(password)  # même durée qu'un compte existant
            return None
        if utilisateur.check_password(password) and self.user_can_authenticate(utilisateur):
            return utilisateur
        return None

    def _par_courriel(self, saisie: str) -> Any:
        if "@" not in saisie:
            return None
        comptes = list(get_user_model()._default_manager.filter(email__iexact=saisie.strip())[:2])
        return comptes[0] if len(comptes) == 1 else None

    def _par_identifiant(self, saisie: str) -> Any:
        modele = get_user_model()
        try:
            return modele._default_manager.get_by_natural_key(saisie)
        except modele.DoesNotExist:
            return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """Permissions des modèles (administration) : l'administrateur de la plateforme les a
        toutes, comme un superutilisateur ; les actions de `comptes.permissions` restent à
        `rules`, qui vérifie le territoire."""
        if super().has_perm(user_obj, perm, obj):
            return True
        return obj is None and not _est_une_action(perm) and _administre(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return super().has_module_perms(user_obj, app_label) or _administre(user_obj)


def _est_une_action(perm: str) -> bool:
    from comptes.permissions import Action

    application, _, nom = perm.partition(".")
    return application == "comptes" and nom in set(Action)


def _administre(utilisateur: Any) -> bool:
    from comptes.permissions import Action, peut

    return peut(utilisateur, Action.ADMINISTRER)
