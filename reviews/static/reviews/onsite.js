/* On-site capture on a phone: a note, a photo or a signed interview is first kept on the phone
   (IndexedDB; a photo as its blob), then sent to the API when the network allows: at once when
   on-line, on the `online` event, on every load of the page, and with the "send now" button.
   Each record has a UUID made here, so that a record sent twice (an answer lost on the way) is
   stored once: the server answers a UUID it has as a success. A reload while off-line opens the
   page kept by the service worker (onsite_worker.js) and the queue is still here. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("onsite-client").textContent);
  var text = cfg.text;
  var DB_NAME = "ccso-onsite";
  var STORE = "records";
  var queueSection = document.querySelector("[data-testid=onsite-queue]");
  var queueList = document.querySelector("[data-testid=queue]");
  var statusLine = document.querySelector("[data-testid=network-status]");
  var sent = [];
  var sending = false;

  // --- the queue in IndexedDB -------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(STORE, { keyPath: "uuid" });
    };
    opening.onsuccess = function () { resolve(opening.result); };
    opening.onerror = function () { reject(opening.error); };
  });

  function store(mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function queued() {
    return store("readonly", function (os) { return os.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }
  function put(record) { return store("readwrite", function (os) { return os.put(record); }); }
  function remove(uuid) { return store("readwrite", function (os) { return os.delete(uuid); }); }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return [h.slice(0, 4).join(""), h.slice(4, 6).join(""), h.slice(6, 8).join(""),
      h.slice(8, 10).join(""), h.slice(10).join("")].join("-");
  }

  // --- what the page shows --------------------------------------------------------------------
  function describe(record) {
    if (record.kind === "note") return text.note + ": " + record.body.text.slice(0, 60);
    if (record.kind === "photo") return text.photo + ": " + (record.caption || record.fileName);
    return text.interview + ": " + record.body.interviewee_name + " · " +
      record.body.interviewee_role;
  }

  function line(record, state, detail) {
    var li = document.createElement("li");
    li.setAttribute("data-testid", "queued-record");
    li.setAttribute("data-state", state);
    li.setAttribute("data-uuid", record.uuid);
    li.className = "onsite-queued onsite-" + state;
    var label = document.createElement("span");
    label.className = "badge" + (state === "sent" ? " badge-ok" : state === "refused" ? " badge-warn" : "");
    label.textContent = text[state];
    li.appendChild(label);
    li.appendChild(document.createTextNode(" " + describe(record) + (detail ? " — " + detail : "")));
    if (state === "refused") {
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "button-small button-secondary";
      drop.textContent = text.remove;
      drop.addEventListener("click", function () { remove(record.uuid).then(render); });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(drop);
    }
    return li;
  }

  function render() {
    return queued().then(function (records) {
      records = records.filter(function (r) { return r.project === cfg.project; });
      queueList.textContent = "";
      records.forEach(function (r) {
        queueList.appendChild(line(r, r.error ? "refused" : sending ? "sending" : "queued", r.error));
      });
      sent.forEach(function (r) { queueList.appendChild(line(r, "sent")); });
      if (!records.length && !sent.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = text.none;
        queueList.appendChild(none);
      }
      statusLine.textContent = navigator.onLine ? text.online : text.offline;
      queueSection.setAttribute("data-waiting", String(records.filter(function (r) {
        return !r.error;
      }).length));
    });
  }

  // --- sending --------------------------------------------------------------------------------
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function request(record) {
    var headers = { "X-CSRFToken": csrfToken() };
    var body;
    if (record.kind === "photo") {
      body = new FormData();
      body.append("client_uuid", record.uuid);
      body.append("captured_at", record.capturedAt);
      body.append("caption", record.caption || "");
      body.append("file", record.blob, record.fileName || "photo.jpg");
    } else {
      headers["Content-Type"] = "application/json";
      var payload = Object.assign({ client_uuid: record.uuid, captured_at: record.capturedAt },
        record.body);
      body = JSON.stringify(payload);
    }
    return fetch(record.url, { method: "POST", credentials: "same-origin", headers: headers,
      body: body, cache: "no-store" });
  }

  function sendOne(record) {
    return request(record).then(function (response) {
      if (response.ok) {
        return remove(record.uuid).then(function () { sent.push(record); });
      }
      if ([401, 403, 408, 429].indexOf(response.status) === -1 && response.status < 500) {
        // The server will not take it as it is: say why, keep it until the reviewer removes it.
        return response.json().catch(function () { return {}; }).then(function (data) {
          var detail = typeof data.detail === "string" ? data.detail : String(response.status);
          record.error = detail;
          return put(record);
        });
      }
      throw new Error("HTTP " + response.status);
    });
  }

  function sendAll() {
    if (sending || !navigator.onLine) return render();
    sending = true;
    return render().then(queued).then(function (records) {
      var chain = Promise.resolve();
      records.filter(function (r) { return !r.error; }).forEach(function (record) {
        chain = chain.then(function () { return sendOne(record); });
      });
      return chain;
    }).catch(function () { /* the network went away: the rest stays queued */ })
      .then(function () { sending = false; return render(); });
  }

  function enqueue(record) {
    record.uuid = newUuid();
    record.project = cfg.project;
    record.item = cfg.item;
    record.createdAt = new Date().toISOString();
    record.capturedAt = record.createdAt;
    return put(record).then(sendAll);
  }

  // --- the forms ------------------------------------------------------------------------------
  function form(kind) { return document.querySelector("form[data-onsite=" + kind + "]"); }

  var noteForm = form("note");
  noteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = noteForm.elements.text.value.trim();
    if (!value) return;
    enqueue({ kind: "note", url: cfg.urls.note, body: { text: value } }).then(function () {
      noteForm.reset();
    });
  });

  var photoForm = form("photo");
  photoForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = photoForm.elements.file.files[0];
    if (!file) return;
    // The file as a blob of its own: kept in IndexedDB whatever happens to the input.
    file.arrayBuffer().then(function (bytes) {
      return enqueue({ kind: "photo", url: cfg.urls.photo, caption: photoForm.elements.caption.value,
        fileName: file.name, blob: new Blob([bytes], { type: file.type || "image/jpeg" }) });
    }).then(function () { photoForm.reset(); });
  });

  // The signature pad: pointer events (finger, pen or mouse) drawn on a canvas.
  var interviewForm = form("interview");
  var pad = interviewForm.querySelector("canvas");
  var ctx = pad.getContext("2d");
  var drawing = false;
  var signed = false;
  function blank() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.strokeStyle = "#10243e";
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    signed = false;
  }
  function point(event) {
    var box = pad.getBoundingClientRect();
    return { x: (event.clientX - box.left) * pad.width / box.width,
      y: (event.clientY - box.top) * pad.height / box.height };
  }
  pad.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    var p = point(event);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    signed = true;
  });
  function stop() { drawing = false; }
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  blank();
  interviewForm.querySelector("[data-onsite-clear-signature]").addEventListener("click", blank);

  var qa = interviewForm.querySelector("[data-onsite-qa]");
  function addQuestion() {
    var n = qa.querySelectorAll("textarea[name=question]").length + 1;
    [["question", text.question, 2, 2000], ["answer", text.answer, 3, 10000]].forEach(function (f) {
      var p = document.createElement("p");
      var label = document.createElement("label");
      var area = document.createElement("textarea");
      area.id = "onsite-" + f[0].charAt(0) + "-" + n;
      area.name = f[0];
      area.rows = f[2];
      area.maxLength = f[3];
      label.htmlFor = area.id;
      label.textContent = f[1] + " " + n;
      p.appendChild(label);
      p.appendChild(area);
      qa.appendChild(p);
    });
  }
  interviewForm.querySelector("[data-onsite-add-question]").addEventListener("click", addQuestion);

  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }
  var when = interviewForm.elements.interviewed_at;
  when.value = localNow();
  var problem = interviewForm.querySelector("[data-onsite-error]");

  interviewForm.addEventListener("submit", function (event) {
    event.preventDefault();
    problem.textContent = "";
    if (!signed) { problem.textContent = text.signFirst; return; }
    var questions = interviewForm.querySelectorAll("textarea[name=question]");
    var answers = interviewForm.querySelectorAll("textarea[name=answer]");
    var pairs = [];
    for (var i = 0; i < questions.length; i++) {
      var q = questions[i].value.trim();
      var a = answers[i].value.trim();
      if (q || a) pairs.push({ question: q, answer: a });
    }
    enqueue({ kind: "interview", url: cfg.urls.interview, body: {
      interviewee_name: interviewForm.elements.interviewee_name.value.trim(),
      interviewee_role: interviewForm.elements.interviewee_role.value.trim(),
      interviewed_at: new Date(when.value || localNow()).toISOString(),
      answers: pairs, signature: pad.toDataURL("image/png") } }).then(function () {
      interviewForm.reset();
      qa.querySelectorAll("p").forEach(function (p, index) { if (index > 1) p.remove(); });
      when.value = localNow();
      blank();
    });
  });

  // --- off-line: the page and its files kept, the queue sent when the network returns -----------
  function keepForOffline() {
    if (!("caches" in window)) return;
    var urls = [location.pathname];
    document.querySelectorAll("link[rel=stylesheet][href], link[rel=icon][href], script[src]")
      .forEach(function (el) { urls.push(el.getAttribute("href") || el.getAttribute("src")); });
    caches.open("ccso-onsite-v1").then(function (cache) {
      return cache.addAll(urls);
    }).catch(function () { /* off-line already: the worker kept the last copy */ });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.urls.worker, { scope: cfg.urls.scope }).catch(function () {});
  }
  if (navigator.onLine) keepForOffline();

  [queueSection, noteForm, photoForm, interviewForm].forEach(function (el) { el.hidden = false; });
  document.querySelector("[data-onsite-send]").addEventListener("click", sendAll);
  window.addEventListener("online", sendAll);
  window.addEventListener("offline", render);
  sendAll();
}());
