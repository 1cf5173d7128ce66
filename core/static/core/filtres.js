// Les filtres de la recherche sont repliés (<details>) pour qu'un téléphone, ou un écran
// agrandi à 200 %, montre les résultats d'abord. Quand la page a la place de les mettre
// à côté des résultats (la même largeur que pages.css), ils sont dépliés d'emblée.
// Sans JavaScript, le bouton « Affiner » les déplie partout.
const COLONNE_DE_FILTRES = window.matchMedia("(min-width: 48em)");

if (COLONNE_DE_FILTRES.matches) {
  for (const repli of document.querySelectorAll("details.filtres-repli")) {
    repli.open = true;
  }
}
