"""Banc de charge du questionnaire « Ma MDPH, mon avis » : des questionnaires complets envoyés
à un vrai serveur (gunicorn, comme en production) sur une base SQLite neuve, depuis un autre
processus, à débit imposé ; puis on compte ce que la base a gardé.

Cible (issue 12) : 50 réponses/s tenues 60 s, aucune perdue, aucune erreur.

Le serveur : une base SQLite jetable (migrations, dont la version 1 du questionnaire ; le
référentiel des communes, car une réponse sur cinq trouve sa MDPH par la commune), puis
gunicorn démarré par `bench/serveur.py` comme `.ci/production` (DEBUG=false, clés neuves,
statiques collectés, derrière un mandataire https qui donne l'adresse du client dans
`X-Forwarded-For` : `API_ENTETE_IP_CLIENT=X-Forwarded-For`, comme en production). La limite
de débit (`SATISFACTION_REPONSES_PAR_MINUTE`, 5 par défaut) et la fenêtre des doublons
(`SATISFACTION_DOUBLON_MINUTES`, 30) gardent leurs valeurs par défaut et travaillent
(compteur et empreintes écrits à chaque envoi) : chaque questionnaire vient d'une adresse à
lui, comme des personnes différentes derrière le mandataire.

Le client (ce fichier avec `--client`, dans un autre processus, sans Django : asyncio et
`bench/charge.py`) lance un questionnaire tous les 1/débit secondes sans attendre les
précédents (charge ouverte : un serveur en retard voit les sessions s'accumuler, il ne
ralentit pas la cadence) ; chacun, comme un navigateur sans JavaScript : GET de l'étape (jeton
CSRF, cookie de session), POST de réponses valides et variées, redirection vers l'étape
suivante, et ainsi jusqu'à la page de remerciement.

Affiche : questionnaires lancés, accusés (« Nous avons bien reçu vos réponses »), réponses
trouvées en base (et par MDPH), comptes (`Comptage`) comparés à un recomptage des réponses,
erreurs HTTP par statut, latences p50/p95/p99 par étape, réponses/s obtenues (et par tranche
de 10 s), CPU serveur par réponse (workers lus dans /proc, et Server-Timing), CPU du client.

    .venv/bin/python bench/satisfaction_charge.py [--debit 50] [--duree 60] [--workers 4]
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
from charge import Reponse, lire_reponse  # noqa: E402  (bench/ : dossier du script)

ETAPE = "/donner-mon-avis/etape/{}/"
MERCI = "/donner-mon-avis/merci/"
ACCUSE = "Nous avons bien reçu vos réponses.".encode()
JETON = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTENTE_MAX_S = 60  # au-delà, une requête compte comme perdue (« Timeout »)

# Les réponses de la version 1 (migration 0002), tirées au hasard pour chaque questionnaire.
ECHELLE = ["tres_satisfait", "satisfait", "insatisfait", "tres_insatisfait", "non_concerne"]
POIDS_ECHELLE = [25, 40, 18, 10, 7]
MOTIFS = ["aah", "pch", "cmi", "travail", "scolarisation", "etablissement", "aeeh", "autre"]
ETAPE_2 = [
    "globale",
    "acces",
    "contact",
    "accueil",
    "ecoute",
    "comprehension_droits",
    "besoins_souhaits",
    "reponses_questions",
    "qui_contacter",
]
ETAPE_3 = ["delai", "aides_besoins"]
COMMENTAIRES = [
    "Le formulaire de renouvellement est trop long.",
    "Très long délai pour la réponse, plus de six mois.",
    "Accueil très gentil au téléphone, merci.",
    "Je n'ai pas compris la décision reçue.",
    "Personne ne répond au téléphone le matin.",
]


# --- Le client (processus à part, sans Django) ---------------------------------------------------


def reponses_au_hasard(hasard: random.Random, ou: tuple[str, str]) -> list[dict]:
    """Les champs des 4 étapes d'un questionnaire valide ; `ou` : (commune, département), l'un
    des deux vide."""
    commune, departement = ou
    echelle = lambda: hasard.choices(ECHELLE, POIDS_ECHELLE)[0]  # noqa: E731
    commentaire = hasard.choice(COMMENTAIRES) if hasard.random() < 0.4 else ""
    return [
        {
            "mdph_commune": commune,
            "mdph_departement": departement,
            "pour_qui": hasard.choice(["moi", "proche"]),
            "motifs": hasard.sample(MOTIFS, hasard.choice([1, 1, 2, 3])),
            "etat": hasard.choice(["en_cours", "decision", "decision", "ne_sais_pas"]),
            "action": "suivant",
        },
        {cle: echelle() for cle in ETAPE_2} | {"action": "suivant"},
        {cle: echelle() for cle in ETAPE_3} | {"action": "suivant"},
        {"commentaire": commentaire, "site_internet": "", "action": "envoyer"},
    ]


class Session:
    """Un navigateur : ses cookies, son adresse vue par le mandataire."""

    def __init__(self, port: int, adresse: str) -> None:
        self.port, self.adresse, self.cookies = port, adresse, {}

    async def demander(self, methode: str, chemin: str, corps: str | None = None) -> Reponse:
        lecteur, ecrivain = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            lignes = [
                f"{methode} {chemin} HTTP/1.1",
                "Host: 127.0.0.1",
                "X-Forwarded-Proto: https",  # comme le mandataire de production
                f"X-Forwarded-For: {self.adresse}",
                "Connection: close",
            ]
            if self.cookies:
                lignes.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
            donnees = (corps or "").encode()
            if corps is not None:
                lignes += [
                    "Content-Type: application/x-www-form-urlencoded",
                    f"Content-Length: {len(donnees)}",
                    "Origin: https://127.0.0.1",
                    f"Referer: https://127.0.0.1{chemin}",
                ]
            ecrivain.write(("\r\n".join(lignes) + "\r\n\r\n").encode() + donnees)
            await ecrivain.drain()
            reponse = await lire_reponse(lecteur)
        finally:
            ecrivain.close()
        for nom, valeur in reponse.entetes:
            if nom == b"set-cookie":
                cle, _, reste = valeur.decode().partition("=")
                self.cookies[cle] = reste.split(";", 1)[0]
        return reponse


async def _requete(session: Session, mesures: list, nom: str, attendu: int, *args) -> Reponse:
    """Une requête mesurée ; lève RuntimeError(statut) si le statut n'est pas celui attendu."""
    debut = time.perf_counter()
    try:
        reponse = await asyncio.wait_for(session.demander(*args), ATTENTE_MAX_S)
    except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as erreur:
        mesures.append([nom, (time.perf_counter() - debut) * 1000, type(erreur).__name__, None])
        raise RuntimeError(type(erreur).__name__) from erreur
    mesures.append([nom, (time.perf_counter() - debut) * 1000, reponse.statut, reponse.cpu])
    if reponse.statut != attendu:
        raise RuntimeError(str(reponse.statut))
    return reponse


async def questionnaire(port: int, numero: int, ou: list[str], mesures: list) -> dict:
    """Un questionnaire du début à la page de remerciement ; rend son issue."""
    hasard = random.Random(numero)
    session = Session(port, f"10.{numero >> 16 & 255}.{numero >> 8 & 255}.{numero & 255}")
    debut = time.perf_counter()
    issue = "accuse"
    try:
        for etape, champs in enumerate(reponses_au_hasard(hasard, tuple(ou)), start=1):
            chemin = ETAPE.format(etape)
            page = await _requete(session, mesures, f"GET étape {etape}", 200, "GET", chemin)
            jeton = JETON.search(page.corps)
            if jeton is None:
                raise RuntimeError("sans jeton CSRF")
            corps = urlencode(champs | {"csrfmiddlewaretoken": jeton.group(1).decode()}, True)
            envoi = await _requete(
                session, mesures, f"POST étape {etape}", 302, "POST", chemin, corps
            )
            suivante = ETAPE.format(etape + 1) if etape < 4 else MERCI
            if envoi.entete(b"location") != suivante.encode():
                raise RuntimeError(f"renvoyé vers {envoi.entete(b'location')!r}")
        merci = await _requete(session, mesures, "GET merci", 200, "GET", MERCI)
        if ACCUSE not in merci.corps:
            issue = "merci sans accusé"
    except RuntimeError as erreur:
        issue = f"échec : {erreur}"
    return {"debut": debut, "fin": time.perf_counter(), "issue": issue, "ou": ou}


async def charger(port: int, debit: float, duree: float, premier: int, lieux: list) -> dict:
    """Lance `debit × duree` questionnaires à cadence fixe (charge ouverte)."""
    mesures: list = []
    boucle = asyncio.get_running_loop()
    cpu, depart = time.process_time(), boucle.time()
    taches, retard_max = [], 0.0
    for i in range(round(debit * duree)):
        prevu = depart + i / debit
        retard_max = max(retard_max, boucle.time() - prevu)
        if prevu > boucle.time():
            await asyncio.sleep(prevu - boucle.time())
        numero = premier + i
        ou = lieux[numero % len(lieux)]
        taches.append(asyncio.create_task(questionnaire(port, numero, ou, mesures)))
    fin_lancements = boucle.time() - depart
    resultats = await asyncio.gather(*taches)
    origine = depart - boucle.time() + time.perf_counter()  # horloges alignées
    for r in resultats:
        r["debut"], r["fin"] = r["debut"] - origine, r["fin"] - origine
    return {
        "lancements_s": fin_lancements,
        "retard_max_s": retard_max,
        "duree_s": boucle.time() - depart,
        "cpu_client_s": time.process_time() - cpu,
        "questionnaires": resultats,
        "mesures": mesures,
    }


def client() -> None:
    # Un serveur en retard accumule les sessions, donc les connexions ouvertes.
    _, plafond = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (plafond, plafond))
    o = json.load(sys.stdin)
    resultat = asyncio.run(charger(o["port"], o["debit"], o["duree"], o["premier"], o["lieux"]))
    json.dump(resultat, sys.stdout)


# --- Le banc (ce processus : la base, le serveur, le bilan) --------------------------------------


def preparer_base() -> list[list[str]]:
    """Migre la base neuve, charge les communes ; rend les lieux saisis par les répondants :
    chaque département, et des communes (par nom ou code postal) qui désignent une seule MDPH."""
    from django.core.management import call_command

    from territoires.models import Commune, Departement
    from territoires.selectors import choix_commune
    from territoires.services import charger_communes

    call_command("migrate", verbosity=0)
    charger_communes()
    lieux = [
        ["", code] for code in Departement.objects.order_by("code").values_list("pk", flat=True)
    ]
    communes = Commune.objects.order_by("-population").prefetch_related("codes_postaux")
    for commune in communes[:60]:
        for saisie in (commune.nom, *[c.code for c in commune.codes_postaux.all()][:1]):
            choix = choix_commune(saisie)
            if choix.retenue is not None and not choix.autres:
                lieux.append([saisie, ""])
    hasard = random.Random(12)
    hasard.shuffle(lieux)
    return lieux


def rejouer(port: int, debit: float, duree: float, premier: int, lieux: list) -> dict:
    ordre = json.dumps(
        {"port": port, "debit": debit, "duree": duree, "premier": premier, "lieux": lieux}
    )
    sortie = subprocess.run(
        [sys.executable, __file__, "--client"],
        input=ordre,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(sortie.stdout)


def verifier_la_base() -> tuple[int, Counter, int, int]:
    """(réponses, réponses par MDPH, lignes de comptes, lignes qui diffèrent d'un recomptage
    des réponses par la règle de `satisfaction/comptage.py`)."""
    from satisfaction.comptage import comptes_de
    from satisfaction.models import Comptage, Reponse, Version

    questions = {v.pk: list(v.questions.all()) for v in Version.objects.all()}
    attendus: Counter = Counter()
    par_mdph: Counter = Counter()
    colonnes = ("version_id", "departement_id", "mois", "origine", "valeurs")
    for version, departement, mois, origine, valeurs in Reponse.objects.values_list(*colonnes):
        par_mdph[departement] += 1
        attendus.update(
            comptes_de(
                questions=questions[version],
                departement=departement,
                mois=mois,
                origine=origine,
                valeurs=valeurs,
            )
        )
    cle = ("departement_id", "mois", "origine", "segment", "question", "signature", "niveau")
    lus = {tuple(ligne[:-1]): ligne[-1] for ligne in Comptage.objects.values_list(*cle, "nombre")}
    ecarts = sum(1 for k in set(lus) | set(attendus) if lus.get(k, 0) != attendus.get(k, 0))
    return sum(par_mdph.values()), par_mdph, len(lus), ecarts


def bilan(resultat: dict, arguments, cpu_workers: float, occupe: float, base: tuple) -> None:
    from serveur import centiles

    questionnaires = resultat["questionnaires"]
    issues = Counter(q["issue"] for q in questionnaires)
    accuses = [q for q in questionnaires if q["issue"] == "accuse"]
    n, duree = len(questionnaires), resultat["duree_s"]
    print(
        f"Questionnaires lancés : {n} en {resultat['lancements_s']:.1f} s "
        f"(cible {arguments.debit:g}/s × {arguments.duree:g} s ; retard de lancement max "
        f"{resultat['retard_max_s'] * 1000:.0f} ms) ; tous finis en {duree:.1f} s"
    )
    print(f"Issues : {dict(issues)}")
    fins = sorted(q["fin"] for q in accuses)
    if fins:
        print(
            f"Réponses accusées : {len(accuses)} ; débit obtenu {len(accuses) / duree:.1f}/s "
            f"sur toute la durée, {len(accuses) / max(fins[-1] - fins[0], 1e-9):.1f}/s entre "
            "le premier et le dernier accusé"
        )
        tranches = Counter(int(f // 10) for f in fins)
        print(
            "Accusés par tranche de 10 s (/s) : "
            + " ".join(f"{tranches[t] / 10:.0f}" for t in range(max(tranches) + 1))
        )
    reponses, par_mdph, lignes, ecarts = base
    attendus = Counter(q["ou"][1] for q in accuses if q["ou"][1])
    mdph_ok = all(par_mdph[code] >= nombre for code, nombre in attendus.items())
    # Un envoi enregistré dont le client est parti avant la réponse (délai dépassé) est en
    # base sans accusé : pas perdu, mais pas compté comme accusé.
    print(
        f"En base : {reponses} réponses ; accusées mais absentes (perdues) : "
        f"{max(len(accuses) - reponses, 0)} ; en base sans accusé (client parti avant la "
        f"réponse) : {max(reponses - len(accuses), 0)} ; MDPH choisies par "
        f"département retrouvées : {'oui' if mdph_ok else 'NON'} ; {lignes} lignes de comptes, "
        f"{ecarts} écart(s) avec le recomptage des réponses"
    )
    erreurs = Counter(
        str(statut) for _, _, statut, _ in resultat["mesures"] if statut not in (200, 302)
    )
    print(f"Erreurs HTTP par statut : {dict(erreurs) or 'aucune'}")
    par_etape: dict[str, list] = defaultdict(list)
    cpu_etape: dict[str, list] = defaultdict(list)
    for nom, ms, _, cpu in resultat["mesures"]:
        par_etape[nom].append(ms)
        if cpu is not None:
            cpu_etape[nom].append(cpu)
    print(f"{'requête':<14} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} ms   CPU serveur p50")
    for nom in sorted(par_etape, key=_ordre):
        p50, p95, p99 = centiles(par_etape[nom])
        c50 = centiles(cpu_etape[nom])[0] if cpu_etape[nom] else float("nan")
        print(
            f"{nom:<14} {len(par_etape[nom]):>6} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f}"
            f"      {c50:>5.1f} ms"
        )
    total = max(len(accuses), 1)
    serveur_timing = sum(m[3] or 0 for m in resultat["mesures"])
    print(
        f"CPU serveur par réponse : {cpu_workers / total * 1000:.0f} ms (workers, /proc), "
        f"{serveur_timing / total:.0f} ms (somme des Server-Timing) ; CPU du client : "
        f"{resultat['cpu_client_s']:.1f} s ({resultat['cpu_client_s'] / total * 1000:.1f} ms "
        "par réponse)"
    )
    autres = (occupe - cpu_workers - resultat["cpu_client_s"]) / duree
    print(f"Le reste de la machine pendant la charge : {max(autres, 0):.2f} cœur(s) occupés")


def _ordre(nom: str) -> tuple:
    return (nom[-1] if nom[-1].isdigit() else "9", nom.startswith("POST"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debit", type=float, default=50, help="questionnaires lancés par seconde")
    parser.add_argument("--duree", type=float, default=60, help="secondes de lancements")
    parser.add_argument("--workers", type=int, default=4, help="workers gunicorn synchrones")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.client:
        return client()
    with tempfile.TemporaryDirectory() as dossier:
        os.environ["DATABASE_URL"] = f"sqlite:///{dossier}/satisfaction.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "autonomie.settings"
        os.environ.setdefault("DEBUG", "true")  # la préparation ; le serveur, lui, DEBUG=false
        en_charge(arguments, dossier)


def en_charge(arguments, dossier: str) -> None:
    import django

    django.setup()
    from serveur import (
        arreter,
        charge_machine,
        cpu_de,
        cpu_machine,
        demarrer,
        environnement_de_production,
        port_libre,
        workers,
    )

    debut = time.perf_counter()
    lieux = preparer_base()
    print(
        f"Base SQLite neuve prête en {time.perf_counter() - debut:.0f} s ({len(lieux)} lieux "
        f"saisis) ; gunicorn, {arguments.workers} workers synchrones ; {charge_machine()}"
    )
    port = port_libre()
    environnement = environnement_de_production(
        f"{dossier}/statiques", API_ENTETE_IP_CLIENT="X-Forwarded-For"
    )
    serveur = demarrer(environnement, arguments.workers, port)
    try:
        pids = workers(serveur.pid)
        # Chaque worker charge une fois ses gabarits et ses caches (communes, questions).
        rejouer(port, 4, arguments.workers, 10_000_000, lieux)
        from satisfaction.models import Reponse

        deja = Reponse.objects.count()
        cpu_workers, machine = cpu_de(pids), cpu_machine()[0]
        resultat = rejouer(port, arguments.debit, arguments.duree, 0, lieux)
        cpu_workers, occupe = cpu_de(pids) - cpu_workers, cpu_machine()[0] - machine
    finally:
        arreter(serveur)
    reponses, par_mdph, lignes, ecarts = verifier_la_base()
    print(f"(chauffe : {deja} réponses avant la mesure, ôtées ci-dessous)")
    bilan(resultat, arguments, cpu_workers, occupe, (reponses - deja, par_mdph, lignes, ecarts))
    print(f"Après : {charge_machine()}")


if __name__ == "__main__":
    main()
