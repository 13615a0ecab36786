/* Data Docs without the internet: the two things GX's pages ask of jQuery and Bootstrap
   (removed by validate/data_docs.py): "Show more info..." blocks and the Failed Only filter. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest('[data-toggle="collapse"]');
    if (!toggle) return;
    event.preventDefault();
    var id = (toggle.getAttribute("data-target") || toggle.getAttribute("href") || "").replace(/^#/, "");
    var block = id && document.getElementById(id);
    if (block) {
      var open = block.classList.toggle("show");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  function filter(failedOnly, button) {
    // A row whose status cell is marked as succeeded; the GX page marks those cells.
    document.querySelectorAll(".hide-succeeded-validation-target-child").forEach(function (cell) {
      var row = cell.closest("tr") || cell.parentElement;
      row.style.display = failedOnly ? "none" : "";
    });
    document.querySelectorAll(".hide-succeeded-validation-target").forEach(function (el) {
      el.style.display = failedOnly ? "none" : "";
    });
    if (button) {
      button.parentElement.querySelectorAll(".btn").forEach(function (b) { b.classList.remove("active"); });
      button.classList.add("active");
    }
  }

  // The page's own inline functions (called by its buttons' onclick) need jQuery; these replace them.
  function clicked() { return window.event ? window.event.currentTarget : null; }
  window.showAllValidations = function () { filter(false, clicked()); };
  window.hideSucceededValidations = function () { filter(true, clicked()); };
})();
