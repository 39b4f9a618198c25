// Live assembly panel: follows the assembly's Server-Sent Events and updates the
// page in place (no reload). Without JavaScript every form still posts and
// redirects back, so this is only a convenience for the hall.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource || !root.dataset.events) return;
  var timer = null;
  var refreshing = false;
  var again = false;

  function label(name) { return root.dataset["label" + name.charAt(0).toUpperCase() + name.slice(1)] || name; }

  function clock(seconds) {
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(seconds);
    return sign + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function startTimer() {
    if (timer) clearInterval(timer);
    var el = root.querySelector("[data-timer]");
    if (!el || el.dataset.seconds === "" || el.dataset.seconds === "None") return;
    var ends = Date.now() + parseInt(el.dataset.seconds, 10) * 1000;
    function tick() {
      var left = Math.round((ends - Date.now()) / 1000);
      el.textContent = clock(left);
      el.classList.toggle("over", left < 0);
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  // The panel is replaced when the hall changes; a keyboard user whose focus was in
  // it would be thrown back to the top of the page. So the focus goes back to the
  // same control in the new panel (or, if it is gone, to the panel itself).
  function focusSelector(el) {
    if (!el || el === root || !root.contains(el)) return null;
    if (el.id) return "#" + CSS.escape(el.id);
    var form = el.closest("form");
    if (!form || !form.getAttribute("action")) return null;
    var selector = el.tagName.toLowerCase();
    if (el.name) selector += '[name="' + CSS.escape(el.name) + '"]';
    if (el.tagName === "BUTTON" && el.value) selector += '[value="' + CSS.escape(el.value) + '"]';
    return 'form[action="' + CSS.escape(form.getAttribute("action")) + '"] ' + selector;
  }

  function replacePanel(html) {
    var active = document.activeElement;
    var hadFocus = active && active !== root && root.contains(active);
    var selector = hadFocus ? focusSelector(active) : null;
    root.innerHTML = html;
    if (!hadFocus) return;
    var again = selector && root.querySelector(selector);
    if (again) { again.focus(); return; }
    if (!root.hasAttribute("tabindex")) root.tabIndex = -1;
    root.focus();
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(root.dataset.refresh, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { replacePanel(html); startTimer(); })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function showResult(data) {
    var el = document.getElementById("vote-result");
    if (!el) return;
    var r = data.result || {};
    var p = document.createElement("p");
    var subject = document.createElement("strong");
    subject.textContent = data.subject || "";
    if (r.order) {  // a ranking vote: the order in which the competing motions are put
      var ol = document.createElement("ol");
      ol.className = "ranked-order";
      r.order.forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = m.title;
        ol.append(li);
      });
      p.append(subject);
      el.replaceChildren(p, ol);
      return;
    }
    var verdict = document.createElement("span");
    var notQuorate = r.outcome === "not quorate";
    verdict.className = (r.carried ? "carried" : "lost") + " verdict";
    verdict.textContent = notQuorate ? label("notQuorate") : r.carried ? label("carried") : label("lost");
    if (r.ranking) {  // a ranking that was not quorate ordered nothing
      p.append(subject, ": ", verdict);
      el.replaceChildren(p);
      return;
    }
    p.append(subject, ": ", verdict, " — " + label("yes") + " " + r.yes + ", " + label("no") + " " + r.no + ", " + label("abstain") + " " + r.abstain);
    el.replaceChildren(p);
  }

  // The projector's live-vote bar (templates/charts/_bar.html): voted of those present,
  // from the counts in the vote_progress ("cast") and attendance ("present") events.
  function updateBar(figures) {
    var text = document.getElementById("vote-bar-text");
    var part = document.querySelector("#vote-bar [data-part=cast]");
    if (!text || !part) return;
    Object.keys(figures).forEach(function (k) { text.dataset[k] = figures[k]; });
    var cast = parseInt(text.dataset.cast, 10) || 0;
    var present = parseInt(text.dataset.present, 10) || 0;
    var full = part.ownerSVGElement.viewBox.baseVal.width;
    part.setAttribute("width", (present ? Math.min(cast / present, 1) * full : 0).toFixed(1));
    document.getElementById("vote-bar-cast").textContent = cast;
    document.getElementById("vote-bar-present").textContent = present;
  }

  var handlers = {
    vote_progress: function (data) {
      var el = document.getElementById("vote-progress");
      if (el) el.textContent = data.cast;
      updateBar({ cast: data.cast });
    },
    vote_closed: function (data) {
      var panel = document.getElementById("vote-subject");
      if (panel) panel.textContent = "";
      showResult(data);
      refresh();
    },
    attendance: function (data) {  // many check-ins: update the figures in place, no refetch
      var el = document.getElementById("attendance-present");
      if (el) el.textContent = data.present;
      updateBar({ present: data.present });
      var state = document.getElementById("quorum-state");
      if (state && state.dataset.quorate !== String(data.quorate)) refresh();
      if (state) state.dataset.quorate = String(data.quorate);
    },
    speaker: function (data) {
      var el = root.querySelector("[data-timer]");
      if (el) { el.dataset.seconds = data.seconds; startTimer(); }
      refresh();
    },
  };

  var source = new EventSource(root.dataset.events);
  source.onmessage = function (event) {
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    var handler = handlers[message.event];
    if (handler) handler(message.data || {});
    else if (["vote_opened", "current_item", "speakers", "agenda", "participants", "session", "resync"].indexOf(message.event) >= 0) refresh();
  };
  // Events sent while the stream was down are not replayed ("resync" says the
  // server's own link to Redis was down): after any reconnection, fetch the state.
  source.onopen = function () {
    if (root.dataset.connected === "1") refresh();
    root.dataset.connected = "1";
  };
  startTimer();
})();
