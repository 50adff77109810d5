// Make the ipywidgets HTML manager work from the site's own copy (no CDN).
// Loaded after require.js and before embed-amd.js (see nb_ipywidgets_js in _config.yml).
(function () {
  var root = document.documentElement.dataset.content_root || "";
  var hm = root + "_static/vendor/html-manager";
  // The html-manager derives its webpack publicPath (Font Awesome icon fonts)
  // from each AMD module's URI, which defaults to <page dir>/@jupyter-widgets/...
  require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": hm,
      "@jupyter-widgets": hm,
    },
  });
  // pydata-sphinx-theme's Font Awesome *JS* replaces <i class="fa ..."> by <svg>;
  // the ipywidgets Play view then cannot find its <i> and throws. "nest" puts the
  // <svg> inside the <i> instead (read by fontawesome.js, which is deferred).
  window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, {
    autoReplaceSvg: "nest",
  });
  // Inside widgets hide the nested <svg>: the manager's own Font Awesome 4.7
  // webfont (found through the paths above) draws the glyph.
  var css = document.createElement("style");
  css.textContent = ".jupyter-widgets i.fa > svg.svg-inline--fa { display: none; }";
  document.head.appendChild(css);
})();
