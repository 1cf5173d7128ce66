// Carte des résultats (Leaflet, fichiers copiés depuis npm) construite à partir des données de
// la page. La liste reste l'alternative accessible ; sans JavaScript, la carte n'apparaît pas.
const bloc = document.querySelector("[data-carte]");
const donnees = document.getElementById("points-carte");

function contenuBulle(point) {
  const div = document.createElement("div");
  const lien = document.createElement("a");
  lien.href = point.url;
  lien.textContent = point.nom;
  div.append(lien);
  if (point.adresse) {
    const adresse = document.createElement("p");
    adresse.textContent = point.adresse;
    div.append(adresse);
  }
  return div;
}

if (bloc && donnees && window.L) {
  const L = window.L;
  const points = JSON.parse(donnees.textContent);
  const conteneur = bloc.querySelector(".carte");
  const calme = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  bloc.hidden = false;
  const carte = L.map(conteneur, {
    zoomControl: false,
    scrollWheelZoom: false,
    zoomAnimation: !calme,
    fadeAnimation: !calme,
    markerZoomAnimation: !calme,
    inertia: !calme,
  });
  L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(carte);
  carte.attributionControl.setPrefix(false);
  L.tileLayer(conteneur.dataset.tuiles, {
    attribution: conteneur.dataset.attribution,
    maxZoom: 19,
  }).addTo(carte);
  const marqueurs = points.map((point) => {
    const intitule = `${point.numero}. ${point.nom}`;
    return L.marker([point.lat, point.lon], { title: intitule, alt: intitule })
      .bindPopup(contenuBulle(point))
      .addTo(carte);
  });
  carte.on("popupopen", (evenement) => {
    const fermer = evenement.popup.getElement()?.querySelector(".leaflet-popup-close-button");
    fermer?.setAttribute("aria-label", "Fermer la bulle");
    fermer?.setAttribute("title", "Fermer");
  });
  carte.fitBounds(L.featureGroup(marqueurs).getBounds(), { padding: [24, 24], maxZoom: 14 });
}
