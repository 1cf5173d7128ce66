"""Une institution partenaire propose un nouveau service (issue 11, § 1).

La proposition n'a pas encore de fiche : elle porte sa structure et, dans `diff`, les valeurs
proposées (`{champ: {"avant": None, "apres": valeur}}`, en JSON : besoins et publics par leur
slug, lieux par leur clé). Un modérateur du territoire de la structure l'accepte (le service
est créé par la porte des fiches, source « moderation », avec ses liens, une ligne
d'historique et son index), la modifie puis l'accepte, ou la refuse avec une raison ; l'auteur
en est informé par courriel. Voir docs/adr/0010-contributions-et-moderation.md.
"""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comptes.permissions import Action, peut, roles_en_vigueur
from contribution.models import Proposition
from contribution.services import ContributionRefusee, _informer, _proposition_ouverte
from repertoire import thesaurus_en_memoire
from repertoire.ecriture import Auteur, Changement, ecrire_fiches
from repertoire.models import Besoin, Contact, Public, Service, Structure
from territoires.perimetres import Niveau, Perimetre

# Les champs propres du service, écrits tels quels par la porte.
CHAMPS_DU_SERVICE = (
    "nom",
    "description",
    "resume_falc",
    "site_web",
    "accueil_sur_place",
    "accueil_a_domicile",
    "accueil_a_distance",
)
LIENS = ("besoins", "publics", "lieux")
CONTACT = ("telephone", "courriel")
LIBELLES = {
    "nom": "Nom du service",
    "description": "Description",
    "resume_falc": "Résumé en FALC (facile à lire et à comprendre)",
    "site_web": "Site web",
    "accueil_sur_place": "Accueil sur place",
    "accueil_a_domicile": "Intervention à domicile",
    "accueil_a_distance": "À distance (téléphone, visio)",
    "besoins": "Besoins",
    "publics": "Publics",
    "lieux": "Lieux d'accueil",
    "telephone": "Téléphone de contact",
    "courriel": "Courriel de contact",
}
GABARIT_COURRIEL = "nouveau_service_decide"
# Au-delà, la page de choix demande une partie du nom plutôt que de tout lister.
STRUCTURES_AU_PLUS = 100


# --- Qui propose, pour quelle structure -------------------------------------------------------


def peut_proposer(utilisateur: Any, structure: Structure) -> bool:
    """`comptes.permissions` décide : tout rôle sauf le pilotage, pour une structure de son
    institution ou de son territoire (`Action.PROPOSER_SERVICE`)."""
    return peut(utilisateur, Action.PROPOSER_SERVICE, structure)


def structures_proposables(utilisateur: Any, *, nom: str = "") -> list[Structure]:
    """Les structures pour lesquelles la personne peut proposer un service (au plus
    STRUCTURES_AU_PLUS, par nom) : un premier tri en SQL (son institution, ou un lieu dans son
    territoire), puis `peut` sur chacune, posé une fois par territoire distinct."""
    candidates = Structure.objects.filter(_candidates(utilisateur)).distinct()
    if nom.strip():
        candidates = candidates.filter(nom__icontains=nom.strip())
    candidates = candidates.prefetch_related("lieux").order_by("nom", "pk")
    decisions: dict[Any, bool] = {}
    gardees: list[Structure] = []
    for structure in candidates[: STRUCTURES_AU_PLUS * 2]:
        territoire = (structure.institution_id, structure.territoire_pour_permissions())
        if territoire not in decisions:
            decisions[territoire] = peut_proposer(utilisateur, structure)
        if decisions[territoire]:
            gardees.append(structure)
    return gardees[:STRUCTURES_AU_PLUS]


def _candidates(utilisateur: Any) -> Q:
    if getattr(utilisateur, "is_superuser", False):
        return Q()
    filtre = Q(pk__in=[])
    for role in roles_en_vigueur(utilisateur):
        filtre |= Q(institution_id=role.institution_id) | _dans(role.perimetre)
    return filtre


def _dans(perimetre: Perimetre) -> Q:
    """Un lieu de la structure dans le périmètre (le tri fin est fait par `peut`)."""
    codes = perimetre.codes
    return {
        Niveau.NATIONAL: Q(),
        Niveau.REGION: Q(lieux__commune__departement__region__in=codes),
        Niveau.DEPARTEMENT: Q(lieux__commune__departement__in=codes),
        Niveau.EPCI: Q(lieux__commune__epci__in=codes),
        Niveau.COMMUNES: Q(lieux__commune__in=codes) | Q(lieux__commune__commune_parent__in=codes),
    }[Niveau(perimetre.niveau)]


# --- Proposer ---------------------------------------------------------------------------------


@transaction.atomic
def proposer_un_service(
    *, structure: Structure, valeurs: dict[str, Any], auteur: Any
) -> Proposition:
    """La proposition d'un nouveau service pour `structure` (rien n'est écrit au répertoire) ;
    elle attend dans la file des modérateurs du territoire de la structure."""
    if not peut_proposer(auteur, structure):
        raise ContributionRefusee("Vous ne pouvez pas proposer de service pour cette structure.")
    return Proposition.objects.create(
        structure=structure,
        origine=Proposition.Origine.NOUVEAU_SERVICE,
        diff={champ: {"avant": None, "apres": valeur} for champ, valeur in valeurs.items()},
        version_lue=0,
        auteur=auteur,
        courriel=getattr(auteur, "email", "") or "",
    )


# --- Décider ----------------------------------------------------------------------------------


@transaction.atomic
def accepter_un_service(
    *, proposition: Proposition, par: Any, valeurs: dict[str, Any] | None = None
) -> Service:
    """Crée le service proposé (ou tel que le modérateur l'a corrigé, `valeurs`) par la porte
    des fiches : publié, vérifié ce jour, avec ses besoins, publics et lieux, une ligne
    d'historique (source « moderation ») et son index. La proposition est relue sous verrou :
    acceptée deux fois (deux modérateurs, deux onglets), la seconde est refusée et rien n'est
    créé deux fois."""
    proposition = _proposition_ouverte(proposition)
    if valeurs is not None:
        proposition.diff = {c: {"avant": None, "apres": v} for c, v in valeurs.items()}
    service = _creer(proposition.structure, proposition.apres(), Auteur("moderation", par))
    proposition.service = service
    proposition.accepter(par=par)
    proposition.save()
    _informer(GABARIT_COURRIEL, proposition.courriel, {"proposition": proposition})
    return service


@transaction.atomic
def refuser_un_service(*, proposition: Proposition, par: Any, raison: str) -> None:
    """Refuse avec une raison (obligatoire), envoyée à l'auteur ; rien n'est créé."""
    if not raison.strip():
        raise ContributionRefusee("Dites pourquoi cette proposition est refusée.")
    proposition = _proposition_ouverte(proposition)
    proposition.refuser(par=par, raison=raison)
    proposition.save()
    _informer(GABARIT_COURRIEL, proposition.courriel, {"proposition": proposition})


def _creer(structure: Structure, valeurs: dict[str, Any], auteur: Auteur) -> Service:
    service = Service(structure=structure)
    propres = {champ: valeurs.get(champ, "") for champ in CHAMPS_DU_SERVICE}
    propres.update(
        statut=Service.Statut.PUBLIE,
        nature=Service.Nature.SERVICE,
        date_verification=timezone.localdate(),
    )
    liens = {
        "besoins": list(Besoin.objects.filter(slug__in=valeurs.get("besoins") or [])),
        "publics": list(Public.objects.filter(slug__in=valeurs.get("publics") or [])),
        # Un lieu retiré de la structure depuis la proposition n'est pas repris.
        "lieux": list(structure.lieux.filter(pk__in=valeurs.get("lieux") or [])),
    }
    if valeurs.get("telephone") or valeurs.get("courriel"):
        contact = {
            "libelle": "Accueil du service",
            "telephone": valeurs.get("telephone") or "",
            "courriel": valeurs.get("courriel") or "",
            "visibilite": Contact.Visibilite.PUBLIC,
        }
        liens["contacts"] = [contact]
    ecrire_fiches(changements=[Changement(service, {**propres, **liens})], auteur=auteur)
    return service


# --- Ce que lit le modérateur -----------------------------------------------------------------


def lignes(proposition: Proposition) -> list[dict[str, Any]]:
    """Les valeurs proposées, lisibles (libellés du thésaurus, noms des lieux, oui / non),
    pour le tableau avant → proposé de la file et de la page de décision."""
    apres = proposition.apres()
    lisibles = _lisibles(apres, proposition.structure)
    return [
        {"champ": LIBELLES.get(champ, champ), "avant": None, "apres": lisibles.get(champ, valeur)}
        for champ, valeur in apres.items()
    ]


def _lisibles(apres: dict[str, Any], structure: Structure) -> dict[str, str]:
    noms = {  # le thésaurus en mémoire du processus : aucune requête par proposition
        "besoins": {slug: b.libelle for slug, b in thesaurus_en_memoire.besoins().par_slug.items()},
        "publics": {slug: p.libelle for slug, p in thesaurus_en_memoire.publics().par_slug.items()},
        "lieux": {lieu.pk: lieu.nom for lieu in structure.lieux.all()},
    }
    lisibles: dict[str, str] = {}
    for champ, valeur in apres.items():
        if champ in noms:
            lisibles[champ] = ", ".join(str(noms[champ].get(v, v)) for v in valeur or [])
        elif isinstance(valeur, bool):
            lisibles[champ] = "oui" if valeur else "non"
    return lisibles
