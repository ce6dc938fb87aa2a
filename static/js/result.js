// Poll the attempt's grading state and show the result as soon as the worker has graded it.
(function () {
  "use strict";
  const box = document.getElementById("grading");
  if (!box) return;
  let delay = 1000;
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      // The API answers 202 while the attempt is being graded and 200 with the result.
      if (response.status === 200) { window.location.reload(); return; }
    } catch (e) { /* offline: try again */ }
    delay = Math.min(delay * 1.5, 5000);
    setTimeout(poll, delay);
  }
  setTimeout(poll, delay);
})();
