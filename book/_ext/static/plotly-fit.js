// Fit every plotly figure to its column once the page has its final layout,
// and again whenever the column changes width (sidebars, window resize).
// Figures are drawn while the page is still being parsed, before the theme's
// sidebars take their space, so their first width can be too large.
(function () {
  function fit(gd) {
    if (window.Plotly && gd._fullLayout && !gd.layout.width) {
      window.Plotly.Plots.resize(gd);
    }
  }
  function fitAll() {
    document.querySelectorAll(".plotly-graph-div").forEach(fit);
  }
  window.addEventListener("load", function () {
    fitAll();
    if (window.ResizeObserver) {
      var seen = new WeakMap();
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var width = Math.round(entry.contentRect.width);
          if (seen.get(entry.target) !== width) {
            seen.set(entry.target, width);
            entry.target.querySelectorAll(".plotly-graph-div").forEach(fit);
          }
        });
      });
      document.querySelectorAll(".plotly-graph-div").forEach(function (gd) {
        observer.observe(gd.parentElement);
      });
    }
  });
})();
