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

  // Amending a motion: click a line to amend it, shift-click another to take
  // the range between them; the number fields work without this.
  var list = document.getElementById("tabled-lines"), start = document.getElementById("id_start"),
      end = document.getElementById("id_end"), hint = document.getElementById("line-hint");
  if (list && start && end) {
    if (hint) hint.hidden = false;
    list.addEventListener("click", function (event) {
      var li = event.target.closest("li");
      if (!li) return;
      var n = parseInt(li.value, 10);
      if (event.shiftKey && start.value) {
        var a = parseInt(start.value, 10);
        start.value = Math.min(a, n); end.value = Math.max(a, n);
      } else { start.value = n; end.value = n; }
      list.querySelectorAll("li").forEach(function (item) {
        item.classList.toggle("chosen", item.value >= +start.value && item.value <= +end.value);
      });
    });
  }
  // A table wider than a phone scrolls in its own box (tribune.css); a box that
  // scrolls must take the keyboard's focus, or it cannot be scrolled without a mouse.
  document.querySelectorAll("main table, main .scroll").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
    }
  });
})();
