"""La porte d'écriture des fiches : structures, services et lieux ne s'écrivent que par ici.

Une seule fonction, `ecrire_fiches`, décide pour tous les écrivains (administration, imports,
et demain les gestionnaires de structure et les modérateurs) :

- quelle source peut changer quel champ : ce qu'une personne a corrigé à la main n'est plus
  écrasé par une source importée, qui le signale comme conflit dans son rapport ;
- la version (verrou optimiste) : une personne qui a lu une version périmée est refusée ;
- l'historique : une ligne par fiche modifiée, avec l'auteur (personne ou source) ;
- l'index de recherche : une seule réindexation par appel, pour tout le lot.

Un écrivain en masse (l'import FINESS, `finess._Plan`) insère lui-même ses lignes, puis prend
à la porte son chemin en masse : `changees_en_masse` (les fiches qui changent vraiment),
`historiser_en_masse` (une ligne d'historique par fiche, copiée en SQL) et
`recherche.index.indexer_fiches` (l'index bâti de ce qu'il tient, sans relecture) ; ses fiches
corrigées à la main passent par `ecrire_fiches` (docs/adr/0007-une-porte-pour-les-fiches.md).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from repertoire import sous_fiches
from repertoire.models import Lieu, Service, Structure
from repertoire.recherche.index import indexer_services

Fiche = Structure | Service | Lieu
# Les écrivains qui sont des personnes : ce qu'ils changent devient une correction manuelle.
# « campagne » : la structure qui confirme sa fiche par le lien d'une campagne (fraicheur).
SOURCES_HUMAINES = frozenset({"administration", "gestionnaire", "moderation", "campagne"})
# Tenus par la porte elle-même, jamais par un écrivain.
CHAMPS_DE_LA_PORTE = frozenset(
    {"id", "version", "champs_corriges", "cree_le", "modifie_le", "verifie_par"}
)


@dataclass(frozen=True)
class Auteur:
    """Qui écrit : une source (« finess », « data-inclusion:… », « administration »…) et, pour
    une personne, son compte."""

    source: str
    utilisateur: Any = None

    @property
    def humain(self) -> bool:
        return self.source in SOURCES_HUMAINES

    def __str__(self) -> str:
        if self.utilisateur is not None:
            return f"{self.source} ({self.utilisateur})"
        return self.source


@dataclass
class Changement:
    """Les valeurs qu'un écrivain veut pour une fiche (nouvelle si `fiche.pk` est None).

    `valeurs` : {nom d'attribut (structure_id pour une clé étrangère) : valeur}.
    `version_lue` : la version qu'a lue la personne qui a saisi ; None pour une source.
    `sous_fiches_modifiees` : horaires, contacts ou zones ont changé, la fiche change de version
    même si aucun de ses propres champs ne change (un collègue doit le voir).
    Les valeurs peuvent aussi demander ses sous-fiches (`repertoire.sous_fiches` : liens,
    horaires, contacts, lieux d'une structure) ; une fiche nouvelle reçoit ses liens avant sa
    ligne d'historique et son index (une seule ligne, qui les dit).
    """

    fiche: Fiche
    valeurs: dict[str, Any]
    version_lue: int | None = None
    sous_fiches_modifiees: bool = False


@dataclass(frozen=True)
class Conflit:
    """Un champ qu'une source voulait changer mais qu'une personne a corrigé."""

    fiche: str
    champ: str
    valeur_source: Any
    valeur_gardee: Any
    correction: dict

    def __str__(self) -> str:
        return (
            f"{self.fiche}, champ « {self.champ} » : la source dit « {self.valeur_source} », "
            f"la fiche garde « {self.valeur_gardee} », corrigé par {self.correction.get('par')} "
            f"le {self.correction.get('le')}"
        )


@dataclass
class RapportEcriture:
    creees: int = 0
    modifiees: int = 0
    inchangees: int = 0
    conflits: list[Conflit] = field(default_factory=list)
    services_a_indexer: set[int] = field(default_factory=set)


class VersionPerimee(Exception):
    """La fiche a changé depuis que la personne l'a lue : rien n'est écrit."""

    def __init__(self, fiche: Fiche, lue: int, courante: Fiche) -> None:
        self.fiche, self.lue, self.courante = fiche, lue, courante
        quand = timezone.localtime(courante.modifie_le)
        super().__init__(
            f"{fiche._meta.verbose_name} « {courante} » a été modifiée par quelqu'un d'autre "
            f"(le {quand:%d/%m/%Y à %H:%M}) depuis votre lecture ; rien n'a été enregistré."
        )


def ecrire_fiches(
    *, changements: Sequence[Changement], auteur: Auteur, indexer: bool = True
) -> RapportEcriture:
    """Écrit un lot de fiches, tout ou rien, puis réindexe une fois les services touchés.

    `indexer=False` : l'écrivain écrit encore des liens (besoins, lieux, horaires) après les
    fiches et réindexe à la fin par `reindexer(rapport)` (l'administration).
    """
    rapport = RapportEcriture()
    with transaction.atomic():
        for changement in changements:
            _ecrire(changement, auteur, rapport)
        if indexer:
            reindexer(rapport)
    return rapport


def reindexer(rapport: RapportEcriture) -> None:
    indexer_services(sorted(rapport.services_a_indexer))


def changees_en_masse(modele: type[Fiche], valeurs: dict[int, dict[str, Any]]) -> set[int]:
    """Les fiches dont au moins une des valeurs voulues diffère de la base : seules celles-là
    changent de version et d'historique (la règle de `ecrire_fiches`, pour un écrivain en
    masse). Une requête plate par lot de 500 fiches, sans instancier de modèles."""
    changees: set[int] = set()
    cles = list(valeurs)
    for debut in range(0, len(cles), 500):
        lot = cles[debut : debut + 500]
        champs = sorted({champ for pk in lot for champ in valeurs[pk]})
        for pk, *actuelles in modele._default_manager.filter(pk__in=lot).values_list("pk", *champs):
            voulues = valeurs[pk]
            if any(
                c in voulues and voulues[c] != v for c, v in zip(champs, actuelles, strict=True)
            ):
                changees.add(pk)
    return changees


def historiser_en_masse(
    modele: type[Fiche], cles: Sequence[int], *, auteur: Auteur, creation: bool
) -> None:
    """Une ligne d'historique par fiche écrite en masse, copiée en SQL de la ligne écrite,
    avec ses liens historisés (besoins et publics d'un service).

    Pour les écrivains qui insèrent sans instancier de modèles (FINESS) : django-simple-history
    ne voit pas ces écritures. La copie se fait dans la base, sans relire les fiches en Python,
    en temps linéaire ; les colonnes sont celles que Django donne aux deux tables. À appeler
    une fois la fiche et ses liens écrits : l'historique est l'état après l'écriture, et
    `diff_against` la ligne précédente donne ancien → nouveau par champ.
    """
    if not cles:
        return
    historique = modele.history.model
    colonnes = [champ.column for champ in modele._meta.concrete_fields]
    nom = connection.ops.quote_name
    liste = ", ".join(nom(c) for c in colonnes)
    sql = (
        f"INSERT INTO {nom(historique._meta.db_table)} ({liste}, {nom('history_date')}, "
        f"{nom('history_change_reason')}, {nom('history_type')}) "
        f"SELECT {liste}, %s, %s, %s FROM {nom(modele._meta.db_table)} WHERE {nom('id')} IN "
    )
    maintenant = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as curseur:
        for debut in range(0, len(cles), 500):
            lot = list(cles[debut : debut + 500])
            marques = ", ".join(["%s"] * len(lot))
            parametres = [maintenant, auteur.source, "+" if creation else "~", *lot]
            curseur.execute(f"{sql}({marques})", parametres)
            for champ in historique._history_m2m_fields:
                _historiser_liens(curseur, modele, champ, lot, [maintenant, auteur.source])


def _historiser_liens(curseur, modele: type[Fiche], champ, lot: list[int], ligne: list) -> None:
    """Les liens (table de liaison) de chaque fiche, rattachés à la ligne d'historique qui
    vient d'être écrite (même date, même source), comme django-simple-history les copie."""
    historique = modele.history.model
    liens = historique._meta.apps.get_model(
        historique._meta.app_label, f"{historique.__name__}_{champ.name}"
    )
    through = getattr(modele, champ.name).through
    nom = connection.ops.quote_name
    colonnes = [f.column for f in through._meta.concrete_fields]
    cible = nom(through._meta.get_field(modele._meta.model_name).column)
    marques = ", ".join(["%s"] * len(lot))
    curseur.execute(
        f"INSERT INTO {nom(liens._meta.db_table)} ({', '.join(nom(c) for c in colonnes)}, "
        f"{nom('history_id')}) SELECT {', '.join('t.' + nom(c) for c in colonnes)}, "
        f"h.{nom('history_id')} FROM {nom(through._meta.db_table)} t "
        f"JOIN {nom(historique._meta.db_table)} h ON h.{nom('id')} = t.{cible} "
        f"WHERE h.{nom('history_date')} = %s AND h.{nom('history_change_reason')} = %s "
        f"AND t.{cible} IN ({marques})",
        [*ligne, *lot],
    )


def changement_du_formulaire(formulaire: Any, *, sous_fiches_modifiees: bool = False) -> Changement:
    """Ce qu'un formulaire de fiche (VerrouOptimisteForm) demande d'écrire."""
    fiche = formulaire.instance
    champs = None if fiche.pk is None else formulaire.changed_data
    return Changement(
        fiche=fiche,
        valeurs=valeurs_du_modele(fiche, champs),
        version_lue=formulaire.cleaned_data.get("version_chargee") if fiche.pk else None,
        sous_fiches_modifiees=sous_fiches_modifiees,
    )


def champs_a_ecrire(
    courante: Fiche, valeurs: dict[str, Any], auteur: Auteur
) -> tuple[dict[str, Any], list[Conflit]]:
    """Les valeurs qui changent vraiment, et les conflits d'une source importée avec les
    corrections d'une personne (une personne, elle, écrit tout ce qu'elle change).

    Règle : un champ corrigé à la main garde sa valeur tant que la source dit autre chose ;
    quand la source finit par dire la même chose, il n'y a plus rien à garder.
    """
    permises, conflits = {}, []
    for champ, valeur in valeurs.items():
        correction = courante.champs_corriges.get(champ)
        actuelle = getattr(courante, champ)
        if correction is not None and valeur != actuelle and not auteur.humain:
            conflits.append(Conflit(str(courante), champ, valeur, actuelle, correction))
        elif valeur != actuelle:
            permises[champ] = valeur
    return permises, conflits


def valeurs_du_modele(fiche: Fiche, champs: Iterable[str] | None = None) -> dict[str, Any]:
    """Les valeurs portées par une instance, pour un écrivain qui a rempli un objet : tous
    ses champs, ou ceux nommés (noms de formulaire : « structure » devient structure_id)."""
    modele = fiche._meta
    if champs is None:
        noms = [f.attname for f in modele.concrete_fields]
    else:
        noms = [modele.get_field(nom).attname for nom in champs if _est_un_champ(fiche, nom)]
    return {nom: getattr(fiche, nom) for nom in noms if nom not in CHAMPS_DE_LA_PORTE}


def _est_un_champ(fiche: Fiche, nom: str) -> bool:
    try:
        champ = fiche._meta.get_field(nom)
    except Exception:  # un champ du formulaire qui n'est pas du modèle (version_chargee)
        return False
    return champ.concrete and not champ.many_to_many


def _ecrire(changement: Changement, auteur: Auteur, rapport: RapportEcriture) -> None:
    fiche = changement.fiche
    if fiche.pk is None:
        valeurs, sous = _separer(changement)
        noms_liens = sous_fiches.LIENS.get(type(fiche), ())
        liens = {nom: voulu for nom, voulu in sous.items() if nom in noms_liens}
        _creer(fiche, valeurs, auteur, liens)
        ensembles = {nom: voulu for nom, voulu in sous.items() if nom not in noms_liens}
        _ecrire_sous_fiches(fiche, ensembles, auteur, rapport)
        rapport.creees += 1
    elif _modifier(changement, auteur, rapport):
        rapport.modifiees += 1
    else:
        rapport.inchangees += 1
        return
    rapport.services_a_indexer.update(_services_de(fiche))


def _creer(
    fiche: Fiche, valeurs: dict[str, Any], auteur: Auteur, liens: dict[str, Iterable[Any]]
) -> None:
    for champ, valeur in _avec_verificateur(valeurs, auteur).items():
        setattr(fiche, champ, valeur)
    fiche.version = 1
    if liens:
        _creer_avec_liens(fiche, auteur, liens)
    else:
        _sauver(fiche, auteur)


def _creer_avec_liens(fiche: Fiche, auteur: Auteur, liens: dict[str, Iterable[Any]]) -> None:
    """Une fiche et ses liens, une seule ligne d'historique (création, avec ses liens).

    Un lien ne se pose qu'une fois la ligne insérée ; django-simple-history écrirait alors une
    ligne de plus par lien posé. La fiche est donc insérée sans historique, ses liens posés,
    puis sa ligne d'historique écrite par `historiser_en_masse` (copie en SQL de la fiche et de
    ses liens historisés), comme pour un écrivain en masse.
    """
    fiche.skip_history_when_saving = True
    try:
        fiche.save()
        for nom, cibles in liens.items():
            getattr(fiche, nom).set(cibles)
    finally:
        del fiche.skip_history_when_saving
    historiser_en_masse(type(fiche), [fiche.pk], auteur=auteur, creation=True)
    ligne = fiche.history.get()
    if auteur.utilisateur is not None:  # la copie en SQL ne connaît que la source
        type(ligne)._default_manager.filter(pk=ligne.pk).update(history_user=auteur.utilisateur)


def _separer(changement: Changement) -> tuple[dict[str, Any], dict[str, list]]:
    """Les champs de la fiche, et ce qu'elle porte en plus (`repertoire.sous_fiches`)."""
    noms = sous_fiches.noms(changement.fiche)
    valeurs = {c: v for c, v in changement.valeurs.items() if c not in noms}
    return valeurs, {c: v for c, v in changement.valeurs.items() if c in noms}


def _ecrire_sous_fiches(
    fiche: Fiche, sous: dict[str, list], auteur: Auteur, rapport: RapportEcriture
) -> set[str]:
    """Horaires, contacts, liens : écrits en entier ; les lieux d'une structure, des fiches,
    un par un par cette porte (version lue, historique). Rend les noms de ce qui a changé."""
    modifiees = set()
    for nom, voulu in sous.items():
        if nom == "lieux_de_la_structure":
            change = _ecrire_lieux(fiche, voulu, auteur, rapport)
        else:
            change = sous_fiches.remplacer(fiche, nom, voulu)
        if change:
            modifiees.add(nom)
    return modifiees


def _ecrire_lieux(
    structure: Structure, lignes: list[dict], auteur: Auteur, rapport: RapportEcriture
) -> bool:
    """Seuls les lieux qui changent sont écrits (et leur version lue vérifiée) : un collègue
    qui a modifié un autre lieu entre-temps ne fait pas refuser celui-ci."""
    avant = rapport.creees + rapport.modifiees
    actuels = {ligne["id"]: ligne for ligne in sous_fiches.lire(structure, "lieux_de_la_structure")}
    for ligne in sous_fiches.normaliser(structure, "lieux_de_la_structure", lignes):
        if ligne.get("id") and sous_fiches.meme_lieu(actuels.get(ligne["id"]), ligne):
            continue
        lieu = structure.lieux.get(pk=ligne["id"]) if ligne.get("id") else Lieu(structure=structure)
        changement = Changement(
            lieu, sous_fiches.valeurs_du_lieu(ligne), version_lue=ligne.get("version")
        )
        _ecrire(changement, auteur, rapport)
    return rapport.creees + rapport.modifiees > avant


def _modifier(changement: Changement, auteur: Auteur, rapport: RapportEcriture) -> bool:
    fiche = changement.fiche
    courante = type(fiche)._default_manager.select_for_update().get(pk=fiche.pk)
    if changement.version_lue is not None and changement.version_lue != courante.version:
        raise VersionPerimee(fiche, changement.version_lue, courante)
    valeurs, sous = _separer(changement)
    ensembles = sous.keys() & sous_fiches.ENSEMBLES.get(type(courante), {}).keys()
    avant = sous_fiches.etat(courante) if ensembles else {}
    sous_modifiees = _ecrire_sous_fiches(courante, sous, auteur, rapport)
    a_ecrire, conflits = champs_a_ecrire(courante, valeurs, auteur)
    a_ecrire = _avec_verificateur(a_ecrire, auteur)
    rapport.conflits += conflits
    if not a_ecrire and not (changement.sous_fiches_modifiees or sous_modifiees):
        _recopier(courante, fiche)
        return False
    for champ, valeur in a_ecrire.items():
        setattr(courante, champ, valeur)
    if auteur.humain:
        # Les sous-fiches corrigées aussi : un import ne les remplace plus (echanges).
        corrigees = {**a_ecrire, **dict.fromkeys(sous_modifiees)}
        courante.champs_corriges = {**courante.champs_corriges, **_corrections(corrigees, auteur)}
    courante.version += 1
    _sauver(courante, auteur)
    if ensembles & sous_modifiees:
        sous_fiches.garder_etats(courante, avant=avant, version_avant=courante.version - 1)
    _recopier(courante, fiche)
    return True


def _avec_verificateur(valeurs: dict[str, Any], auteur: Auteur) -> dict[str, Any]:
    """Une personne qui écrit une date de vérification l'a vérifiée : la fiche dit par quelle
    voie (`verifie_par` : administration, gestionnaire, moderation, campagne). Une source
    importée ne vérifie rien (docs/adr/0012-fraicheur-des-fiches.md)."""
    if auteur.humain and valeurs.get("date_verification"):
        return {**valeurs, "verifie_par": auteur.source}
    return valeurs


def _corrections(champs: dict[str, Any], auteur: Auteur) -> dict[str, dict]:
    quand = timezone.localdate().isoformat()
    return {champ: {"par": str(auteur), "le": quand} for champ in champs}


def _sauver(fiche: Fiche, auteur: Auteur) -> None:
    """Une ligne d'historique par fiche écrite, qui dit qui ou quelle source l'a écrite."""
    fiche._change_reason = auteur.source
    if auteur.utilisateur is not None:
        fiche._history_user = auteur.utilisateur
    fiche.save()


def _recopier(source: Fiche, cible: Fiche) -> None:
    """L'écrivain garde son instance : elle reçoit l'état enregistré (version comprise)."""
    if source is not cible:
        for champ in source._meta.concrete_fields:
            setattr(cible, champ.attname, getattr(source, champ.attname))


def _services_de(fiche: Fiche) -> list[int]:
    if isinstance(fiche, Service):
        return [fiche.pk]
    return list(fiche.services.values_list("pk", flat=True))
