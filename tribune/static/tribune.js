// Small conveniences for every page, in a file of its own so that the
// Content-Security-Policy can forbid inline script. Every page works without it.
(function () {
  "use strict";

  // "Go back" links: back in history; without JavaScript they lead home.
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });

  // Print buttons (hidden until JavaScript can print).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // A table wider than a phone scrolls in its own box (tribune.css); a box that
  // scrolls must take the keyboard's focus, or it cannot be scrolled without a mouse.
  document.querySelectorAll("main table, main .scroll").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
    }
  });
})();
