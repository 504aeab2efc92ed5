// The export page (core/export.html) without reloading it: every few seconds the export's state is read from the
// API (the session signs the request) and the progress is updated in place; once the export is no longer under
// way the page is loaded again to show the link or the error. Without JavaScript the "Refresh" link does the same.
(function () {
  "use strict";
  var root = document.querySelector("[data-export-status]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-export-status");
  var bar = document.getElementById("export-progress");
  var label = document.getElementById("export-count");
  var words = root.getAttribute("data-count-template") || "";
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.status !== "queued" && s.status !== "running") { window.location.reload(); return; }
        if (bar) { bar.max = s.total || 1; bar.value = s.done; bar.textContent = s.percent + "%"; }
        if (label && words) { label.textContent = words.replace("__done__", s.done).replace("__total__", s.total); }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
