"""La matrice des permissions : rôle × action × territoire, dans et hors du territoire.

La table ATTENDU est la spécification (issue 10), écrite ici sans relire `DROITS`.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from comptes.models import Invitation, TypeRole
from comptes.permissions import Action, oublier_roles, peut
from comptes.tests.factories import InstitutionFactory, RoleFactory, UtilisateurFactory
from territoires.models import Commune, Departement
from territoires.perimetres import Niveau

pytestmark = pytest.mark.django_db

TOUT = set(Action)
CONTACTS = Action.VOIR_CONTACTS_PROFESSIONNELS
# Proposer un nouveau service (issue 11, § 1) : tout rôle d'une institution partenaire, sauf le
# pilotage, dans son territoire (et pour les structures de son institution, voir plus bas).
PROPOSER = Action.PROPOSER_SERVICE
ATTENDU: dict[TypeRole, set[Action]] = {
    TypeRole.ADMINISTRATEUR: TOUT,
    TypeRole.ANIMATEUR: {Action.ANIMER, CONTACTS, Action.INVITER, PROPOSER},
    TypeRole.MODERATEUR: {Action.MODERER, Action.MODIFIER_FICHE, CONTACTS, PROPOSER},
    # Saisir les questionnaires papier, lire les avis libres (issue 12) : le rôle de pilotage
    # d'une MDPH seulement ; accompagner une MDPH : celui de la CNSA, d'une ARS ou d'un
    # Département. L'institution de la fabrique n'est pas une MDPH (voir
    # satisfaction/tests/test_saisie_papier.py).
    TypeRole.PILOTAGE: {Action.VOIR_PILOTAGE, Action.ACCOMPAGNER},
    # Modifier une fiche, inviter : seulement pour son institution (voir plus bas), pas sur un
    # territoire.
    TypeRole.GESTIONNAIRE: {CONTACTS, PROPOSER},
    TypeRole.PROFESSIONNEL: {CONTACTS, PROPOSER},
}
# L'administrateur de la plateforme invite partout, même hors du territoire de son rôle.
PARTOUT = {(TypeRole.ADMINISTRATEUR, Action.INVITER)}
# L'administrateur de la plateforme invite partout, même hors du territoire de son rôle.
PARTOUT = {(TypeRole.ADMINISTRATEUR, Action.INVITER)}
# Issue 12, § 4 : le pilotage de la CNSA, d'une ARS, d'un Département (les institutions des
# traits nationale, regionale, et par défaut) accompagne une MDPH ; celui d'un CLIC, non.
ACCOMPAGNEMENT_PAR = {"national", "région Bourgogne-Franche-Comté", "département de la Nièvre"}
NEVERS, VARENNES_VAUZELLES, COSNE, DIJON, LYON = "58194", "58303", "58086", "21231", "69123"
# Territoire de l'institution : (trait de la fabrique, commune dedans, commune dehors ou None).
TERRITOIRES = {
    "national": ({"nationale": True}, LYON, None),
    "région Bourgogne-Franche-Comté": ({"regionale": True}, DIJON, LYON),
    "département de la Nièvre": ({}, NEVERS, DIJON),
    "EPCI de Nevers": ({"intercommunale": True}, NEVERS, COSNE),
    "commune de Nevers": ({"communale": True, "communes": [NEVERS]}, NEVERS, VARENNES_VAUZELLES),
}
CAS = [
    pytest.param(type_, action, territoire, dedans, id=f"{type_}-{action}-{territoire}-{lieu}")
    for type_ in TypeRole
    for action in Action
    for territoire, (_, commune_dedans, commune_dehors) in TERRITOIRES.items()
    for dedans, lieu in ((True, "dedans"), (False, "dehors"))
    if dedans or commune_dehors
]


def personne_avec_role(type_: TypeRole, territoire: str, **role):
    trait = TERRITOIRES[territoire][0]
    return RoleFactory(type=type_, institution=InstitutionFactory(**trait), **role).utilisateur


@pytest.mark.parametrize(("type_", "action", "territoire", "dedans"), CAS)
def test_un_role_fait_ses_actions_dans_son_territoire_et_nulle_part_ailleurs(
    type_, action, territoire, dedans
):
    utilisateur = personne_avec_role(type_, territoire)
    _, commune_dedans, commune_dehors = TERRITOIRES[territoire]
    commune = Commune.objects.get(pk=commune_dedans if dedans else commune_dehors)
    attendu = (dedans or (type_, action) in PARTOUT) and action in ATTENDU[type_]
    if (type_, action) == (TypeRole.PILOTAGE, Action.ACCOMPAGNER):
        attendu = attendu and territoire in ACCOMPAGNEMENT_PAR
    assert utilisateur.has_perm(f"comptes.{action}", commune) is attendu
    assert peut(utilisateur, action, commune) is attendu


def test_la_matrice_couvre_chaque_role_chaque_action_et_chaque_territoire():
    assert len(CAS) == len(TypeRole) * len(Action) * (2 * len(TERRITOIRES) - 1) == 594


@pytest.mark.parametrize("action", Action)
def test_le_public_ne_peut_rien(action):
    assert not AnonymousUser().has_perm(f"comptes.{action}", Departement.objects.get(pk="58"))
    assert not AnonymousUser().has_perm(f"comptes.{action}")


@pytest.mark.parametrize("action", Action)
def test_un_compte_sans_role_ne_peut_rien(action):
    assert not UtilisateurFactory().has_perm(f"comptes.{action}", Commune.objects.get(pk=NEVERS))


@pytest.mark.parametrize("action", Action)
def test_un_superutilisateur_peut_tout_partout(action):
    superutilisateur = UtilisateurFactory(is_superuser=True)
    assert superutilisateur.has_perm(f"comptes.{action}", Commune.objects.get(pk=LYON))


@pytest.mark.parametrize(
    "etat",
    [
        {"actif": False},
        {"date_fin": dt.date(2000, 1, 1)},
        {"utilisateur__is_active": False},
    ],
    ids=["role-desactive", "role-echu", "compte-desactive"],
)
def test_un_role_desactive_echu_ou_d_un_compte_desactive_ne_donne_rien(etat):
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "département de la Nièvre", **etat)
    assert not utilisateur.has_perm("comptes.voir_pilotage", Commune.objects.get(pk=NEVERS))


def test_un_role_qui_finit_demain_compte_encore_aujourd_hui():
    demain = dt.date.today() + dt.timedelta(days=1)
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "national", date_fin=demain)
    assert utilisateur.has_perm("comptes.voir_pilotage", Commune.objects.get(pk=NEVERS))


def test_un_role_peut_couvrir_moins_que_son_institution():
    role = RoleFactory(type=TypeRole.PILOTAGE, niveau=Niveau.COMMUNES)
    role.communes.set([COSNE])
    assert peut(role.utilisateur, "voir_pilotage", Commune.objects.get(pk=COSNE))
    assert not peut(role.utilisateur, "voir_pilotage", Commune.objects.get(pk=NEVERS))


def test_plusieurs_roles_s_additionnent():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "commune de Nevers")
    RoleFactory(utilisateur=utilisateur, type=TypeRole.MODERATEUR)
    assert peut(utilisateur, "voir_pilotage", Commune.objects.get(pk=NEVERS))
    assert peut(utilisateur, "moderer", Commune.objects.get(pk=COSNE))
    assert not peut(utilisateur, "voir_pilotage", Commune.objects.get(pk=COSNE))


def test_le_territoire_d_un_departement_ou_d_une_region_se_verifie_aussi():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "région Bourgogne-Franche-Comté")
    assert peut(utilisateur, "voir_pilotage", Departement.objects.get(pk="58"))
    assert not peut(utilisateur, "voir_pilotage", Departement.objects.get(pk="69"))


@dataclass
class Fiche:
    """Ce qu'une fiche du répertoire offrira (comptes n'importe pas repertoire)."""

    commune: Commune
    institution_gestionnaire_id: int | None

    def territoire_pour_permissions(self) -> Commune:
        return self.commune


def test_un_gestionnaire_ne_modifie_que_les_fiches_de_son_institution():
    role = RoleFactory(type=TypeRole.GESTIONNAIRE)
    nevers = Commune.objects.get(pk=NEVERS)
    assert role.utilisateur.has_perm("comptes.modifier_fiche", Fiche(nevers, role.institution_id))
    assert not role.utilisateur.has_perm("comptes.modifier_fiche", Fiche(nevers, None))
    autre = InstitutionFactory()
    assert not role.utilisateur.has_perm("comptes.modifier_fiche", Fiche(nevers, autre.pk))


@pytest.mark.parametrize("type_", sorted(set(TypeRole) - {TypeRole.PILOTAGE}))
def test_chaque_role_propose_un_service_pour_son_institution_meme_hors_de_son_territoire(type_):
    role = RoleFactory(
        type=type_, institution=InstitutionFactory(communale=True, communes=[NEVERS])
    )
    lyon = Commune.objects.get(pk=LYON)
    assert peut(role.utilisateur, PROPOSER, Fiche(lyon, role.institution_id))
    assert not peut(role.utilisateur, PROPOSER, Fiche(lyon, InstitutionFactory().pk))
    assert not peut(role.utilisateur, PROPOSER, Fiche(lyon, None))


def test_le_pilotage_ne_propose_aucun_service_meme_pour_son_institution():
    role = RoleFactory(type=TypeRole.PILOTAGE)
    nevers = Commune.objects.get(pk=NEVERS)
    assert not peut(role.utilisateur, PROPOSER, Fiche(nevers, role.institution_id))


def test_un_moderateur_modifie_les_fiches_de_son_territoire_seulement():
    utilisateur = personne_avec_role(TypeRole.MODERATEUR, "département de la Nièvre")
    assert peut(utilisateur, "modifier_fiche", Fiche(Commune.objects.get(pk=COSNE), None))
    assert not peut(utilisateur, "modifier_fiche", Fiche(Commune.objects.get(pk=DIJON), None))


def test_sans_objet_la_question_est_quelque_part():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "commune de Nevers")
    assert utilisateur.has_perm("comptes.voir_pilotage")
    assert not utilisateur.has_perm("comptes.moderer")


def test_un_objet_sans_territoire_est_une_erreur_et_non_un_refus_silencieux():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "département de la Nièvre")
    with pytest.raises(TypeError, match="sans territoire"):
        peut(utilisateur, "voir_pilotage", object())


def test_une_action_inconnue_est_une_erreur():
    with pytest.raises(ValueError):
        peut(UtilisateurFactory(), "tout_casser", None)


def test_les_roles_sont_lus_une_fois_par_utilisateur(django_assert_max_num_queries):
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "département de la Nièvre")
    communes = list(Commune.objects.filter(pk__in=[NEVERS, COSNE, DIJON]))
    peut(utilisateur, "voir_pilotage", communes[0])
    with django_assert_max_num_queries(len(communes)):  # une requête par commune, aucune de rôle
        for commune in communes:
            peut(utilisateur, "voir_pilotage", commune)


def test_un_role_retire_se_voit_apres_oublier_roles():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "national")
    assert peut(utilisateur, "voir_pilotage", None)
    utilisateur.roles.update(actif=False)
    oublier_roles(utilisateur)
    assert not peut(utilisateur, "voir_pilotage", None)


def test_les_gabarits_posent_la_meme_question():
    utilisateur = personne_avec_role(TypeRole.PILOTAGE, "département de la Nièvre")
    gabarit = Template(
        "{% load rules %}{% has_perm 'comptes.voir_pilotage' user territoire as voit %}"
        "{{ voit }} {{ perms.comptes.voir_pilotage }}"
    )
    from django.contrib.auth.context_processors import PermWrapper

    def rendu(code: str) -> str:
        contexte = {"user": utilisateur, "perms": PermWrapper(utilisateur)}
        return gabarit.render(Context({**contexte, "territoire": Departement.objects.get(pk=code)}))

    assert rendu("58") == "True True"
    assert rendu("21") == "False True"


# Qui peut inviter qui (issue 10) : rôle de l'invitant → rôles qu'il peut proposer.
INVITABLES = {
    TypeRole.ADMINISTRATEUR: set(TypeRole),
    TypeRole.ANIMATEUR: set(TypeRole) - {TypeRole.ADMINISTRATEUR},
    TypeRole.MODERATEUR: set(),
    TypeRole.PILOTAGE: set(),
    TypeRole.GESTIONNAIRE: {TypeRole.GESTIONNAIRE, TypeRole.PROFESSIONNEL},
    TypeRole.PROFESSIONNEL: set(),
}


def invitation_pour(institution, type_: TypeRole) -> Invitation:
    return Invitation(institution=institution, type=type_, adresse="nouvelle@exemple.fr")


@pytest.mark.parametrize("invite", TypeRole)
@pytest.mark.parametrize("invitant", TypeRole)
def test_chacun_n_invite_qu_aux_roles_permis_dans_son_institution(invitant, invite):
    role = RoleFactory(type=invitant)
    attendu = invite in INVITABLES[invitant]
    assert peut(role.utilisateur, Action.INVITER, invitation_pour(role.institution, invite)) is (
        attendu
    )


def test_un_gestionnaire_n_invite_pas_pour_une_autre_institution():
    role = RoleFactory(type=TypeRole.GESTIONNAIRE)
    autre = InstitutionFactory()
    assert not peut(
        role.utilisateur, Action.INVITER, invitation_pour(autre, TypeRole.PROFESSIONNEL)
    )


def test_un_animateur_invite_dans_son_territoire_seulement():
    role = RoleFactory(type=TypeRole.ANIMATEUR)  # département de la Nièvre
    dans_la_nievre = InstitutionFactory(communale=True, communes=[NEVERS])
    en_cote_d_or = InstitutionFactory(departement=Departement.objects.get(pk="21"))
    assert peut(role.utilisateur, "inviter", invitation_pour(dans_la_nievre, TypeRole.PILOTAGE))
    assert not peut(role.utilisateur, "inviter", invitation_pour(en_cote_d_or, TypeRole.PILOTAGE))


def test_un_administrateur_invite_partout():
    role = RoleFactory(type=TypeRole.ADMINISTRATEUR)  # institution de la Nièvre
    en_cote_d_or = InstitutionFactory(departement=Departement.objects.get(pk="21"))
    invitation = invitation_pour(en_cote_d_or, TypeRole.ADMINISTRATEUR)
    assert peut(role.utilisateur, "inviter", invitation)


def test_le_pilotage_d_une_mdph_lit_son_accompagnement_sans_l_ecrire():
    utilisateur = RoleFactory(
        type=TypeRole.PILOTAGE, institution=InstitutionFactory(type="mdph")
    ).utilisateur
    nievre = Departement.objects.get(pk="58")

    assert peut(utilisateur, Action.VOIR_PILOTAGE, nievre)
    assert not peut(utilisateur, Action.ACCOMPAGNER, nievre)
