"""Agrégats trimestriels par MDPH × famille de prestation × public.

Chaque ligne porte des sommes (nouvelles demandes, décisions, Σ jours de traitement…) : un
indicateur régional ou national est un ratio de sommes, jamais une moyenne de moyennes.
Le calcul complet et le rafraîchissement d'un département-trimestre donnent les mêmes lignes.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Func, IntegerField, Q, Sum

from pilotage.indicateurs import bornes_trimestre
from pilotage.models import AgregatTrimestriel, Demande

Cle = tuple[str, int, int, str, str]  # département, année, trimestre, famille, public
SOMMES = (
    "nouvelles_demandes",
    "decisions",
    "decisions_mesurees",
    "jours_traitement",
    "attributions",
    "decisions_sans_limitation",
    "droits_scolarisation",
    "mois_droits_scolarisation",
)
SCOLARISATION_LIMITEE = Q(
    prestation="scolarisation", type_decision="attribution", duree_mois__isnull=False
)


def _sommes_decisions() -> dict:
    return {
        "decisions": Count("id"),
        "decisions_mesurees": Count("delai_jours"),
        "jours_traitement": Sum("delai_jours"),
        "attributions": Count("id", filter=Q(type_decision="attribution")),
        "decisions_sans_limitation": Count("id", filter=Q(sans_limitation=True)),
        "droits_scolarisation": Count("id", filter=SCOLARISATION_LIMITEE),
        "mois_droits_scolarisation": Sum("duree_mois", filter=SCOLARISATION_LIMITEE),
    }


class Periode(Func):
    """année × 10 + trimestre d'une date, en SQL natif (SQLite : sans fonction Python)."""

    output_field = IntegerField()
    template = (
        "(CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer) * 10"
        " + CAST(EXTRACT(QUARTER FROM %(expressions)s) AS integer))"
    )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(substr(%(expressions)s, 1, 4) AS integer) * 10"
            " + (CAST(substr(%(expressions)s, 6, 2) AS integer) + 2) / 3)",
            **extra,
        )


def _par_trimestre(demandes, champ: str, sommes: dict) -> list[dict]:
    lignes = list(
        demandes.filter(**{f"{champ}__isnull": False})
        .annotate(periode=Periode(champ))
        .values("departement_id", "famille", "public", "periode")
        .annotate(**sommes)
        .order_by()
    )
    for ligne in lignes:
        ligne["annee"], ligne["trimestre"] = divmod(ligne.pop("periode"), 10)
    return lignes


def _cle(ligne: dict) -> tuple[Cle, str]:
    cle = (ligne["departement_id"], ligne["annee"], ligne["trimestre"], ligne["famille"])
    return (*cle, ligne["public"]), ligne["departement_id"]


def agreger_activite(
    *, departements: list[str] | None = None, progression: Callable[[str], None] | None = None
) -> int:
    """Recalcule tous les agrégats (des départements donnés, ou de tous) ; rend le nb de lignes.

    Stock en fin de trimestre = Σ entrées (dépôts) − Σ sorties (décision ou annulation) depuis
    l'origine, cumulées trimestre après trimestre : une seule lecture des demandes.
    """
    demandes = Demande.objects.all()
    if departements is not None:
        demandes = demandes.filter(departement_id__in=departements)
    valeurs: dict[Cle, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SOMMES, 0))
    for ligne in _par_trimestre(demandes, "date_depot", {"n": Count("id")}):
        valeurs[_cle(ligne)[0]]["nouvelles_demandes"] = ligne["n"]
    if progression:
        progression("Entrées comptées.")
    for ligne in _par_trimestre(demandes, "date_decision", _sommes_decisions()):
        cible = valeurs[_cle(ligne)[0]]
        for champ in SOMMES[1:]:
            cible[champ] = ligne[champ] or 0
    if progression:
        progression("Décisions comptées.")
    sorties = {
        _cle(ligne)[0]: ligne["n"]
        for ligne in _par_trimestre(demandes, "date_sortie", {"n": Count("id")})
    }
    if progression:
        progression("Sorties comptées.")
    lignes = _avec_stock(valeurs, sorties)
    with transaction.atomic():
        AgregatTrimestriel.objects.des_departements(departements).delete()
        AgregatTrimestriel.objects.bulk_create(lignes, batch_size=5000)
    return len(lignes)


def _trimestres(debut: tuple[int, int], fin: tuple[int, int]):
    annee, trimestre = debut
    while (annee, trimestre) <= fin:
        yield annee, trimestre
        annee, trimestre = (annee + 1, 1) if trimestre == 4 else (annee, trimestre + 1)


def _avec_stock(valeurs: dict, sorties: dict) -> list[AgregatTrimestriel]:
    """Complète chaque série (département, famille, public) trimestre par trimestre."""
    series: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for d, a, t, f, p in list(valeurs) + list(sorties):
        series[(d, f, p)].append((a, t))
    lignes = []
    for (d, f, p), periodes in series.items():
        stock = 0
        for a, t in _trimestres(min(periodes), max(periodes)):
            cle = (d, a, t, f, p)
            sommes = valeurs.get(cle) or dict.fromkeys(SOMMES, 0)
            stock += sommes["nouvelles_demandes"] - sorties.get(cle, 0)
            if any(sommes.values()) or stock:
                lignes.append(
                    AgregatTrimestriel(
                        departement_id=d,
                        annee=a,
                        trimestre=t,
                        famille=f,
                        public=p,
                        stock_fin=stock,
                        **sommes,
                    )
                )
    return lignes


def rafraichir_trimestre(*, departement: str, annee: int, trimestre: int) -> int:
    """Recalcule les agrégats d'un département pour un trimestre (après un import partiel).

    Le stock d'un trimestre dépend du passé : après un import qui touche des demandes
    anciennes, rafraîchir chaque trimestre depuis le plus ancien touché.
    """
    debut, fin = bornes_trimestre(annee, trimestre)
    demandes = Demande.objects.du_departement(departement)
    valeurs: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SOMMES, 0))
    for ligne in _groupes(demandes.deposees_entre(debut, fin), {"n": Count("id")}):
        valeurs[(ligne["famille"], ligne["public"])]["nouvelles_demandes"] = ligne["n"]
    for ligne in _groupes(demandes.decidees_entre(debut, fin), _sommes_decisions()):
        for champ in SOMMES[1:]:
            valeurs[(ligne["famille"], ligne["public"])][champ] = ligne[champ] or 0
    stocks = {
        (ligne["famille"], ligne["public"]): ligne["n"]
        for ligne in _groupes(demandes.en_stock_le(fin), {"n": Count("id")})
    }
    lignes = [
        AgregatTrimestriel(
            departement_id=departement,
            annee=annee,
            trimestre=trimestre,
            famille=f,
            public=p,
            stock_fin=stocks.get((f, p), 0),
            **valeurs.get((f, p), dict.fromkeys(SOMMES, 0)),
        )
        for f, p in set(valeurs) | set(stocks)
    ]
    with transaction.atomic():
        AgregatTrimestriel.objects.filter(departement_id=departement).du_trimestre(
            annee, trimestre
        ).delete()
        AgregatTrimestriel.objects.bulk_create(lignes)
    return len(lignes)


def _groupes(demandes, sommes: dict) -> list[dict]:
    return list(demandes.values("famille", "public").annotate(**sommes).order_by())
