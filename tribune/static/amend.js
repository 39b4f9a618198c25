// Amending by selection: select a passage of a motion and type what replaces it.
// Without JavaScript the amendment form asks for the passage to be quoted; this
// only fills that field from the selection and says at once whether the passage
// names one place in the motion (the server checks again, the same way).
(function () {
  "use strict";

  // The same matching as textmerge.passage_change: Unicode NFC, any run of
  // whitespace (line breaks included) matches any other, overlaps count.
  function occurrences(text, passage) {
    var words = passage.normalize("NFC").split(/\s+/).filter(Boolean);
    if (!words.length) return -1;
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("(?=(" + escaped.join("\\s+") + "))", "gu");
    return Array.from(text.normalize("NFC").matchAll(pattern)).length;
  }

  function selectedIn(element) {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return "";
    var range = selection.getRangeAt(0);
    if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) return "";
    return selection.toString();
  }

  // The amendment page: the selection fills "the passage to replace" and, until
  // the member edits it, "replace with" (so that they change only what differs).
  document.querySelectorAll(".passage-source[data-passage-field]").forEach(function (source) {
    var passage = document.getElementById(source.dataset.passageField);
    var replacement = document.getElementById(source.dataset.replacementField);
    var status = document.getElementById("passage-count");
    var hint = document.getElementById("passage-hint");
    if (!passage || !replacement) return;
    if (hint) hint.hidden = false;
    // What this script put in "replace with" (null once the member has typed there).
    var filled = null;
    if (!replacement.value) { replacement.value = passage.value; }
    if (replacement.value === passage.value) { filled = replacement.value; }

    function check() {
      if (!status) return;
      var n = occurrences(source.textContent, passage.value);
      status.textContent = n < 0 ? "" : n === 0 ? status.dataset.missing
        : n === 1 ? status.dataset.once : status.dataset.many;
      passage.setAttribute("aria-invalid", n === 0 || n > 1 ? "true" : "false");
    }

    document.addEventListener("selectionchange", function () {
      var text = selectedIn(source);
      if (!text.trim()) return;
      passage.value = text;
      if (filled !== null && replacement.value === filled) { replacement.value = text; filled = text; }
      check();
    });
    passage.addEventListener("input", check);
    if (passage.value) check();
  });

  // The motion on the assembly page: selecting a passage of its text offers a
  // link to amend exactly that passage.
  document.querySelectorAll("[data-amend-url]").forEach(function (source) {
    var box = document.getElementById(source.dataset.amendLink);
    var link = box && box.querySelector("a");
    if (!link) return;
    document.addEventListener("selectionchange", function () {
      var text = selectedIn(source);
      if (text.trim()) {
        link.href = source.dataset.amendUrl + "?passage=" + encodeURIComponent(text);
        box.hidden = false;
      }
    });
  });
})();
