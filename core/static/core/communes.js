// Suggestions de communes pendant la saisie, selon le motif « combobox » d'ARIA 1.2 : le
// champ garde le focus, les flèches parcourent la liste, Entrée choisit, Échap referme.
// Une <datalist> ne convenait pas : le navigateur n'y montre que les options qui contiennent
// la saisie, donc jamais « Château-Chinon » pour « Chateau Chinnon ». Sans JavaScript, la
// saisie libre suffit : la recherche comprend le nom, le code postal, et les fautes.
const ADRESSE = "/api/v1/communes";
const DELAI_MS = 200;
const NOMBRE_MAX = 8;

// « Nevers 58000 » : ce que le champ reçoit ; le code postal départage les homonymes.
function valeur(commune) {
  return [commune.nom, commune.codes_postaux?.[0]].filter(Boolean).join(" ");
}

// « Château-Chinon (Ville) 58120 – Nièvre » : ce que la liste montre.
function libelle(commune) {
  return commune.libelle ?? [valeur(commune), commune.departement?.nom].filter(Boolean).join(" – ");
}

function annonce(nombre) {
  if (nombre === 0) return "Aucune commune ne correspond.";
  const communes = nombre === 1 ? "1 commune proposée" : `${nombre} communes proposées`;
  return `${communes} : flèches haut et bas pour choisir, Entrée pour valider.`;
}

function brancher(champ) {
  const liste = document.createElement("ul");
  liste.id = `${champ.id}-suggestions`;
  liste.className = "suggestions-communes";
  liste.setAttribute("role", "listbox");
  liste.setAttribute("aria-label", "Communes proposées");
  liste.hidden = true;
  const statut = document.createElement("p");
  statut.className = "visuellement-cache";
  statut.setAttribute("role", "status");
  champ.parentElement.classList.add("avec-suggestions");
  champ.after(liste, statut);
  champ.setAttribute("role", "combobox");
  champ.setAttribute("aria-autocomplete", "list");
  champ.setAttribute("aria-expanded", "false");
  champ.setAttribute("aria-controls", liste.id);
  champ.setAttribute("autocomplete", "off");

  let minuteur;
  let controleur;
  let active = -1;
  const options = () => [...liste.children];

  function fermer() {
    liste.hidden = true;
    champ.setAttribute("aria-expanded", "false");
    champ.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function ouvrir() {
    if (!liste.children.length) return;
    liste.hidden = false;
    champ.setAttribute("aria-expanded", "true");
  }

  function activer(indice) {
    const toutes = options();
    if (!toutes.length) return;
    active = (indice + toutes.length) % toutes.length;
    toutes.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    champ.setAttribute("aria-activedescendant", toutes[active].id);
    toutes[active].scrollIntoView({ block: "nearest" });
  }

  function choisir(option) {
    champ.value = option.dataset.valeur;
    fermer();
    statut.textContent = `${option.textContent} choisie.`;
  }

  function afficher(communes) {
    liste.replaceChildren(
      ...communes.slice(0, NOMBRE_MAX).map((commune, i) => {
        const option = document.createElement("li");
        option.id = `${liste.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.valeur = valeur(commune);
        option.textContent = libelle(commune);
        return option;
      }),
    );
    active = -1;
    champ.removeAttribute("aria-activedescendant");
    statut.textContent = annonce(liste.children.length);
    if (liste.children.length) ouvrir();
    else fermer();
  }

  async function chercher(saisie) {
    controleur?.abort();
    controleur = new AbortController();
    try {
      const parametres = new URLSearchParams({ q: saisie, par_page: String(NOMBRE_MAX) });
      const reponse = await fetch(`${ADRESSE}?${parametres}`, {
        signal: controleur.signal,
        headers: { Accept: "application/json" },
      });
      if (!reponse.ok) return;
      const donnees = await reponse.json();
      // La pagination de l'API rend { total, page, par_page, resultats }.
      afficher(Array.isArray(donnees) ? donnees : (donnees.resultats ?? []));
    } catch {
      // Réseau coupé ou saisie plus récente : on garde la saisie libre.
    }
  }

  champ.addEventListener("input", () => {
    clearTimeout(minuteur);
    const saisie = champ.value.trim();
    if (saisie.length < 2) {
      fermer();
      return;
    }
    minuteur = setTimeout(() => chercher(saisie), DELAI_MS);
  });

  champ.addEventListener("keydown", (evenement) => {
    const ouverte = !liste.hidden;
    if (evenement.key === "ArrowDown" || evenement.key === "ArrowUp") {
      if (!liste.children.length) return;
      evenement.preventDefault();
      ouvrir();
      activer(evenement.key === "ArrowDown" ? active + 1 : active - 1);
    } else if (evenement.key === "Enter" && ouverte && active >= 0) {
      evenement.preventDefault(); // choisir, pas encore envoyer le formulaire
      choisir(options()[active]);
    } else if (evenement.key === "Escape" && ouverte) {
      evenement.preventDefault();
      fermer();
    }
  });

  champ.addEventListener("blur", fermer);
  // mousedown plutôt que click : le champ ne perd pas le focus avant le choix.
  liste.addEventListener("mousedown", (evenement) => {
    const option = evenement.target.closest("[role='option']");
    if (!option) return;
    evenement.preventDefault();
    choisir(option);
  });
}

for (const champ of document.querySelectorAll("input[name='commune']")) {
  brancher(champ);
}
