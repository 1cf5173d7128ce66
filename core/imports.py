"""Ce que partagent les imports : erreurs nommées en français, rapport de comptes.

Un import valide tout avant d'écrire ; la moindre erreur lève ErreursImport et rien n'est écrit.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErreurImport:
    fichier: str
    ligne: int | None
    champ: str
    raison: str

    def __str__(self) -> str:
        ou = f"ligne {self.ligne}" if self.ligne is not None else "fichier"
        champ = f", champ « {self.champ} »" if self.champ else ""
        return f"{self.fichier}, {ou}{champ} : {self.raison}"


class ErreursImport(Exception):
    """Levée quand le fichier contient au moins une erreur ; porte toutes celles trouvées."""

    def __init__(self, erreurs: list[ErreurImport]):
        self.erreurs = erreurs
        super().__init__("\n".join(str(e) for e in erreurs))


@dataclass
class RapportImport:
    lues: int = 0
    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    ignorees: int = 0
    disparues: list[str] = field(default_factory=list)
    avertissements: list[ErreurImport] = field(default_factory=list)
    a_blanc: bool = False

    def resume(self) -> str:
        prefixe = "Simulation (--dry-run), rien n'a été écrit. " if self.a_blanc else ""
        return (
            f"{prefixe}{self.lues} lignes lues : {self.creees} créées, "
            f"{self.mises_a_jour} mises à jour, {self.inchangees} inchangées, "
            f"{self.ignorees} ignorées (hors filtres), "
            f"{len(self.disparues)} disparues de la source."
        )
