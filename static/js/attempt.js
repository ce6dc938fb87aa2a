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

  // ------------------------------------------------------------------ time on item
  // Time counts while an item is shown and the page is visible; it is sent with the item's next
  // selection save (spent_ms) and kept here until then.
  const unsent = new Map(); // position -> milliseconds not yet sent
  let shownSince = null; // when the current item was last shown, while it is (null: not shown)
  function countTime() {
    const now = performance.now();
    if (shownSince !== null) unsent.set(current, (unsent.get(current) || 0) + (now - shownSince));
    const onItem = !document.hidden && document.getElementById("review").hidden;
    shownSince = onItem ? now : null;
  }
  function takeTime(p) {
    countTime();
    const ms = Math.round(unsent.get(p) || 0);
    unsent.delete(p);
    return ms;
  }
  document.addEventListener("visibilitychange", countTime);

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
      if (entry.spent_ms) body.spent_ms = entry.spent_ms;
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
        if (payload.feedback) showFeedback(entry.position, payload.feedback, { focus: Boolean(entry.check) });
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
    // Ordering and matching: each select shows the placement of its step or prompt.
    el.querySelectorAll(".placement-select").forEach((select) => {
      const prefix = select.closest(".placement").dataset.option + "@";
      select.value = it.selected.find((token) => token.startsWith(prefix)) || "";
      select.dataset.was = select.value;
      select.disabled = it.checked;
    });
    el.querySelector(".flag-input").checked = it.flagged;
    const check = el.querySelector(".check-answer");
    if (check) check.disabled = it.checked || !answered(it);
    if (it.feedback) showFeedback(p, it.feedback);
  }

  // The item grids (the navigator, and the review screen's): each is one tab stop with a roving
  // tabindex; arrow keys move between the items it shows, Home and End go to the first and last.
  const grids = Array.from(document.querySelectorAll(".item-grid"));
  const matches = { all: () => true, unanswered: (it) => !answered(it), flagged: (it) => it.flagged };
  const shown = (grid) => Array.from(grid.querySelectorAll(".nav-item")).filter((b) => !b.hidden);

  function setActive(grid, btn) {
    grid.querySelectorAll(".nav-item").forEach((b) => { b.tabIndex = b === btn ? 0 : -1; });
  }

  function applyFilter(grid) {
    const box = document.querySelector('[data-filter-for="' + grid.id + '"]');
    const choice = box ? box.querySelector("input:checked").value : "all";
    grid.querySelectorAll(".nav-item").forEach((b) => { b.hidden = !matches[choice](items.get(Number(b.dataset.goto))); });
    const visible = shown(grid);
    document.getElementById(grid.id + "-empty").hidden = visible.length > 0;
    const active = grid.querySelector('.nav-item[tabindex="0"]');
    if (!active || active.hidden) {
      const here = visible.find((b) => Number(b.dataset.goto) === current);
      setActive(grid, here || visible[0] || null);
    }
  }

  function moveFocus(grid, from, key) {
    const visible = shown(grid);
    const i = visible.indexOf(from);
    if (i < 0 || visible.length === 0) return;
    // A row is the items sharing the first item's top edge: Up and Down move by that many.
    const columns = Math.max(1, visible.filter((b) => b.offsetTop === visible[0].offsetTop).length);
    const target = {
      ArrowLeft: i - 1, ArrowRight: i + 1, ArrowUp: i - columns, ArrowDown: i + columns,
      Home: 0, End: visible.length - 1,
    }[key];
    const to = visible[Math.min(visible.length - 1, Math.max(0, target))];
    setActive(grid, to);
    to.focus();
  }

  grids.forEach((grid) => {
    grid.addEventListener("keydown", (event) => {
      const btn = event.target.closest(".nav-item");
      if (!btn || !["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) return;
      event.preventDefault();
      moveFocus(grid, btn, event.key);
    });
    grid.addEventListener("focusin", (event) => {
      const btn = event.target.closest(".nav-item");
      if (btn) setActive(grid, btn);
    });
    grid.addEventListener("click", (event) => {
      const btn = event.target.closest(".nav-item");
      if (!btn) return;
      if (grid.id === "navigator-items" && phone.matches) panel.open = false;
      show(Number(btn.dataset.goto));
    });
    const box = document.querySelector('[data-filter-for="' + grid.id + '"]');
    if (box) box.addEventListener("change", () => applyFilter(grid));
  });

  // On a phone the navigator starts folded, so the item comes first.
  const panel = document.getElementById("navigator-panel");
  const phone = window.matchMedia("(max-width: 600px)");
  panel.open = !phone.matches;

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
      if (btn.dataset.caseTitle) parts.push("case study " + btn.dataset.caseTitle);
      btn.setAttribute("aria-label", parts.join(", "));
    });
    const done = data.items.filter(answered).length;
    document.getElementById("navigator-count").textContent = "(" + done + " of " + total + " answered)";
    grids.forEach(applyFilter);
    const nav = document.getElementById("navigator-items");
    const here = nav.querySelector('.nav-item[data-goto="' + current + '"]');
    if (here && !here.hidden) setActive(nav, here);
  }

  function show(p, { save = true } = {}) {
    document.getElementById("review").hidden = true;
    document.querySelectorAll(".item").forEach((el) => { el.hidden = Number(el.dataset.position) !== p; });
    countTime();
    current = p;
    renderNavigator();
    const legend = section(p).querySelector("legend");
    legend.setAttribute("tabindex", "-1");
    legend.focus();
    if (save) enqueue(p, {});  // remember the current item for resuming
  }

  function showReview() {
    document.querySelectorAll(".item").forEach((el) => { el.hidden = true; });
    countTime();
    shownSince = null; // the review screen is no item's time
    const review = document.getElementById("review");
    const unanswered = data.items.filter((it) => !answered(it));
    const flagged = data.items.filter((it) => it.flagged);
    document.getElementById("review-summary").textContent =
      (total - unanswered.length) + " of " + total + " items answered, " + flagged.length + " flagged.";
    renderNavigator();
    review.hidden = false;
    const title = document.getElementById("review-title");
    title.setAttribute("tabindex", "-1");
    title.focus();
  }

  function showItemError(p, message) {
    const box = section(p).querySelector(".choose-error");
    box.textContent = message;
    box.hidden = false;
  }

  function showFeedback(p, feedback, { focus = false } = {}) {
    const it = items.get(p);
    it.feedback = feedback;
    it.checked = true;
    const correct = ids(feedback.correct_ids);
    const el = section(p);
    el.querySelectorAll(".placement").forEach((row) => {
      const prefix = row.dataset.option + "@";
      const key = correct.find((token) => token.startsWith(prefix));
      const select = row.querySelector("select");
      const right = Boolean(key) && select.value === key;
      const target = key ? select.querySelector('option[value="' + key + '"]').textContent : "";
      row.classList.toggle("correct", right);
      row.classList.toggle("incorrect", !right);
      const r = row.querySelector(".rationale");
      r.textContent = (right ? "Correct. " : "Not quite. ") + (it.qtype === "ordering" ? "Right position: " : "Right answer: ") + target + ". ";
      r.insertAdjacentHTML("beforeend", feedback.rationales[row.dataset.option] || "");
      r.hidden = false;
      select.disabled = true;
    });
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
    // The answer is shown: the item may now be reported (a plain form, posted without script).
    const report = el.querySelector(".report-problem");
    if (report) report.hidden = false;
    // The button just pressed is now disabled: keep the student on this item, at its feedback.
    if (focus && p === current && !el.hidden) box.focus();
  }

  // -------------------------------------------------------------------------------- case studies
  // A case study's scenario stays open (or folded) from one of its items to the next.
  const scenarios = Array.from(document.querySelectorAll("details.case-study"));
  scenarios.forEach((details) => details.addEventListener("toggle", () => {
    scenarios.forEach((other) => {
      if (other.dataset.case === details.dataset.case && other.open !== details.open) other.open = details.open;
    });
  }));

  // --------------------------------------------------------------- ruling options out (this device)
  // A study aid, never sent to the server: which options the student has struck through, per item.
  const ruledOutKey = storeKey + "-ruled-out";
  let ruledOut = {};
  try { ruledOut = JSON.parse(localStorage.getItem(ruledOutKey)) || {}; } catch (e) { ruledOut = {}; }
  function renderRuledOut(el, p) {
    const out = ruledOut[p] || [];
    el.querySelectorAll(".option").forEach((opt) => {
      const on = out.includes(opt.dataset.option);
      opt.classList.toggle("ruled-out", on);
      opt.querySelector(".rule-out").setAttribute("aria-pressed", String(on));
    });
  }
  function toggleRuledOut(el, p, id) {
    const out = new Set(ruledOut[p] || []);
    if (out.has(id)) out.delete(id); else out.add(id);
    ruledOut[p] = Array.from(out);
    try { localStorage.setItem(ruledOutKey, JSON.stringify(ruledOut)); } catch (e) { /* private mode */ }
    renderRuledOut(el, p);
  }

  // ------------------------------------------------------------------- notes per item (this device)
  const notesKey = storeKey + "-notes";
  let notes = {};
  try { notes = JSON.parse(localStorage.getItem(notesKey)) || {}; } catch (e) { notes = {}; }
  function wireNote(el, p) {
    const box = el.querySelector(".note-input");
    box.value = notes[p] || "";
    if (box.value) el.querySelector(".item-note").open = true;
    box.addEventListener("input", () => {
      if (box.value) notes[p] = box.value; else delete notes[p];
      try { localStorage.setItem(notesKey, JSON.stringify(notes)); } catch (e) { /* private mode */ }
    });
  }

  // ---------------------------------------------------------------------------------- wiring
  // Answers are saved as they change: an item's form is never submitted (Enter must not reload).
  document.querySelectorAll(".item-form").forEach((form) => form.addEventListener("submit", (event) => event.preventDefault()));
  document.querySelectorAll(".item").forEach((el) => {
    const p = Number(el.dataset.position);
    const it = items.get(p);
    el.querySelectorAll(".rule-out").forEach((btn) => {
      btn.addEventListener("click", () => toggleRuledOut(el, p, btn.closest(".option").dataset.option));
    });
    renderRuledOut(el, p);
    wireNote(el, p);
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
        enqueue(p, { selected: selected, spent_ms: takeTime(p) });
      });
    });
    el.querySelector(".flag-input").addEventListener("change", (event) => {
      it.flagged = event.target.checked;
      renderNavigator();
      enqueue(p, { flagged: it.flagged });
    });
    el.querySelectorAll(".placement-select").forEach((select) => {
      select.addEventListener("change", () => {
        const error = el.querySelector(".choose-error");
        error.hidden = true;
        const target = (v) => v.slice(v.indexOf("@") + 1);
        if (it.qtype === "ordering" && select.value) {
          // One step per position: the step that held it swaps to this step's old position.
          el.querySelectorAll(".placement-select").forEach((other) => {
            if (other === select || !other.value || target(other.value) !== target(select.value)) return;
            const option = other.closest(".placement").dataset.option;
            other.value = select.dataset.was ? option + "@" + target(select.dataset.was) : "";
            other.dataset.was = other.value;
            error.textContent = "Swapped: the step that was at position " + target(select.value) + " is now at " +
              (other.value ? "position " + target(other.value) : "no position") + ".";
            error.hidden = false;
          });
        }
        select.dataset.was = select.value;
        const selected = Array.from(el.querySelectorAll(".placement-select")).map((s) => s.value).filter(Boolean);
        it.selected = selected;
        renderItem(p);
        renderNavigator();
        enqueue(p, { selected: selected });
      });
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
  async function sendSubmit(by) {
    try {
      const response = await fetch(data.submitUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ by: by }),
        credentials: "same-origin",
      });
      return response.status < 500 && response.status !== 429;
    } catch (e) {
      return false;
    }
  }
  async function submit(by = "student") {
    if (submitting) return;
    submitting = true;
    for (;;) {
      await flush();
      if (store.queue.length === 0 && await sendSubmit(by)) break;
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
      if (left === 0) { warning.textContent = "Time is up: submitting your answers."; submit("timer"); return; }
      setTimeout(tick, 250);
    };
    tick();
  }

  renderNavigator();
  show(current, { save: false });
  flush();
})();
