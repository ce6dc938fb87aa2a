// The page of a background question import: poll its status, show the progress, and reload the
// page (which then shows the report) once the import has finished.
(function () {
  "use strict";
  var root = document.getElementById("import-job");
  if (!root || root.dataset.finished === "true") {
    return;
  }
  var url = root.dataset.statusUrl;
  var field = function (name) {
    return root.querySelector('[data-field="' + name + '"]');
  };

  function show(state) {
    field("label").textContent = state.label;
    var bar = field("progress");
    if (bar) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
    }
    var counts = field("counts");
    if (counts) {
      counts.textContent = state.done + " of " + (state.total || "?") + " questions checked";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // offline or a restart: try again, more slowly
      });
  }

  window.setTimeout(poll, 1000);
})();
