/*
 * Dialogs that htmx swaps into a page (Link with Xero, …): `<dialog class="modal">` inside a host
 * element whose id is the htmx target (e.g. <div id="xero-dialog" class="modal-host">).
 *
 * - When one arrives it is shown with showModal(): the page behind becomes inert and focus moves
 *   into the dialog (to an [autofocus] element, else the first invalid field, else an error
 *   message, else the dialog's heading), so a screen reader reads where the user now is.
 * - Each step of the dialog (htmx replaces the whole host) is shown the same way; errors in it are
 *   role="alert" messages and get focus, so they are announced.
 * - Escape (the browser's own `cancel`) or a [data-dialog-close] control closes it: the host is
 *   emptied, ready for the next time, and focus returns to the control that opened the dialog.
 *
 * Without JavaScript the same views render a plain page, and Close is a link back.
 * The Content-Security-Policy allows no inline script: this file is loaded from base.html.
 */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  var opener = null; // the control that opened the dialog now showing
  var lastTrigger = null; // the control behind the latest htmx request
  var showing = false; // a dialog is showing (its steps replace it without closing it)

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    lastTrigger = elt && elt.matches && elt.matches(FOCUSABLE) ? elt : document.activeElement;
  });

  function focusTarget(dialog) {
    return (
      dialog.querySelector("[autofocus]") ||
      dialog.querySelector("[aria-invalid='true']") ||
      dialog.querySelector("[role='alert']") ||
      dialog.querySelector("h1, h2")
    );
  }

  function focusInside(dialog) {
    var target = focusTarget(dialog);
    if (!target) return;
    if (!target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  function closed(dialog) {
    var host = dialog.closest(".modal-host");
    if (host && host.id) {
      // Leave an empty host behind: the next "open" swaps into it again.
      var empty = document.createElement("div");
      empty.id = host.id;
      host.replaceWith(empty);
    }
    showing = false;
    var back = opener;
    opener = null;
    if (back && document.body.contains(back)) back.focus();
  }

  function show(dialog) {
    dialog.setAttribute("data-dialog-ready", "");
    if (!showing) {
      opener = lastTrigger && document.body.contains(lastTrigger) ? lastTrigger : document.activeElement;
    }
    // Rendered with `open` so that it is visible without JavaScript; showModal() needs it closed.
    if (dialog.open) dialog.removeAttribute("open");
    try {
      dialog.showModal();
    } catch (error) {
      dialog.setAttribute("open", ""); // a browser without modal dialogs: shown in place
    }
    showing = true;
    dialog.addEventListener("close", function () {
      closed(dialog);
    });
    focusInside(dialog);
  }

  function upgrade() {
    var dialogs = document.querySelectorAll("dialog.modal:not([data-dialog-ready])");
    for (var i = 0; i < dialogs.length; i++) show(dialogs[i]);
    if (showing && !document.querySelector("dialog.modal[data-dialog-ready]")) {
      // The dialog went away without closing (a swap replaced it with something else).
      showing = false;
      opener = null;
    }
  }

  document.addEventListener("htmx:afterSettle", upgrade);

  document.addEventListener("click", function (event) {
    var control = event.target.closest && event.target.closest("dialog.modal [data-dialog-close]");
    if (!control) return;
    event.preventDefault();
    control.closest("dialog").close();
  });
})();
