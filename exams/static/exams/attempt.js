/* The exam page: autosave each answer as it is given, a server-synced countdown, a question
   navigator and flags. Vanilla JS, no dependencies. The page never receives the answer key.

   Saves are ordered: each carries a sequence number that grows with every change in this page
   (starting above the highest the server holds), so a late-arriving older save can never
   overwrite a newer answer. Failed saves are retried with backoff, and a notice says so. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("exam-client").textContent);
  var form = document.getElementById("paper");
  var statusEl = document.getElementById("save-status");
  var countdownEl = document.getElementById("countdown");
  var seq = cfg.lastSeq;
  var pending = {};   // position -> {selected, flagged, seq}
  var inflight = {};  // position -> true
  var failures = 0;
  var retryTimer = null;
  var closed = false;
  var submitting = false;
  // The client clock is only used to count down between server updates.
  var endsAt = performance.now() + cfg.secondsRemaining * 1000;

  function csrfToken() {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function setStatus(kind, text) {
    statusEl.textContent = text || cfg.text[kind];
    statusEl.className = "save-status save-status-" + kind;
  }

  function hasPending() {
    return Object.keys(pending).length > 0 || Object.keys(inflight).length > 0;
  }

  function stateOf(fieldset) {
    var selected = [];
    fieldset.querySelectorAll(".options input:checked").forEach(function (input) {
      selected.push(input.value);
    });
    return { selected: selected, flagged: fieldset.querySelector(".flag-input").checked };
  }

  function updateNav(fieldset) {
    var pos = fieldset.dataset.position;
    var state = stateOf(fieldset);
    var chip = document.getElementById("nav-" + pos);
    chip.classList.toggle("answered", state.selected.length > 0);
    chip.classList.toggle("flagged", state.flagged);
  }

  function syncClock(seconds) {
    if (typeof seconds === "number") endsAt = performance.now() + seconds * 1000;
  }

  function finishClosed(message) {
    closed = true;
    pending = {};
    setStatus("error", message);
    form.querySelectorAll("input").forEach(function (input) {
      if (input.type !== "hidden") input.disabled = true;
    });
    window.setTimeout(function () { window.location.href = cfg.resultUrl; }, 1500);
  }

  function scheduleRetry() {
    if (retryTimer) return;
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(failures, 5)));
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      Object.keys(pending).forEach(send);
    }, delay);
  }

  function send(pos) {
    if (closed || inflight[pos] || !pending[pos]) return;
    var item = pending[pos];
    inflight[pos] = true;
    setStatus("saving");
    fetch(cfg.saveUrl + pos, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) {
          failures = 0;
          if (pending[pos] === item) delete pending[pos];
          syncClock(data.seconds_remaining);
        });
      }
      if (response.status === 409) {
        return response.json().then(function (data) {
          finishClosed(data.detail || cfg.text.late);
        });
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        // Not worth retrying (e.g. signed out): drop it and say so.
        delete pending[pos];
        return response.json().catch(function () { return {}; }).then(function (data) {
          setStatus("error", data.detail || cfg.text.retrying);
        });
      }
      throw new Error("HTTP " + response.status);
    }).catch(function () {
      failures += 1;
      setStatus("retrying");
      scheduleRetry();
    }).then(function () {
      delete inflight[pos];
      if (!closed && pending[pos] && pending[pos] !== item && failures === 0) {
        send(pos);  // a newer answer was given while this one travelled
      } else if (!closed && !hasPending()) {
        setStatus("saved");
      }
    });
  }

  function queue(fieldset) {
    if (closed) return;
    seq += 1;
    var state = stateOf(fieldset);
    state.seq = seq;
    pending[fieldset.dataset.position] = state;
    updateNav(fieldset);
    send(fieldset.dataset.position);
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) queue(fieldset);
  });

  function flushThen(callback) {
    var waited = 0;
    Object.keys(pending).forEach(send);
    (function wait() {
      if (!hasPending() || closed || waited > 10000) { callback(); return; }
      waited += 200;
      window.setTimeout(wait, 200);
    })();
  }

  function submitNow() {
    if (submitting) return;
    submitting = true;
    flushThen(function () { HTMLFormElement.prototype.submit.call(form); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var unanswered = form.querySelectorAll("fieldset.question").length -
      document.querySelectorAll(".navigator .nav-chip.answered").length;
    var message = cfg.text.confirm;
    if (unanswered > 0) message = cfg.text.unanswered.replace("%(n)s", unanswered) + "\n" + message;
    if (window.confirm(message)) submitNow();
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdownEl.textContent = (h ? h + ":" : "") + pad(m) + ":" + pad(s);
    countdownEl.setAttribute("datetime", "PT" + left + "S");
    countdownEl.classList.toggle("clock-low", left <= 300);
    if (left === 0 && !submitting && !closed) {
      setStatus("error", cfg.text.timeUp);
      submitNow();
      return;
    }
    window.setTimeout(tick, 1000 - (Date.now() % 1000));
  }

  window.addEventListener("beforeunload", function (event) {
    if (hasPending() && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });

  // Resume where the candidate was: the last question they looked at.
  var key = "exam-position-" + cfg.attemptId;
  document.querySelectorAll(".navigator a").forEach(function (link) {
    link.addEventListener("click", function () {
      try { sessionStorage.setItem(key, link.getAttribute("href")); } catch (e) { /* private mode */ }
    });
  });
  form.addEventListener("focusin", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) {
      try { sessionStorage.setItem(key, "#" + fieldset.id); } catch (e) { /* private mode */ }
    }
  });
  try {
    var last = sessionStorage.getItem(key);
    if (last && !window.location.hash && document.querySelector(last)) {
      document.querySelector(last).scrollIntoView();
    }
  } catch (e) { /* private mode */ }

  tick();
})();
