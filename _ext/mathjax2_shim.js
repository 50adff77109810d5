// The ipywidgets HTML manager (1.0.x) typesets widget labels with the MathJax 2
// API (MathJax.Hub.Queue); Sphinx loads MathJax 3, so every widget page would
// throw a TypeError (jupyter-widgets/ipywidgets#3829). Bridge the two APIs.
(function () {
  var MJ = (window.MathJax = window.MathJax || {});
  var pending = [];
  var hub = {
    Queue: function (cmd) {
      var el = cmd && cmd[2];
      if (!el) return;
      if (window.MathJax.typesetPromise) window.MathJax.typesetPromise([el]);
      else pending.push(el);
    },
  };
  MJ.Hub = hub;
  MJ.startup = MJ.startup || {};
  MJ.startup.ready = function () {
    window.MathJax.startup.defaultReady();
    window.MathJax.Hub = hub;
    window.MathJax.startup.promise.then(function () {
      if (pending.length) window.MathJax.typesetPromise(pending.splice(0));
    });
  };
})();
