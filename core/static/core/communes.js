// Suggestions de communes pendant la saisie : une <datalist> native, donc annoncée et
// utilisable au clavier par le navigateur lui-même. Sans JavaScript, la saisie libre suffit.
const ADRESSE = "/api/v1/communes";
const DELAI_MS = 250;

function option(commune) {
  const element = document.createElement("option");
  // « Nevers 58000 » : le code postal départage les homonymes, la recherche le comprend.
  const codePostal = commune.codes_postaux?.[0] ?? "";
  element.value = [commune.nom, codePostal].filter(Boolean).join(" ");
  element.label = [commune.nom, codePostal, commune.departement?.nom].filter(Boolean).join(" – ");
  return element;
}

for (const champ of document.querySelectorAll("input[name='commune']")) {
  const liste = document.createElement("datalist");
  liste.id = `${champ.id}-suggestions`;
  champ.after(liste);
  champ.setAttribute("list", liste.id);
  champ.setAttribute("autocomplete", "off");
  let minuteur;
  let controleur;
  champ.addEventListener("input", () => {
    clearTimeout(minuteur);
    const saisie = champ.value.trim();
    if (saisie.length < 2) return;
    minuteur = setTimeout(async () => {
      controleur?.abort();
      controleur = new AbortController();
      try {
        const reponse = await fetch(`${ADRESSE}?q=${encodeURIComponent(saisie)}`, {
          signal: controleur.signal,
          headers: { Accept: "application/json" },
        });
        if (!reponse.ok) return;
        const donnees = await reponse.json();
        // La pagination de l'API rend { total, page, par_page, resultats }.
        const communes = Array.isArray(donnees) ? donnees : (donnees.resultats ?? []);
        liste.replaceChildren(...communes.slice(0, 10).map(option));
      } catch {
        // Réseau coupé ou saisie plus récente : on garde la saisie libre.
      }
    }, DELAI_MS);
  });
}
