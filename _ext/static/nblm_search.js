// nblm: readable search results.
// Sphinx builds each result's summary from the page's raw HTML text, so it shows
// code cells and TeX source ("\(\Gamma\)"), and section titles keep TeX
// ("t_{relax}").  Here the summary skips code cells and outputs, and TeX becomes
// plain text with Unicode symbols (MathJax cannot typeset a summary cut at 240
// characters, which often splits a formula).  tests/test_browser.py searches.
(function () {
  "use strict";
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
    eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π",
    rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
    Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Phi: "Φ",
    Psi: "Ψ", Omega: "Ω", ln: "ln", log: "log", exp: "exp", sim: "~", approx: "≈",
    le: "≤", leq: "≤", ge: "≥", geq: "≥", ll: "≪", gg: "≫", to: "→", infty: "∞", times: "×",
    cdot: "·", pm: "±", propto: "∝", neq: "≠", partial: "∂", sum: "Σ", int: "∫", sqrt: "√",
    langle: "⟨", rangle: "⟩", ldots: "…", dots: "…", quad: " ", qquad: " ", left: "", right: "",
    mathrm: "", text: "", mathcal: "", operatorname: "", rm: "", hat: "", tilde: "", bar: "",
  };
  function plainTeX(s) {
    return s
      .replace(/\\\(|\\\)|\\\[|\\\]|\$\$?/g, "")
      .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : name))
      .replace(/\\[,;:! ]/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ");
  }
  window.nblmPlainTeX = plainTeX;
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".cell_input, .cell_output, div.highlight, pre, .jupyter-widgets, script, " +
                         ".bd-header-article, .header-article-main, .onlyprint, #jb-print-docs-body, nav")
      .forEach((e) => e.remove());
    doc.querySelectorAll(".math").forEach((e) => { e.textContent = " " + plainTeX(e.textContent) + " "; });
    return plainTeX(original(doc.documentElement.outerHTML, anchor));
  };
  const tidy = (root) => root.querySelectorAll("#search-results li > a, #search-results li > span")
    .forEach((a) => { if (/[\\_^{}]/.test(a.textContent)) a.textContent = plainTeX(a.textContent); });
  document.addEventListener("DOMContentLoaded", () => {
    const results = document.getElementById("search-results");
    if (results) new MutationObserver(() => tidy(document)).observe(results, {childList: true, subtree: true});
  });
})();
