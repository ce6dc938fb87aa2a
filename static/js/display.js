// Display settings kept on this device: dark mode (the system's choice until the student picks one)
// and text size. Loaded in <head>, so the page is painted with them from the start.
(function () {
  "use strict";
  const KEY = "lms-display";
  const root = document.documentElement;
  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  let prefs = {};
  try { prefs = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { prefs = {}; }
  const dark = () => (prefs.theme ? prefs.theme === "dark" : systemDark.matches);

  function apply() {
    root.dataset.theme = dark() ? "dark" : "light";
    root.dataset.textSize = prefs.textSize || "100";
    const toggle = document.getElementById("dark-mode");
    if (toggle) toggle.setAttribute("aria-pressed", String(dark()));
    const size = document.getElementById("text-size");
    if (size) size.value = root.dataset.textSize;
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(prefs)); } catch (e) { /* private mode */ }
    apply();
  }

  apply();
  systemDark.addEventListener("change", apply);
  document.addEventListener("DOMContentLoaded", () => {
    apply();
    document.getElementById("dark-mode").addEventListener("click", () => {
      prefs.theme = dark() ? "light" : "dark";
      save();
    });
    document.getElementById("text-size").addEventListener("change", (event) => {
      prefs.textSize = event.target.value;
      save();
    });
  });
})();
