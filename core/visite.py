"""Visite d'un site Autonomie en marche : chaque type de page doit répondre, statiques compris.

Sert après un déploiement (`manage.py verifier_site`) et en CI (`.ci/production`), où le site
tourne comme en production : DEBUG=false, statiques collectés, gunicorn. Une page par type
suffit : deux fiches de service ne diffèrent que par leurs données, pas par leur gabarit. La
visite ne parle que HTTP, comme un navigateur ; elle n'importe aucune application métier.
"""

import base64
import hashlib
import hmac
import http.client
import json
import re
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

# Pages qu'une visite ne doit pas ouvrir : elles changent l'état de la session ou des données.
_A_EVITER = re.compile(r"/(deconnexion|logout|delete|supprimer)/|/admin/.*/(add|history)/")


@dataclass
class Reponse:
    statut: int
    entetes: dict[str, str]
    corps: bytes

    @property
    def texte(self) -> str:
        return self.corps.decode("utf-8", errors="replace")


@dataclass
class Navigateur:
    """Un client HTTP minimal qui garde ses cookies.

    Une adresse https:// est visitée en HTTPS, comme un navigateur. Une adresse http:// est
    celle du serveur WSGI derrière le mandataire documenté (SECURE_PROXY_SSL, ce que fait la
    CI) : le client pose X-Forwarded-Proto comme le ferait le mandataire, sans quoi tout serait
    redirigé vers HTTPS, et renvoie lui-même les cookies « Secure ».
    """

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def requete(self, methode: str, chemin: str, donnees: dict | None = None) -> Reponse:
        adresse = urlsplit(self.base)
        entetes = {"Host": adresse.netloc}
        if adresse.scheme == "https":
            connexion = http.client.HTTPSConnection(adresse.hostname, adresse.port, timeout=120)
        else:
            # Le serveur WSGI lui-même, derrière le mandataire : on dit ce que dirait celui-ci.
            connexion = http.client.HTTPConnection(adresse.hostname, adresse.port, timeout=120)
            entetes["X-Forwarded-Proto"] = "https"
        if self.cookies:
            entetes["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        corps = None
        if donnees is not None:
            corps = urlencode(donnees)
            entetes["Content-Type"] = "application/x-www-form-urlencoded"
            entetes["Referer"] = f"https://{adresse.netloc}{chemin}"
        connexion.request(methode, chemin, body=corps, headers=entetes)
        brute = connexion.getresponse()
        for valeur in brute.headers.get_all("Set-Cookie") or []:
            nom, _, reste = valeur.partition("=")
            self.cookies[nom.strip()] = reste.split(";", 1)[0]
        reponse = Reponse(brute.status, {k.lower(): v for k, v in brute.getheaders()}, brute.read())
        connexion.close()
        return reponse

    def suivre(self, chemin: str, donnees: dict | None = None) -> tuple[str, Reponse]:
        """GET (ou POST) puis les redirections du même site ; rend le dernier chemin."""
        reponse = self.requete("POST" if donnees else "GET", chemin, donnees)
        for _ in range(5):
            if reponse.statut not in (301, 302, 303, 307, 308):
                break
            cible = urlsplit(urljoin(f"https://x{chemin}", reponse.entetes["location"]))
            if cible.netloc not in ("x", urlsplit(self.base).netloc):
                break
            chemin = cible.path + (f"?{cible.query}" if cible.query else "")
            reponse = self.requete("GET", chemin)
        return chemin, reponse

    def se_connecter(
        self,
        page: str,
        identifiant: str,
        mot_de_passe: str,
        code: Callable[[], str] | None = None,
    ) -> bool:
        """Adresse et mot de passe ; puis, si le site le demande, le code à usage unique."""
        reponse = self._poster(page, {"username": identifiant, "password": mot_de_passe})
        if reponse.statut != 302:
            return False
        suite = urlsplit(reponse.entetes.get("location", ""))
        if not suite.path.endswith("/connexion/code/"):
            return True
        if code is None:
            return False
        chemin = suite.path + (f"?{suite.query}" if suite.query else "")
        return self._poster(chemin, {"code": code()}).statut == 302

    def _poster(self, page: str, donnees: dict) -> Reponse:
        _, formulaire = self.suivre(page)
        jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', formulaire.texte)
        donnees = {**donnees, "csrfmiddlewaretoken": jeton.group(1) if jeton else ""}
        return self.requete("POST", page, donnees)


def code_totp(cle_base32: str, *, instant: float | None = None, pas: int = 30) -> str:
    """Le code à 6 chiffres d'une application d'authentification (RFC 6238, HMAC-SHA1)."""
    cle = base64.b32decode(cle_base32.upper() + "=" * (-len(cle_base32) % 8))
    compteur = int((time.time() if instant is None else instant) // pas)
    empreinte = hmac.new(cle, struct.pack(">Q", compteur), hashlib.sha1).digest()
    decalage = empreinte[-1] & 0x0F
    valeur = struct.unpack(">I", empreinte[decalage : decalage + 4])[0] & 0x7FFFFFFF
    return f"{valeur % 1_000_000:06d}"


class _Liens(HTMLParser):
    """Les liens (a href) et les ressources (link href, script src, img src) d'une page."""

    def __init__(self) -> None:
        super().__init__()
        self.liens: list[str] = []
        self.ressources: list[str] = []
        self.code: list[str] = []  # scripts et feuilles de style : jamais d'un autre site

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        valeurs = dict(attrs)
        if tag == "a" and valeurs.get("href"):
            self.liens.append(valeurs["href"])
        elif tag == "link" and valeurs.get("rel") == "stylesheet" and valeurs.get("href"):
            self.ressources.append(valeurs["href"])
            self.code.append(valeurs["href"])
        elif tag in ("script", "img") and valeurs.get("src"):
            self.ressources.append(valeurs["src"])
            if tag == "script":
                self.code.append(valeurs["src"])


def type_de_page(chemin: str) -> str:
    """/services/12/aide-a-domicile/ et /services/40/portage/ sont un même type de page."""
    adresse = urlsplit(chemin)
    morceaux = [re.sub(r"\d+", "N", m) for m in adresse.path.split("/")]
    if len(morceaux) > 3 and morceaux[1] in ("services", "structures"):
        morceaux[3] = "*"  # le slug
    if len(morceaux) > 2 and morceaux[-2] == "tableaux":
        morceaux[-1] = "*." + morceaux[-1].rpartition(".")[2]  # un export par format et page
    # Les filtres d'une liste de l'administration se combinent sans fin, pour un même gabarit.
    requete = "" if adresse.path.startswith("/admin/") else adresse.query
    parametres = sorted({p.split("=", 1)[0] for p in requete.split("&") if p})
    return "/".join(morceaux) + ("?" + "&".join(parametres) if parametres else "")


@dataclass
class Visite:
    navigateur: Navigateur
    perimetres: tuple[str, ...]
    limite: int = 200
    vus: set[str] = field(default_factory=set)
    ressources: set[str] = field(default_factory=set)
    echecs: list[str] = field(default_factory=list)
    pages: int = 0

    def parcourir(self, depart: Iterable[str], signaler: Callable[[str], None]) -> None:
        a_voir = list(depart)
        while a_voir and self.pages < self.limite:
            chemin = a_voir.pop(0)
            if type_de_page(chemin) in self.vus:
                continue
            self.vus.add(type_de_page(chemin))
            a_voir.extend(self.ouvrir(chemin, signaler))

    def ouvrir(self, chemin: str, signaler: Callable[[str], None]) -> list[str]:
        self.pages += 1
        final, reponse = self.navigateur.suivre(chemin)
        signaler(f"{reponse.statut} {chemin}")
        if reponse.statut != 200:
            self.echecs.append(f"{chemin} : {reponse.statut}")
            return []
        if not reponse.entetes.get("content-type", "").startswith("text/html"):
            return []
        lecteur = _Liens()
        lecteur.feed(reponse.texte)
        self.verifier_ressources(lecteur.ressources, final, signaler)
        externes = len(lecteur.code) - len(self._du_site(lecteur.code, final))
        if externes:
            self.echecs.append(f"{chemin} : {externes} script(s) ou feuille(s) d'un autre site")
        return [lien for lien in self._du_site(lecteur.liens, final) if self._a_suivre(lien)]

    def verifier_ressources(
        self, ressources: list[str], page: str, signaler: Callable[[str], None]
    ) -> None:
        for chemin in self._du_site(ressources, page):
            if chemin in self.ressources:
                continue
            self.ressources.add(chemin)
            statut = self.navigateur.requete("GET", chemin).statut
            if statut != 200:
                signaler(f"{statut} {chemin} (ressource de {page})")
                self.echecs.append(f"{chemin} (ressource de {page}) : {statut}")

    def _du_site(self, adresses: list[str], page: str) -> list[str]:
        chemins = []
        for adresse in adresses:
            cible = urlsplit(urljoin(f"https://x{page}", adresse))
            if cible.netloc == "x" and cible.scheme == "https":
                chemins.append(cible.path + (f"?{cible.query}" if cible.query else ""))
        return chemins

    def _a_suivre(self, chemin: str) -> bool:
        return chemin.startswith(self.perimetres) and not _A_EVITER.search(chemin)


def verifier_introuvable(navigateur: Navigateur) -> str | None:
    """Une adresse inconnue répond 404 avec la page du site, pas 500."""
    reponse = navigateur.requete("GET", "/cette-page-n-existe-pas/")
    if reponse.statut != 404 or "<html" not in reponse.texte:
        return f"/cette-page-n-existe-pas/ : {reponse.statut} au lieu d'une page 404"
    return None


def premier_identifiant(navigateur: Navigateur, ressource: str) -> int | None:
    """L'identifiant d'une fiche (services, structures), lu dans l'API publique."""
    reponse = navigateur.requete("GET", f"/api/v1/{ressource}?par_page=1")
    if reponse.statut != 200:
        return None
    resultats = json.loads(reponse.corps)["resultats"]
    return resultats[0]["id"] if resultats else None
