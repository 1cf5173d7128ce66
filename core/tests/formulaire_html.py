"""Ce qu'un navigateur enverrait d'un formulaire, lu dans le HTML rendu de la page.

Les tests postent ce que la page affiche, et non les champs que le serveur croit avoir
rendus : un champ caché oublié par un gabarit (la version d'un inline) se voit alors.
Règles suivies (HTML, « constructing the entry list ») : un champ désactivé n'est pas
envoyé ; une case n'est envoyée que cochée (« on » sans valeur) ; une liste simple sans
option choisie envoie la première ; seul le bouton cliqué est envoyé.
"""

from html.parser import HTMLParser

from django.http import HttpResponse

Donnees = dict[str, str | list[str]]

# Ce que le navigateur n'envoie pas tel quel : boutons (seul le cliqué part) et fichiers.
_TYPES_NON_ENVOYES = {"submit", "button", "reset", "image", "file"}


class _Lecteur(HTMLParser):
    """Lit les champs d'un seul formulaire, repéré par son id, dans l'ordre du document."""

    def __init__(self, id_formulaire: str) -> None:
        super().__init__(convert_charrefs=True)
        self.id_formulaire = id_formulaire
        self.trouve = False
        self.dedans = False
        self.champs: list[tuple[str, str]] = []
        self.boutons: dict[str, str] = {}
        self._liste: dict | None = None  # <select> en cours
        self._option: dict | None = None  # <option> en cours, pour lire son texte
        self._zone: dict | None = None  # <textarea> en cours

    def handle_starttag(self, balise: str, attributs: list[tuple[str, str | None]]) -> None:
        attrs = {nom: valeur if valeur is not None else "" for nom, valeur in attributs}
        if balise == "form":
            self.dedans = attrs.get("id") == self.id_formulaire
            self.trouve = self.trouve or self.dedans
        elif self.dedans:
            self._ouvrir(balise, attrs)

    def _ouvrir(self, balise: str, attrs: dict[str, str]) -> None:
        nom, actif = attrs.get("name"), "disabled" not in attrs
        if balise == "input" and nom and actif:
            self._champ(nom, attrs)
        elif balise == "button" and nom and actif:
            self.boutons[nom] = attrs.get("value", "")
        elif balise == "select":
            multiple = "multiple" in attrs
            self._liste = {"nom": nom, "actif": actif, "multiple": multiple, "options": []}
        elif balise == "option" and self._liste is not None:
            self._option = {
                "valeur": attrs.get("value"),
                "texte": "",
                "choisie": "selected" in attrs,
                "active": "disabled" not in attrs,
            }
            self._liste["options"].append(self._option)
        elif balise == "textarea":
            self._zone = {"nom": nom, "actif": actif, "texte": ""}

    def _champ(self, nom: str, attrs: dict[str, str]) -> None:
        genre = attrs.get("type", "text").lower()
        if genre in ("submit", "image"):
            self.boutons[nom] = attrs.get("value", "")
        elif genre in _TYPES_NON_ENVOYES:
            return
        elif genre in ("checkbox", "radio"):
            if "checked" in attrs:
                self.champs.append((nom, attrs.get("value", "on")))
        else:
            self.champs.append((nom, attrs.get("value", "")))

    def handle_data(self, texte: str) -> None:
        if self._option is not None:
            self._option["texte"] += texte
        if self._zone is not None:
            self._zone["texte"] += texte

    def handle_endtag(self, balise: str) -> None:
        if balise == "form":
            self.dedans = False
        elif balise == "option":
            self._option = None
        elif balise == "select" and self._liste is not None:
            self._fermer_liste(self._liste)
            self._liste = None
        elif balise == "textarea" and self._zone is not None:
            zone, self._zone = self._zone, None
            if zone["nom"] and zone["actif"]:
                # Le navigateur ôte le saut de ligne qui suit <textarea>, et envoie des CRLF.
                texte = zone["texte"].removeprefix("\n").replace("\r\n", "\n")
                self.champs.append((zone["nom"], texte.replace("\n", "\r\n")))

    def _fermer_liste(self, liste: dict) -> None:
        if not (liste["nom"] and liste["actif"]):
            return
        options = liste["options"]
        choisies = [o for o in options if o["choisie"]]
        if not choisies and not liste["multiple"]:
            choisies = [o for o in options if o["active"]][:1]
        for option in choisies:
            # Sans attribut value, une option envoie son texte, espaces de bord ôtés.
            valeur = option["valeur"]
            self.champs.append(
                (liste["nom"], option["texte"].strip() if valeur is None else valeur)
            )


def formulaire_affiche(reponse: HttpResponse, id_formulaire: str, bouton: str = "_save") -> Donnees:
    """Les données que posterait le formulaire `id_formulaire` de la page, bouton `bouton` cliqué.

    Un nom envoyé plusieurs fois (liste multiple) donne une liste, comme l'attend le client de test.
    """
    assert reponse.status_code == 200, reponse.status_code
    lecteur = _Lecteur(id_formulaire)
    lecteur.feed(reponse.content.decode())
    lecteur.close()
    assert lecteur.trouve, f"pas de <form id={id_formulaire!r}> dans la page"
    assert bouton in lecteur.boutons, f"pas de bouton {bouton!r} ({sorted(lecteur.boutons)})"
    donnees: dict[str, list[str]] = {}
    for nom, valeur in [*lecteur.champs, (bouton, lecteur.boutons[bouton])]:
        donnees.setdefault(nom, []).append(valeur)
    return {nom: valeurs[0] if len(valeurs) == 1 else valeurs for nom, valeurs in donnees.items()}
