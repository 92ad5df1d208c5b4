/* The exam page: autosave each answer as it is given, a server-synced countdown, a question
   navigator and flags. Vanilla JS, no dependencies. The page never receives the answer key.

   Saves are ordered: each carries a sequence number that grows with every change in this page
   (starting above the highest the server holds), so a late-arriving older save can never
   overwrite a newer answer.

   Answers not yet acknowledged wait in a queue (the latest per question) that is also kept in
   localStorage under the attempt, so that a reload, a lost connection or a server that answers
   503 while its database restarts loses nothing: the queue is restored on load (where it is
   newer than what the server holds), retried with backoff that honours Retry-After, sent at
   once when the browser comes back on line, and submitting waits until it is empty. The server
   keeps the clock: a save that arrives after the deadline and its grace is refused (409), and
   the page says so. */
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
  var storageKey = "exam-queue-" + cfg.attemptId;
  var stored = true;  // whether the queue is in localStorage (not in private mode, not full)
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

  function persist() {
    try {
      if (Object.keys(pending).length) {
        localStorage.setItem(storageKey, JSON.stringify(pending));
      } else {
        localStorage.removeItem(storageKey);
      }
      stored = true;
    } catch (e) {
      stored = false;  // private mode or quota: the beforeunload warning covers it
    }
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
    persist();
    setStatus("error", message);
    form.querySelectorAll("input").forEach(function (input) {
      if (input.type !== "hidden") input.disabled = true;
    });
    window.setTimeout(function () { window.location.href = cfg.resultUrl; }, 1500);
  }

  function bySeq() {
    return Object.keys(pending).sort(function (a, b) { return pending[a].seq - pending[b].seq; });
  }

  function flush() {
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    bySeq().forEach(send);
  }

  // Wait what the server asked for (Retry-After, in seconds), else back off exponentially; a
  // second of jitter keeps a room of candidates from coming back in the same instant.
  function scheduleRetry(retryAfter) {
    if (retryTimer) return;
    var backoff = Math.min(30000, 1000 * Math.pow(2, Math.min(failures - 1, 5)));
    var delay = (retryAfter > 0 ? retryAfter * 1000 : backoff) + Math.random() * 1000;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      bySeq().forEach(send);
    }, delay);
  }

  function retryAfterOf(response) {
    var seconds = parseInt(response.headers.get("Retry-After"), 10);
    return isNaN(seconds) ? 0 : Math.min(seconds, 300);
  }

  function send(pos) {
    if (closed || inflight[pos] || !pending[pos]) return;
    var item = pending[pos];
    var retryAfter = 0;
    inflight[pos] = true;
    if (!failures) setStatus("saving");
    fetch(cfg.saveUrl.replace(cfg.savePosition, String(pos)), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) {
          failures = 0;
          if (pending[pos] === item) { delete pending[pos]; persist(); }
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
        if (pending[pos] === item) { delete pending[pos]; persist(); }
        return response.json().catch(function () { return {}; }).then(function (data) {
          setStatus("error", data.detail || cfg.text.retrying);
        });
      }
      retryAfter = retryAfterOf(response);
      var error = new Error("HTTP " + response.status);
      error.unreachable = [502, 503, 504].indexOf(response.status) !== -1;
      throw error;
    }).catch(function (error) {
      failures += 1;
      // A network error (no response at all) or a gateway/database outage: the answer is kept
      // on this device; anything else is a server fault being retried.
      setStatus(error instanceof TypeError || error.unreachable ? "queued" : "retrying");
      scheduleRetry(retryAfter);
    }).then(function () {
      delete inflight[pos];
      if (closed) return;
      if (failures === 0 && Object.keys(pending).length) {
        bySeq().forEach(send);  // newer answers given while this one travelled, or held back
      } else if (!hasPending()) {
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
    persist();
    updateNav(fieldset);
    // While a retry is scheduled the server is not taking saves: this one waits with the rest.
    if (!retryTimer) send(fieldset.dataset.position);
  }

  // Answers this browser kept from before a reload, newer than the server's: shown and resent.
  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "{}"); } catch (e) { return; }
    Object.keys(saved).forEach(function (pos) {
      var item = saved[pos];
      var fieldset = form.querySelector("fieldset.question[data-position='" + pos + "']");
      if (!fieldset || !item || typeof item.seq !== "number" ||
          item.seq <= Number(fieldset.dataset.seq || 0)) return;
      fieldset.querySelectorAll(".options input").forEach(function (input) {
        input.checked = item.selected.indexOf(input.value) !== -1;
      });
      fieldset.querySelector(".flag-input").checked = !!item.flagged;
      pending[pos] = { selected: item.selected, flagged: !!item.flagged, seq: item.seq };
      seq = Math.max(seq, item.seq);
      updateNav(fieldset);
    });
    persist();
    if (Object.keys(pending).length) flush();
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) queue(fieldset);
  });

  // Back on line: send now rather than at the end of the backoff.
  window.addEventListener("online", function () { if (!closed) flush(); });

  // Submitting waits for the queue, however long the outage: the answers would otherwise be
  // lost. The server refuses what arrives after the deadline and its grace, and closes the page.
  function flushThen(callback) {
    var waited = 0;
    flush();
    (function wait() {
      if (closed) return;
      if (!hasPending()) { callback(); return; }
      waited += 200;
      if (waited === 1000) setStatus("submitWaiting");
      window.setTimeout(wait, 200);
    })();
  }

  function submitNow() {
    if (submitting) return;
    submitting = true;
    flushThen(function () { HTMLFormElement.prototype.submit.call(form); });
  }

  // The button stays disabled while the confirmation is open and a moment after it is
  // dismissed: a double-click's second click arrives only once the first one's dialog closes,
  // and must not open another.
  var submitButton = document.getElementById("submit-button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting || submitButton.disabled) return;
    // Counted from the answers themselves: the navigator's legend has an "answered" chip too.
    var unanswered = 0;
    form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      if (!stateOf(fieldset).selected.length) unanswered += 1;
    });
    var message = cfg.text.confirm;
    if (unanswered > 0) message = cfg.text.unanswered.replace("%(n)s", unanswered) + "\n" + message;
    submitButton.disabled = true;
    if (window.confirm(message)) {
      submitNow();
    } else {
      window.setTimeout(function () { submitButton.disabled = false; }, 400);
    }
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

  // Answers kept in localStorage survive leaving the page; only without it is leaving a loss.
  window.addEventListener("beforeunload", function (event) {
    if (hasPending() && !submitting && !stored) { event.preventDefault(); event.returnValue = ""; }
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

  // A closed attempt never shows as live. The page is `no-store`, so going back asks the
  // server, which sends a closed one to its result; a copy restored from the back/forward cache
  // anyway is reloaded, and a tab looked at again (left open while the paper was submitted in
  // another tab or the app) asks the server before anything can be answered.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || closed || submitting) return;
    fetch(cfg.paperUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 409) {
        finishClosed(cfg.text.closed);
      } else if (response.ok) {
        return response.json().then(function (data) { syncClock(data.seconds_remaining); });
      }
    }).catch(function () { /* off line: the queue and the clock carry on */ });
  });

  restore();
  tick();
})();
