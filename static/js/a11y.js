/*
 * Accessibility help for what htmx changes in place (dialogs are in static/js/dialogs.js).
 *
 * 1. Status and progress: an element htmx swaps in is a new element, and screen readers do not
 *    reliably read a live region that is itself replaced. So the text of each [data-announce]
 *    element that arrives is copied into a polite live region that stays put (one per page, or one
 *    inside the open modal dialog, since the page behind it is inert), and only when it changed.
 * 2. Forms that come back with errors: the button that was pressed is gone, so focus would fall
 *    back to the top of the page. It moves to the first field in error instead; its message is tied
 *    to it by aria-describedby (and aria-invalid="true"), and the summary above is role="alert".
 */
(function () {
  "use strict";

  var lastAnnounced = "";

  function announcer() {
    var container = document.querySelector("dialog.modal[open]") || document.body;
    var region = container.querySelector(":scope > .live-announcer");
    if (!region) {
      region = document.createElement("div");
      region.className = "live-announcer visually-hidden";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("role", "status");
      container.appendChild(region);
    }
    return region;
  }

  function announce(swapped) {
    var parts = [];
    if (swapped.matches("[data-announce]")) parts.push(swapped.textContent);
    swapped.querySelectorAll("[data-announce]").forEach(function (el) {
      parts.push(el.textContent);
    });
    var text = parts.join(" ").replace(/\s+/g, " ").trim();
    if (!text || text === lastAnnounced) return;
    lastAnnounced = text;
    var region = announcer();
    // A short pause after creating (or emptying) the region, so that the change is noticed.
    region.textContent = "";
    setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function focusFirstError(swapped) {
    if (swapped.closest("dialog.modal")) return; // dialogs place focus themselves
    var active = document.activeElement;
    if (active && active !== document.body) return; // focus was kept (htmx restores it by id): leave it
    var invalid = swapped.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.target;
    if (!swapped || !swapped.querySelector) return;
    announce(swapped);
    focusFirstError(swapped);
  });
})();
