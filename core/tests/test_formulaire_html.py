"""L'aide de test qui lit un formulaire rendu envoie ce qu'enverrait un navigateur."""

from django.http import HttpResponse

from core.tests.formulaire_html import formulaire_affiche

PAGE = """
<form id="autre"><input name="ailleurs" value="x"></form>
<form id="fiche_form" method="post">
  <input type="hidden" name="lieux-0-version_chargee" value="3">
  <input name="nom" value="CLIC &amp; CCAS">
  <input name="sans_valeur">
  <input type="checkbox" name="coche" checked>
  <input type="checkbox" name="decoche" value="oui">
  <input name="desactive" value="1" disabled>
  <input type="file" name="piece">
  <select name="typologie"><option value="ASSO">Association</option>
    <option value="CCAS">CCAS</option></select>
  <select name="etat"><option>inconnu</option><option selected> oui </option></select>
  <select name="besoins" multiple><option value="1" selected>a</option><option value="2">b</option>
    <option value="3" selected>c</option></select>
  <select name="publics" multiple><option value="1">a</option></select>
  <textarea name="description">
ligne 1
ligne 2</textarea>
  <input type="submit" name="_save" value="Enregistrer">
  <input type="submit" name="_continue" value="Enregistrer et continuer">
</form>
"""


def test_le_formulaire_affiche_donne_ce_que_posterait_le_navigateur():
    donnees = formulaire_affiche(HttpResponse(PAGE), "fiche_form", bouton="_continue")

    assert donnees == {
        "lieux-0-version_chargee": "3",
        "nom": "CLIC & CCAS",
        "sans_valeur": "",
        "coche": "on",
        "typologie": "ASSO",
        "etat": "oui",
        "besoins": ["1", "3"],
        "description": "ligne 1\r\nligne 2",
        "_continue": "Enregistrer et continuer",
    }
