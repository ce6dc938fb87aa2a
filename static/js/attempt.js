// The exam page: one item at a time, every change saved at once, queued while offline.
// Each save carries a client sequence number; the server keeps only the newest per item.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("attempt-data").textContent);
  const csrf = document.querySelector("#submit-form input[name=csrfmiddlewaretoken]").value;
  const storeKey = "lms-attempt-" + data.attemptId;
  // Option ids are opaque texts (older attempts used numbers): compare them as text.
  const ids = (list) => (list || []).map(String);
  data.items.forEach((it) => { it.selected = ids(it.selected); });
  const items = new Map(data.items.map((it) => [it.position, it]));
  const total = data.items.length;
  const saveState = document.getElementById("save-state");
  let current = data.current || 1;
  let submitting = false;

  // ------------------------------------------------------------------ local queue (survives reloads)
  function loadStore() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || { seq: 0, queue: [] }; }
    catch (e) { return { seq: 0, queue: [] }; }
  }
  const store = loadStore();
  store.seq = Math.max(store.seq, ...data.items.map((it) => it.seq), 0);
  // Saves still queued from before a reload are newer than the server's copy: apply them first.
  for (const entry of store.queue) {
    const it = items.get(entry.position);
    if (!it) continue;
    if (entry.selected !== undefined) it.selected = entry.selected;
    if (entry.flagged !== undefined) it.flagged = entry.flagged;
  }
  function persist() { try { localStorage.setItem(storeKey, JSON.stringify(store)); } catch (e) { /* private mode */ } }

  function enqueue(position, fields) {
    store.seq += 1;
    store.queue.push(Object.assign({ position: position, seq: store.seq }, fields));
    persist();
    flush();
  }

  let flushing = null; // the flush under way: callers wait for it instead of starting another
  let retryDelay = 1000;
  let retryTimer = null;
  function setSaveState(text, kind) {
    saveState.textContent = text;
    saveState.dataset.state = kind;
  }

  function flush() {
    if (!flushing) flushing = sendQueue().finally(() => { flushing = null; });
    return flushing;
  }

  // Send the queue in order; stop at the first failure (offline, 5xx, 429) and retry later.
  async function sendQueue() {
    if (store.queue.length === 0) {
      setSaveState("All answers saved", "saved");
      return;
    }
    setSaveState("Saving…", "saving");
    while (store.queue.length > 0) {
      const entry = store.queue[0];
      const body = { position: entry.position, seq: entry.seq };
      if (entry.selected !== undefined) body.selected = entry.selected;
      if (entry.flagged !== undefined) body.flagged = entry.flagged;
      if (entry.check) body.check = true;
      let response;
      try {
        response = await fetch(data.saveUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
      } catch (e) {
        response = null;
      }
      if (response === null || response.status >= 500 || response.status === 429) {
        setSaveState("Not saved, retrying…", "retrying");
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 10000);
        return;
      }
      retryDelay = 1000;
      const payload = await response.json().catch(() => ({}));
      store.queue.shift();
      persist();
      if (response.ok) {
        if (payload.feedback) showFeedback(entry.position, payload.feedback);
      } else if (response.status === 409) {
        store.queue = [];
        persist();
        setSaveState(payload.message || "This attempt is closed.", "closed");
        window.location.href = data.resultUrl;
        return;
      } else {
        showItemError(entry.position, payload.message || "That answer could not be saved.");
      }
    }
    setSaveState("All answers saved", "saved");
  }
  window.addEventListener("online", () => { retryDelay = 1000; flush(); });

  // --------------------------------------------------------------------------- rendering state
  const section = (p) => document.getElementById("item-" + p);
  const answered = (it) => it.selected && it.selected.length > 0;

  function renderItem(p) {
    const it = items.get(p);
    const el = section(p);
    el.querySelectorAll(".option input").forEach((input) => {
      input.checked = it.selected.includes(input.value);
      input.disabled = it.checked;
    });
    el.querySelector(".flag-input").checked = it.flagged;
    const check = el.querySelector(".check-answer");
    if (check) check.disabled = it.checked || !answered(it);
    if (it.feedback) showFeedback(p, it.feedback);
  }

  function renderNavigator() {
    document.querySelectorAll(".nav-item").forEach((btn) => {
      const p = Number(btn.dataset.goto);
      const it = items.get(p);
      btn.classList.toggle("answered", answered(it));
      btn.classList.toggle("flagged", it.flagged);
      btn.classList.toggle("current", p === current);
      if (p === current) btn.setAttribute("aria-current", "step"); else btn.removeAttribute("aria-current");
      const parts = ["Item " + p, answered(it) ? "answered" : "unanswered"];
      if (it.flagged) parts.push("flagged");
      btn.setAttribute("aria-label", parts.join(", "));
    });
  }

  function show(p, { save = true } = {}) {
    document.getElementById("review").hidden = true;
    document.querySelectorAll(".item").forEach((el) => { el.hidden = Number(el.dataset.position) !== p; });
    current = p;
    renderNavigator();
    const legend = section(p).querySelector("legend");
    legend.setAttribute("tabindex", "-1");
    legend.focus();
    if (save) enqueue(p, {});  // remember the current item for resuming
  }

  function showReview() {
    document.querySelectorAll(".item").forEach((el) => { el.hidden = true; });
    const review = document.getElementById("review");
    const unanswered = data.items.filter((it) => !answered(it));
    const flagged = data.items.filter((it) => it.flagged);
    const fill = (id, list) => {
      const ul = document.getElementById(id);
      ul.innerHTML = "";
      if (list.length === 0) { ul.innerHTML = "<li>None</li>"; return; }
      for (const it of list) {
        const li = document.createElement("li");
        const btn = document.createElement("button");
        btn.type = "button"; btn.className = "link"; btn.textContent = "Item " + it.position;
        btn.addEventListener("click", () => show(it.position));
        li.appendChild(btn); ul.appendChild(li);
      }
    };
    fill("review-unanswered", unanswered);
    fill("review-flagged", flagged);
    document.getElementById("review-summary").textContent =
      (total - unanswered.length) + " of " + total + " items answered, " + flagged.length + " flagged.";
    review.hidden = false;
    document.getElementById("review-title").setAttribute("tabindex", "-1");
    document.getElementById("review-title").focus();
  }

  function showItemError(p, message) {
    const box = section(p).querySelector(".choose-error");
    box.textContent = message;
    box.hidden = false;
  }

  function showFeedback(p, feedback) {
    const it = items.get(p);
    it.feedback = feedback;
    it.checked = true;
    const correct = ids(feedback.correct_ids);
    const el = section(p);
    el.querySelectorAll(".option").forEach((opt) => {
      const id = opt.dataset.option;
      const right = correct.includes(id);
      opt.classList.toggle("correct", right);
      opt.classList.toggle("incorrect", it.selected.includes(id) && !right);
      const r = opt.querySelector(".rationale");
      r.innerHTML = (right ? "<strong>Correct option.</strong> " : "") + (feedback.rationales[id] || "");
      r.hidden = false;
      opt.querySelector("input").disabled = true;
    });
    const box = el.querySelector(".feedback");
    const ok = correct.length === it.selected.length && correct.every((id) => it.selected.includes(id));
    box.innerHTML = "<p><strong>" + (ok ? "Correct." : "Not quite.") + "</strong></p>" + feedback.explanation_html;
    box.hidden = false;
    const check = el.querySelector(".check-answer");
    if (check) check.disabled = true;
  }

  // ---------------------------------------------------------------------------------- wiring
  // Answers are saved as they change: an item's form is never submitted (Enter must not reload).
  document.querySelectorAll(".item-form").forEach((form) => form.addEventListener("submit", (event) => event.preventDefault()));
  document.querySelectorAll(".item").forEach((el) => {
    const p = Number(el.dataset.position);
    const it = items.get(p);
    el.querySelectorAll(".option input").forEach((input) => {
      input.addEventListener("change", () => {
        let selected = Array.from(el.querySelectorAll(".option input:checked")).map((i) => i.value);
        const error = el.querySelector(".choose-error");
        if (it.qtype === "multiple" && selected.length > it.choose) {
          input.checked = false;
          selected = selected.filter((id) => id !== input.value);
          error.textContent = "Choose " + it.choose + ": untick an option before picking another.";
          error.hidden = false;
          return;
        }
        error.hidden = true;
        it.selected = selected;
        renderItem(p);
        renderNavigator();
        enqueue(p, { selected: selected });
      });
    });
    el.querySelector(".flag-input").addEventListener("change", (event) => {
      it.flagged = event.target.checked;
      renderNavigator();
      enqueue(p, { flagged: it.flagged });
    });
    const check = el.querySelector(".check-answer");
    if (check) check.addEventListener("click", () => enqueue(p, { check: true }));
    const prev = el.querySelector(".prev");
    if (prev) prev.addEventListener("click", () => show(p - 1));
    const next = el.querySelector(".next");
    if (next) next.addEventListener("click", () => show(p + 1));
    const toReview = el.querySelector(".to-review");
    if (toReview) toReview.addEventListener("click", showReview);
    renderItem(p);
  });
  document.querySelectorAll(".nav-item").forEach((btn) => btn.addEventListener("click", () => show(Number(btn.dataset.goto))));
  document.querySelector("[data-review]").addEventListener("click", showReview);

  // ---------------------------------------------------------------------------------- submit
  const dialog = document.getElementById("submit-dialog");
  // Submitting first sends every queued answer. Offline, nothing is dropped: the page says so,
  // keeps the queue, and submits as soon as the connection returns (the server accepts saves and
  // the submit until the deadline plus a grace period; after that it keeps what it had).
  const connectionBack = () => new Promise((resolve) => {
    const done = () => { window.removeEventListener("online", done); clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 3000);
    window.addEventListener("online", done);
  });
  async function sendSubmit() {
    try {
      const response = await fetch(data.submitUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: "{}",
        credentials: "same-origin",
      });
      return response.status < 500 && response.status !== 429;
    } catch (e) {
      return false;
    }
  }
  async function submit() {
    if (submitting) return;
    submitting = true;
    for (;;) {
      await flush();
      if (store.queue.length === 0 && await sendSubmit()) break;
      setSaveState(
        "You are offline. Your answers are kept on this device and your exam will be submitted " +
        "as soon as the connection returns. Keep this page open.", "offline");
      await connectionBack();
    }
    persist();
    window.location.href = data.resultUrl;
  }
  document.getElementById("submit-open").addEventListener("click", () => {
    const unanswered = data.items.filter((it) => !answered(it)).length;
    document.getElementById("submit-dialog-text").textContent = unanswered
      ? "You have " + unanswered + " unanswered item" + (unanswered === 1 ? "" : "s") + ". You cannot change answers after submitting."
      : "You cannot change answers after submitting.";
    dialog.showModal();
  });
  document.getElementById("submit-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("submit-confirm").addEventListener("click", () => { dialog.close(); submit(); });

  // ----------------------------------------------------------------------------------- timer
  const timer = document.getElementById("timer");
  if (timer && data.remaining !== null) {
    // Count down from the server's remaining time using the monotonic clock, not the wall clock.
    const end = performance.now() + data.remaining * 1000;
    const warning = document.getElementById("timer-warning");
    const warned = new Set();
    const tick = () => {
      const left = Math.max(0, Math.round((end - performance.now()) / 1000));
      const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      timer.textContent = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
      for (const [limit, text] of [[300, "5 minutes left."], [60, "1 minute left."]]) {
        if (left <= limit && left > 0 && !warned.has(limit)) { warned.add(limit); warning.textContent = text; }
      }
      if (left === 0) { warning.textContent = "Time is up: submitting your answers."; submit(); return; }
      setTimeout(tick, 250);
    };
    tick();
  }

  renderNavigator();
  show(current, { save: false });
  flush();
})();
