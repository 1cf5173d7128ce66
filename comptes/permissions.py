"""Qui peut faire quoi, et où : la seule décision de permission de la plateforme.

`peut(utilisateur, action, objet)` décide ; chaque action est aussi enregistrée auprès de
`rules` sous le nom `comptes.<action>`, pour que vues, API, administration et gabarits
posent la même question par `user.has_perm("comptes.voir_pilotage", departement)` ou
`{% has_perm "comptes.moderer" user commune as peut_moderer %}`.

Un rôle en vigueur donne ses actions (`DROITS`) sur tout ce qui est dans son territoire.
L'objet est un territoire (région, département, EPCI, commune, périmètre), un objet qui
dit où il se trouve (`ObjetTerritorial`) ou None (« quelque part » : pour afficher un menu).
Un superutilisateur actif peut tout, comme partout dans Django. Voir docs/adr/0008 (et
docs/adr/0010 pour proposer un nouveau service).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import rules

from comptes.models import Role, TypeInstitution, TypeRole
from territoires.models import EPCI, Commune, Departement, Region
from territoires.perimetres import Cible, Emplacement, Perimetre, couvre, emplacement


class Action(StrEnum):
    VOIR_PILOTAGE = "voir_pilotage"
    VOIR_CONTACTS_PROFESSIONNELS = "voir_contacts_professionnels"
    MODIFIER_FICHE = "modifier_fiche"
    MODERER = "moderer"
    ANIMER = "animer"
    ADMINISTRER = "administrer"
    INVITER = "inviter"
    PROPOSER_SERVICE = "proposer_service"
    SAISIR_QUESTIONNAIRES = "saisir_questionnaires"
    LIRE_AVIS_LIBRES = "lire_avis_libres"
    ACCOMPAGNER = "accompagner"


DROITS: dict[TypeRole, frozenset[Action]] = {
    TypeRole.ADMINISTRATEUR: frozenset(Action),
    TypeRole.ANIMATEUR: frozenset(
        {
            Action.ANIMER,
            Action.VOIR_CONTACTS_PROFESSIONNELS,
            Action.INVITER,
            Action.PROPOSER_SERVICE,
        }
    ),
    TypeRole.MODERATEUR: frozenset(
        {
            Action.MODERER,
            Action.MODIFIER_FICHE,
            Action.VOIR_CONTACTS_PROFESSIONNELS,
            Action.PROPOSER_SERVICE,
        }
    ),
    # Issue 10 : le rôle pilotage lit le pilotage de son territoire. Issue 12 : celui d'une
    # MDPH saisit aussi les questionnaires de satisfaction reçus sur papier et lit les avis
    # libres (masqués) de ses usagers ; celui des financeurs et tutelles d'une MDPH (CNSA,
    # ARS, Département) écrit le dossier d'accompagnement d'une MDPH en difficulté de son
    # territoire (`RESERVEES_AUX_INSTITUTIONS`).
    TypeRole.PILOTAGE: frozenset(
        {
            Action.VOIR_PILOTAGE,
            Action.SAISIR_QUESTIONNAIRES,
            Action.LIRE_AVIS_LIBRES,
            Action.ACCOMPAGNER,
        }
    ),
    TypeRole.GESTIONNAIRE: frozenset(
        {
            Action.MODIFIER_FICHE,
            Action.VOIR_CONTACTS_PROFESSIONNELS,
            Action.INVITER,
            Action.PROPOSER_SERVICE,
        }
    ),
    TypeRole.PROFESSIONNEL: frozenset(
        {Action.VOIR_CONTACTS_PROFESSIONNELS, Action.PROPOSER_SERVICE}
    ),
}
# Un gestionnaire de structure ne modifie que les fiches que gère son institution, où
# qu'elles soient, et n'invite que pour elle ; jamais sur « un territoire » (None, « quelque
# part », reste vrai).
SUR_SES_FICHES_SEULEMENT = {
    (TypeRole.GESTIONNAIRE, Action.MODIFIER_FICHE),
    (TypeRole.GESTIONNAIRE, Action.INVITER),
}
# Issue 11, § 1 : proposer un nouveau service (relu par un modérateur avant publication), pour
# une structure de son institution où qu'elle soit, ou pour toute structure de son territoire.
AUSSI_SES_FICHES = {
    (type_, Action.PROPOSER_SERVICE)
    for type_ in TypeRole
    if Action.PROPOSER_SERVICE in DROITS[type_]
}
# L'administrateur de la plateforme invite partout : il attribue déjà tout rôle, sur tout
# territoire, depuis l'administration ; le borner ici ne fermerait rien.
PARTOUT = {(TypeRole.ADMINISTRATEUR, Action.INVITER)}
# Issue 12 : une action que seul le rôle d'une institution de ce type exerce (l'administrateur
# de la plateforme excepté). Les questionnaires papier arrivent à la MDPH : ses agents les
# saisissent, sur son territoire ; un rôle de pilotage d'une ARS ou d'un Département, non.
RESERVEES_AUX_INSTITUTIONS: dict[Action, frozenset[str]] = {
    Action.SAISIR_QUESTIONNAIRES: frozenset({TypeInstitution.MDPH}),
    # Les avis libres parlent de personnes et d'agents de la MDPH : ils restent à la MDPH.
    Action.LIRE_AVIS_LIBRES: frozenset({TypeInstitution.MDPH}),
    # Issue 12, § 4 : l'accompagnement d'une MDPH en difficulté est conduit par la CNSA, l'ARS
    # et le Département, qui signent l'engagement avec elle et financent les renforts ; la
    # MDPH accompagnée lit son dossier (VOIR_PILOTAGE) mais n'écrit ni son diagnostic ni
    # l'évaluation de son plan (docs/adr/0023-mdph-en-difficulte-et-accompagnement.md).
    Action.ACCOMPAGNER: frozenset(
        {TypeInstitution.CNSA, TypeInstitution.ARS, TypeInstitution.CONSEIL_DEPARTEMENTAL}
    ),
}
# Qui peut inviter à quel rôle (issue 10) : jamais un rôle plus fort que le sien.
ROLES_INVITABLES: dict[TypeRole, frozenset[TypeRole]] = {
    TypeRole.ADMINISTRATEUR: frozenset(TypeRole),
    TypeRole.ANIMATEUR: frozenset(TypeRole) - {TypeRole.ADMINISTRATEUR},
    TypeRole.GESTIONNAIRE: frozenset({TypeRole.GESTIONNAIRE, TypeRole.PROFESSIONNEL}),
}


@runtime_checkable
class ObjetTerritorial(Protocol):
    """Ce que doit offrir un objet métier (fiche, demande…) pour être vérifié ici.

    `institution_gestionnaire_id` (facultatif) : l'institution qui gère la fiche, pour le
    gestionnaire de structure. `role_invite` (facultatif, pour `INVITER`) : le rôle proposé.
    """

    def territoire_pour_permissions(self) -> Cible: ...


@dataclass(frozen=True)
class RoleEnVigueur:
    type: TypeRole
    institution_id: int
    perimetre: Perimetre
    type_institution: str = ""


def roles_en_vigueur(utilisateur: Any) -> tuple[RoleEnVigueur, ...]:
    """Les rôles en vigueur aujourd'hui, lus une fois par objet utilisateur (par requête)."""
    if not hasattr(utilisateur, "_roles_en_vigueur"):
        roles = Role.objects.actifs().filter(utilisateur=utilisateur).select_related("institution")
        utilisateur._roles_en_vigueur = tuple(
            RoleEnVigueur(
                TypeRole(role.type),
                role.institution_id,
                role.perimetre(),
                role.institution.type,
            )
            for role in roles.prefetch_related("communes", "institution__communes")
        )
    return utilisateur._roles_en_vigueur


def oublier_roles(utilisateur: Any) -> None:
    """Après un changement de rôles, relire ceux de cet objet utilisateur."""
    utilisateur.__dict__.pop("_roles_en_vigueur", None)


def territoire_de(objet: object) -> Cible:
    if isinstance(objet, (Region, Departement, EPCI, Commune, Perimetre)):
        return objet
    if isinstance(objet, ObjetTerritorial):
        return objet.territoire_pour_permissions()
    raise TypeError(f"Permission demandée sur un objet sans territoire : {type(objet).__name__}")


def peut(utilisateur: Any, action: Action | str, objet: object = None) -> bool:
    """L'utilisateur peut-il faire `action` sur `objet` (None : quelque part) ?"""
    action = Action(action)
    if not getattr(utilisateur, "is_active", False):
        return False  # le public (AnonymousUser) comme un compte désactivé
    if utilisateur.is_superuser:
        return True
    ou: list[Emplacement] = []  # calculé une fois, au premier rôle qui en a besoin

    def dans(perimetre: Perimetre) -> bool:
        if not ou:
            ou.append(emplacement(territoire_de(objet)))
        return couvre(perimetre, ou[0])

    for role in roles_en_vigueur(utilisateur):
        if action not in DROITS[role.type]:
            continue
        if action == Action.INVITER and not _peut_inviter_a(role.type, objet):
            continue
        if not _de_la_bonne_institution(role, action):
            continue
        if (role.type, action) in PARTOUT:
            return True
        if (role.type, action) in SUR_SES_FICHES_SEULEMENT:
            gestionnaire = getattr(objet, "institution_gestionnaire_id", None)
            if objet is None or (gestionnaire is not None and gestionnaire == role.institution_id):
                return True
        elif objet is None or _de_son_institution(role, action, objet) or dans(role.perimetre):
            return True
    return False


def _de_son_institution(role: RoleEnVigueur, action: Action, objet: object) -> bool:
    """Pour les actions de `AUSSI_SES_FICHES` : la fiche est gérée par l'institution du rôle."""
    if (role.type, action) not in AUSSI_SES_FICHES:
        return False
    gestionnaire = getattr(objet, "institution_gestionnaire_id", None)
    return gestionnaire is not None and gestionnaire == role.institution_id


def _de_la_bonne_institution(role: RoleEnVigueur, action: Action) -> bool:
    """Pour les actions de `RESERVEES_AUX_INSTITUTIONS` : le rôle est-il d'une institution du
    type voulu (l'administrateur de la plateforme l'est toujours) ?"""
    types = RESERVEES_AUX_INSTITUTIONS.get(action)
    return types is None or role.type == TypeRole.ADMINISTRATEUR or role.type_institution in types


def _peut_inviter_a(type_: TypeRole, objet: object) -> bool:
    """Le rôle proposé (`objet.role_invite`) est-il de ceux que ce rôle peut donner ?"""
    propose = getattr(objet, "role_invite", None)
    return propose is None or propose in ROLES_INVITABLES.get(type_, frozenset())


def _predicat(action: Action) -> rules.Predicate:
    def predicat(utilisateur: Any, objet: object = None) -> bool:
        return peut(utilisateur, action, objet)

    return rules.predicate(predicat, name=f"peut_{action}")


for _action in Action:
    rules.set_perm(f"comptes.{_action}", _predicat(_action))
