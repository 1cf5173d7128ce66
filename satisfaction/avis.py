"""Les avis libres (question de conclusion) : masqués avant d'être lus, et comptés par thème.

Une personne écrit parfois son nom, son numéro, celui d'un agent : l'affichage masque les
adresses électroniques, les numéros de téléphone, les longs numéros (sécurité sociale,
dossier) et ce qui ressemble à un nom (« Mme Dupont », « M. Martin », « Jean DUPONT », le nom
qui suit « je m'appelle »). Le masquage est prudent, pas parfait : ces textes restent réservés
au rôle de la MDPH (`Action.LIRE_AVIS_LIBRES`) et sont vidés après
`SATISFACTION_TEXTE_CONSERVATION_MOIS` mois.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from satisfaction.models import Reponse

MASQUE_COURRIEL = "[adresse masquée]"
MASQUE_TELEPHONE = "[téléphone masqué]"
MASQUE_NUMERO = "[numéro masqué]"
MASQUE_NOM = "[nom masqué]"

_MAJ = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_NOM = rf"[{_MAJ}][\w'’-]+"
_COURRIEL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 6…
_TELEPHONE = re.compile(r"(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")
_NUMERO = re.compile(r"\b\d(?:[\s.]?\d){5,}\b")  # six chiffres et plus : sécurité sociale, dossier
_CIVILITE = re.compile(
    rf"\b(M\.|Mr\.?|Monsieur|Mme\.?|Madame|Mlle\.?|Mademoiselle|Dr\.?|Docteur|Maître|Me)"
    rf"(\s+)({_NOM}(?:\s+{_NOM})?)"
)
_PRESENTATION = re.compile(
    rf"\b((?i:je m['’]appelle|je me nomme|mon nom est|mon nom :|signé|cordialement,?))(\s+)"
    rf"({_NOM}(?:\s+{_NOM})*)"
)
# « Jean DUPONT » : un prénom suivi d'un nom en capitales (sauf les sigles du domaine).
SIGLES = frozenset(
    {"MDPH", "AAH", "PCH", "CMI", "RQTH", "AEEH", "CDAPH", "CAF", "MSA", "CPAM", "ESAT",
     "IME", "SESSAD", "EHPAD", "PPS", "AESH", "ULIS", "CNSA", "ARS", "FALC", "CCAS", "RSA"}
)  # fmt: skip
_PRENOM_NOM = re.compile(
    rf"\b([{_MAJ}][a-zàâäçéèêëîïôöùûüÿ'’-]+)(\s+)([{_MAJ}]{{2,}}(?:-[{_MAJ}]{{2,}})?)\b"
)


def masquer(texte: str) -> str:
    """Le texte avec courriels, téléphones, longs numéros et noms remplacés par un repère."""
    texte = _COURRIEL.sub(MASQUE_COURRIEL, texte)
    texte = _TELEPHONE.sub(MASQUE_TELEPHONE, texte)
    texte = _NUMERO.sub(MASQUE_NUMERO, texte)
    texte = _CIVILITE.sub(lambda m: f"{m[1]}{m[2]}{MASQUE_NOM}", texte)
    texte = _PRESENTATION.sub(lambda m: f"{m[1]}{m[2]}{MASQUE_NOM}", texte)
    return _PRENOM_NOM.sub(lambda m: m[0] if m[3] in SIGLES else MASQUE_NOM, texte)


def _normaliser(texte: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", texte.casefold())
    return "".join(c for c in sans_accents if not unicodedata.combining(c)).replace("’", "'")


# Les thèmes attendus (CNSA : le formulaire de demande et les renouvellements, le délai, la
# compréhension de la décision), et deux autres fréquents ; des débuts de mots, sans accents.
THEMES: dict[str, tuple[str, ...]] = {
    "formulaire et renouvellement": (
        "formulaire", "renouvel", "cerfa", "dossier a remplir", "trop de papiers",
        "pieces justificatives", "certificat medical",
    ),
    "délais": ("delai", "attente", "attendu", "attendre", "lenteur", "des mois", "traine"),
    "compréhension de la décision": (
        "compris la decision", "comprends pas", "comprend pas", "pas compris",
        "incomprehensible", "expliqu", "notification", "courrier de decision",
    ),
    "joindre la MDPH": (
        "joindre", "injoignable", "telephone", "repondeur", "personne ne repond", "rappel",
    ),
    "accueil et écoute": ("accueil", "ecoute", "aimable", "merci", "bienveillan"),
}  # fmt: skip


def themes_de(texte: str) -> set[str]:
    """Les thèmes d'un avis (plusieurs possibles, aucun aussi)."""
    normal = _normaliser(texte)
    return {theme for theme, mots in THEMES.items() if any(m in normal for m in mots)}


def compter_themes(textes: Iterable[str]) -> list[tuple[str, int]]:
    """Combien d'avis parlent de chaque thème, du plus fréquent au moins fréquent."""
    compte: Counter = Counter()
    for texte in textes:
        compte.update(themes_de(texte))
    return [(theme, compte[theme]) for theme in sorted(THEMES, key=lambda t: (-compte[t], t))]


@dataclass(frozen=True)
class Avis:
    mois: str
    origine: str
    texte: str  # masqué


AVIS_AFFICHES = 200


def avis_libres(*, departement: str, debut, fin) -> tuple[list[Avis], list[tuple[str, int]], int]:
    """Les avis d'une MDPH sur la période : les plus récents masqués (200 au plus), les
    thèmes comptés sur tous, et leur nombre."""
    textes = (
        Reponse.objects.du_departement(departement)
        .filter(mois__range=(debut, fin), texte_efface=False)
        .exclude(texte_libre="")
        .order_by("-mois", "-pk")
        .values_list("mois", "origine", "texte_libre")
    )
    tous = list(textes)
    avis = [
        Avis(f"{mois:%m/%Y}", origine, masquer(texte))
        for mois, origine, texte in tous[:AVIS_AFFICHES]
    ]
    return avis, compter_themes(t for _, _, t in tous), len(tous)
