"""Lecture des codes de territoire tels que les écrivent les baromètres publiés.

Départements : 01, 001, D01, 1 ; Corse 2A, 02A, D2A ; outre-mer 971, D971. Régions : R84,
R01 (codes INSEE de région). National : FRANCE, FR, NAT, NATIONAL.
"""

import re

from pilotage.models import Maille

_NATIONAL = {"FRANCE", "FR", "NAT", "NATIONAL"}
_DEPARTEMENT = re.compile(r"^D?0*(\d{1,3}|2A|2B)$")
_REGION = re.compile(r"^R(\d{1,2})$")


def normaliser_departement(brut: str) -> str:
    """Code INSEE du département (« 01 », « 2A », « 971 ») ; ValueError si illisible."""
    code = brut.strip().upper()
    correspondance = _DEPARTEMENT.match(code)
    if not correspondance:
        raise ValueError(f"code de département illisible « {brut} »")
    code = correspondance.group(1)
    if code in ("2A", "2B"):
        return code
    if len(code) == 3:
        if not code.startswith("97"):
            raise ValueError(f"code de département inconnu « {brut} »")
        return code
    if code in ("0", "20", "96", "97", "98", "99"):
        raise ValueError(f"code de département inconnu « {brut} »")
    return code.zfill(2)


def normaliser_territoire(brut: str, *, maille: str = "") -> tuple[str, str]:
    """(maille, code) d'un territoire ; la maille déclarée (DEPT, REG, NAT) est vérifiée."""
    code = brut.strip().upper()
    if code in _NATIONAL:
        lu = (Maille.NATIONAL.value, "FR")
    elif correspondance := _REGION.match(code):
        lu = (Maille.REGION.value, correspondance.group(1).zfill(2))
    else:
        lu = (Maille.DEPARTEMENT.value, normaliser_departement(code))
    if maille and maille.strip().upper() != lu[0]:
        raise ValueError(f"le territoire « {brut} » ne correspond pas à la maille « {maille} »")
    return lu
