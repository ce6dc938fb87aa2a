// Accessibility mends for the Django admin (docs/accessibility.md): select2, behind the admin's
// autocomplete fields, leaves its search box unnamed; name it after the field's label.
(function () {
  "use strict";
  function nameSearchBoxes() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach((input) => {
      const container = input.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      input.setAttribute("aria-label", name ? "Search " + name.toLowerCase() : "Search");
    });
  }
  // select2 draws (and redraws) its boxes after the page has loaded.
  new MutationObserver(nameSearchBoxes).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", nameSearchBoxes);
})();
