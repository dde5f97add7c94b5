/* The review page (viz/review.py): the reviewer confirms or changes each flagged row with the
   mouse or the keyboard; the decisions are kept in localStorage under the report's text
   SHA-256 and saved as a corrections file (YAML, the format graph/report/corrections.py
   reads) through a download. Nothing here writes HTML: every value from the report is set as
   text or read from the page's JSON. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var KEYS = { initiative: "1234567890", status: "qwert", bodies: "asdfg" };
  var rows = {};
  data.rows.forEach(function (r) { rows[r.key] = r; });
  var cards = [].slice.call(document.querySelectorAll("li.card"));
  var active = null;

  function norm(s) { return String(s || "").normalize("NFKC").replace(/\s+/g, ""); }

  /* ---------------------------------------------------------------- progress kept */
  var storage = (function () {
    try {
      var s = window.localStorage, probe = "welfare-kg-review-probe";
      s.setItem(probe, "1"); s.removeItem(probe);
      return s;
    } catch (e) { return null; }
  })();
  function emptyState() { return { reviewer: "", rows: {} }; }
  function loadState() {
    if (!storage) return emptyState();
    try {
      var v = JSON.parse(storage.getItem(data.storageKey) || "null");
      if (v && typeof v === "object" && v.rows && typeof v.rows === "object") return v;
    } catch (e) { /* a damaged entry starts afresh */ }
    return emptyState();
  }
  var state = loadState();
  function persist() {
    if (!storage) return;
    try { storage.setItem(data.storageKey, JSON.stringify(state)); }
    catch (e) { document.getElementById("no-storage").hidden = false; }
  }

  /* ---------------------------------------------------------------- a row's decision */
  function card(key) { return document.getElementById("row-" + key); }
  function checked(el, name) {
    var r = el.querySelector('input[type=radio][name="' + name + '"]:checked');
    return r ? r.value : null;
  }
  function typedText(el, field) {
    return el.querySelector('fieldset[data-field="' + field + '"] input.typed-text').value;
  }
  /* What the card shows now, as a decision (kept in `state`): the radios picked, and the
     values they stand for, so a page written again (candidates in another order) shows the
     same answers. */
  function read(el) {
    var key = el.dataset.key, row = rows[key];
    var prev = state.rows[key] || {};
    var d = {
      item: row.item, line: row.line,
      initiative: checked(el, "init-" + key),
      initiativeText: typedText(el, "initiative"),
      status: checked(el, "status-" + key),
      bodies: checked(el, "bodies-" + key),
      bodiesText: typedText(el, "bodies"),
      reason: el.querySelector("input.reason-text").value,
      done: !!prev.done, entry: prev.entry || null
    };
    d.initiativeValue = chosenInitiative(row, d);
    d.bodiesValue = chosenBodies(row, d);
    return d;
  }
  /* Show a kept decision in its card (by value; a decision for another row is not shown). */
  function show(el, d) {
    var key = el.dataset.key, row = rows[key];
    if (d.item !== row.item || d.line !== row.line) return false;
    function pick(name, value) {
      var r = el.querySelector('input[type=radio][name="' + name + '"][value="' + value + '"]');
      if (r) r.checked = true;
      return !!r;
    }
    var typedInit = el.querySelector('fieldset[data-field="initiative"] input.typed-text');
    var typedBodies = el.querySelector('fieldset[data-field="bodies"] input.typed-text');
    typedInit.value = d.initiativeText || "";
    typedBodies.value = d.bodiesText || "";
    if ("initiativeValue" in d) {
      var i = row.candidates.findIndex(function (c) {
        return c === d.initiativeValue || (c !== null && d.initiativeValue !== null && norm(c) === norm(d.initiativeValue));
      });
      if (i >= 0 && d.initiative !== "typed") pick("init-" + key, i);
      else { pick("init-" + key, "typed"); typedInit.value = d.initiativeValue || ""; }
    }
    if (d.status) pick("status-" + key, d.status);
    if (d.bodiesValue === null || d.bodiesValue === undefined) pick("bodies-" + key, "keep");
    else if (d.bodies === "typed") pick("bodies-" + key, "typed");
    else {
      var k = row.cells.findIndex(function (c, n) { return n !== row.cell && sameList(c, d.bodiesValue); });
      if (!(k >= 0 && pick("bodies-" + key, k))) {
        pick("bodies-" + key, "typed"); typedBodies.value = d.bodiesValue.join("、");
      }
    }
    el.querySelector("input.reason-text").value = d.reason || "";
    return true;
  }
  function splitBodies(text) {
    return String(text || "").split(/[、,，\n\/／]+/).map(function (s) { return s.trim(); })
      .filter(Boolean);
  }
  function chosenInitiative(row, d) {
    if (d.initiative === "typed") return String(d.initiativeText || "").trim();
    return row.candidates[Number(d.initiative)];
  }
  function chosenBodies(row, d) {  /* null: as extracted */
    if (d.bodies === "typed") return splitBodies(d.bodiesText);
    if (d.bodies === "keep" || d.bodies === null) return null;
    return row.cells[Number(d.bodies)].slice();
  }
  function sameList(a, b) {
    return a.length === b.length && a.every(function (x, i) { return norm(x) === norm(b[i]); });
  }
  function changes(row, d) {
    var out = [];
    var init = chosenInitiative(row, d);
    if (init !== row.initiative && !(init && row.initiative && norm(init) === norm(row.initiative))) out.push("initiative");
    if (d.status !== row.status) out.push("status");
    var bodies = chosenBodies(row, d);
    if (bodies !== null && !sameList(bodies, row.bodies)) out.push("bodies");
    return out;
  }
  function lang() { return document.documentElement.getAttribute("data-lang") || "ja"; }
  function reasonFor(d, changed) {
    var text = String(d.reason || "").replace(/\s+/g, " ").trim();
    if (!text && !changed.length) {
      var el = document.getElementById("default-reason");
      text = el.dataset.ja + " (" + el.dataset.en + ")";
    }
    var who = String(state.reviewer || "").replace(/\s+/g, " ").trim();
    return who ? text + " [" + who + "]" : text;
  }
  /* The corrections entry of a confirmed row: the answers a person read, so the row also
     leaves the review list next time (a correction is sure). */
  function entryFor(row, d, changed) {
    var e = { row: { item: row.item, line: row.line } };
    e.initiative = chosenInitiative(row, d);
    e.status = d.status;
    var bodies = chosenBodies(row, d);
    if (bodies !== null) e.bodies = bodies;
    else if (row.bodySource !== "own") e.bodies = row.bodies.slice();  /* placed or none: a person confirmed it */
    e.reason = reasonFor(d, changed);
    return e;
  }

  /* ---------------------------------------------------------------- the cards */
  function setState(el, name) { el.dataset.state = name; }
  function refresh(el) {
    var d = state.rows[el.dataset.key];
    if (d && d.done) setState(el, "done");
    else if (d && changes(rows[el.dataset.key], d).length) setState(el, "draft");
    else setState(el, "todo");
  }
  function counts() {
    var done = 0, draft = 0;
    cards.forEach(function (el) {
      if (el.dataset.state === "done") done++;
      else if (el.dataset.state === "draft") draft++;
    });
    document.querySelectorAll(".n-done").forEach(function (b) { b.textContent = String(done); });
    document.querySelectorAll(".n-draft").forEach(function (b) { b.textContent = String(draft); });
  }
  function notices(el, which) {
    el.querySelector(".need-reason").hidden = which !== "reason";
    el.querySelector(".need-typed").hidden = which !== "typed";
  }
  function changed(el) {  /* any edit makes a row a draft again until it is confirmed */
    var d = read(el);
    d.done = false; d.entry = null;
    state.rows[el.dataset.key] = d;
    persist(); refresh(el); counts(); notices(el, "");
  }
  function activate(el, scroll) {
    if (!el) return;
    if (active) active.classList.remove("active");
    active = el;
    el.classList.add("active");
    if (scroll !== false) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "start" });
    }
    var pre = el.querySelector("pre.page-text"), first = pre && pre.querySelector(".ln.row");
    if (first) pre.scrollTop = Math.max(0, first.offsetTop - pre.offsetTop - pre.clientHeight / 3);
  }
  function shown(c) { return c.offsetParent !== null; }  /* not hidden by "hide checked" */
  function move(step) {
    for (var i = cards.indexOf(active) + step; i >= 0 && i < cards.length; i += step) {
      if (shown(cards[i])) { activate(cards[i]); return; }
    }
  }
  function hideDone(on) {
    var box = document.getElementById("hide-done");
    box.checked = on;
    document.querySelector(".review-list").classList.toggle("hide-done", on);
    state.hideDone = on; persist();
    if (active && !shown(active)) move(1);
  }
  function confirmRow(el) {
    var key = el.dataset.key, row = rows[key], d = read(el);
    if ((d.initiative === "typed" && !String(d.initiativeText).trim()) ||
        (d.bodies === "typed" && !splitBodies(d.bodiesText).length)) {
      notices(el, "typed");
      var field = d.initiative === "typed" && !String(d.initiativeText).trim() ? "initiative" : "bodies";
      el.querySelector('fieldset[data-field="' + field + '"] input.typed-text').focus();
      return false;
    }
    var diff = changes(row, d);
    if (diff.length && !String(d.reason).trim()) {
      notices(el, "reason");
      el.querySelector("input.reason-text").focus();
      return false;
    }
    d.done = true;
    d.entry = entryFor(row, d, diff);
    state.rows[key] = d;
    persist(); refresh(el); counts(); notices(el, "");
    var next = cards.slice(cards.indexOf(el) + 1).concat(cards.slice(0, cards.indexOf(el)))
      .filter(function (c) { return c.dataset.state !== "done"; })[0];
    activate(next || el);
    return true;
  }
  function undo(el) {
    var d = state.rows[el.dataset.key];
    if (d) { d.done = false; d.entry = null; persist(); }
    refresh(el); counts();
  }

  /* ---------------------------------------------------------------- the file */
  function scalar(s) {
    /* A YAML double-quoted scalar: JSON's escapes are YAML's; characters YAML reads as line
       breaks or refuses (C1 controls, U+2028/9, BOM, noncharacters) are escaped too. */
    s = String(s);
    if (typeof s.toWellFormed === "function") s = s.toWellFormed();
    return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function flow(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return String(v);
    if (Array.isArray(v)) return "[" + v.map(flow).join(", ") + "]";
    if (typeof v === "object") {
      return "{" + Object.keys(v).map(function (k) { return scalar(k) + ": " + flow(v[k]); }).join(", ") + "}";
    }
    return scalar(v);
  }
  function entryYaml(e) {
    var out = ["- row:", "    item: " + scalar(e.row.item)];
    if (e.row.line !== undefined && e.row.line !== null) out.push("    line: " + flow(e.row.line));
    Object.keys(e).forEach(function (k) {
      if (k !== "row" && k !== "reason") out.push("  " + k + ": " + flow(e[k]));
    });
    out.push("  reason: " + scalar(e.reason));
    return out.join("\n");
  }
  /* Same row: the entry finds its row by the start of the first item (and the line). */
  function sameRow(existing, e) {
    if (existing.row.line !== undefined && existing.row.line !== null &&
        Number(existing.row.line) !== Number(e.row.line)) return false;
    return norm(e.row.item).indexOf(norm(existing.row.item)) === 0;
  }
  function entries() {
    var mine = Object.keys(state.rows).map(function (k) { return state.rows[k]; })
      .filter(function (d) { return d.done && d.entry; })
      .map(function (d) { return d.entry; })
      .sort(function (a, b) { return a.row.line - b.row.line || (a.row.item < b.row.item ? -1 : 1); });
    var used = [];
    var out = data.existing.map(function (old) {
      for (var i = 0; i < mine.length; i++) {
        if (used.indexOf(i) < 0 && sameRow(old, mine[i])) { used.push(i); return mine[i]; }
      }
      return old;
    });
    return out.concat(mine.filter(function (_, i) { return used.indexOf(i) < 0; }));
  }
  function comment(s) { return String(s).replace(/[\r\n\u2028\u2029\u0085]+/g, " "); }
  function corrections() {
    var list = entries();
    var lines = [
      "# Corrections written on the review page (welfare-kg review) for " + comment(data.file) + ".",
      "# Apply: welfare-kg extract REPORT --corrections THIS-FILE (also build, all); check:",
      "# welfare-kg corrections check THIS-FILE REPORT. Refused for any other text than the one",
      "# whose SHA-256 is below.",
    ];
    if (state.reviewer) lines.push("# Reviewer: " + comment(state.reviewer));
    lines.push("source:", "  file: " + scalar(data.file), "  text_sha256: " + scalar(data.sha256));
    lines.push(list.length ? "corrections:" : "corrections: []");
    list.forEach(function (e) { lines.push(entryYaml(e)); });
    return { text: lines.join("\n") + "\n", count: list.length };
  }
  function fileName() {
    return data.file.replace(/\.[^.]*$/, "").replace(/[^\w\u3000-\u9fff\uff00-\uffef.-]+/g, "_") + ".corrections.yaml";
  }
  function save() {
    var out = corrections();
    var blob = new Blob([out.text], { type: "application/x-yaml;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = fileName();
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    var note = document.getElementById("saved");
    note.querySelector(".n-saved").textContent = String(out.count);
    note.querySelector(".saved-name").textContent = a.download;
    note.hidden = false;
  }
  window.welfareReview = { corrections: function () { return corrections().text; }, save: save,
                           state: function () { return state; } };

  /* ---------------------------------------------------------------- keyboard */
  var CODES = {};
  "1234567890".split("").forEach(function (k) { CODES["Digit" + k] = k; CODES["Numpad" + k] = k; });
  "abcdefghijklmnopqrstuvwxyz".split("").forEach(function (k) { CODES["Key" + k.toUpperCase()] = k; });
  function pickNth(el, field, n) {
    var radios = el.querySelectorAll('fieldset[data-field="' + field + '"] input[type=radio]:not([value=typed])');
    if (n < radios.length) { radios[n].checked = true; changed(el); }
  }
  function focusTyped(el, field) {
    var box = el.querySelector('fieldset[data-field="' + field + '"]');
    box.querySelector("input[value=typed]").checked = true;
    box.querySelector("input.typed-text").focus();
    changed(el);
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && ((t.tagName === "INPUT" && t.type !== "radio") || t.tagName === "TEXTAREA");
    if ((e.ctrlKey || e.metaKey) && (e.code === "KeyS" || e.key === "s")) {
      e.preventDefault(); save(); return;
    }
    if (typing) {
      var inCard = t.closest && t.closest("li.card");
      if (e.key === "Escape") {
        e.preventDefault(); t.blur();
        if (inCard) { activate(inCard, false); inCard.focus({ preventScroll: true }); }
      }
      else if (e.key === "Enter" && inCard && !e.isComposing) { e.preventDefault(); confirmRow(inCard); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key === "?") { var h = document.getElementById("shortcuts"); h.open = !h.open; e.preventDefault(); return; }
    var el = active;
    if (!el) return;
    var k = CODES[e.code] || (e.key && e.key.length === 1 ? e.key.toLowerCase() : e.key);
    if (e.key === "Enter") {
      if (/^(BUTTON|SUMMARY|A|SELECT)$/.test(t.tagName)) return;  /* their own Enter */
      e.preventDefault(); confirmRow(el); return;
    }
    if (k === "j" || e.key === "ArrowDown" && e.shiftKey) { e.preventDefault(); move(1); return; }
    if (k === "k" || e.key === "ArrowUp" && e.shiftKey) { e.preventDefault(); move(-1); return; }
    if (k === "u") { e.preventDefault(); undo(el); return; }
    if (k === "h") { e.preventDefault(); hideDone(!state.hideDone); return; }
    if (k === "i") { e.preventDefault(); focusTyped(el, "initiative"); return; }
    if (k === "b") { e.preventDefault(); focusTyped(el, "bodies"); return; }
    if (k === "m") { e.preventDefault(); el.querySelector("input.reason-text").focus(); return; }
    var n;
    if ((n = KEYS.initiative.indexOf(k)) >= 0 && k.length === 1) { e.preventDefault(); pickNth(el, "initiative", n); return; }
    if ((n = KEYS.status.indexOf(k)) >= 0 && k.length === 1) { e.preventDefault(); pickNth(el, "status", n); return; }
    if ((n = KEYS.bodies.indexOf(k)) >= 0 && k.length === 1) { e.preventDefault(); pickNth(el, "bodies", n); }
  });

  /* ---------------------------------------------------------------- start */
  document.addEventListener("DOMContentLoaded", function () {
    if (!storage) document.getElementById("no-storage").hidden = false;
    var reviewer = document.getElementById("reviewer");
    reviewer.value = state.reviewer || "";
    reviewer.addEventListener("input", function () { state.reviewer = reviewer.value; persist(); });
    cards.forEach(function (el) {
      var d = state.rows[el.dataset.key];
      if (d && !show(el, d)) {  /* kept for another row at this line: keep it aside, still saved */
        state.rows["other:" + d.line + ":" + d.item] = d;
        delete state.rows[el.dataset.key];
        persist();
      }
      refresh(el);
      el.addEventListener("change", function (e) { if (e.target.type === "radio") changed(el); });
      el.addEventListener("input", function (e) {
        if (!e.target.classList.contains("typed-text") && !e.target.classList.contains("reason-text")) return;
        if (e.target.classList.contains("typed-text")) {
          e.target.closest("label").querySelector("input[type=radio]").checked = true;
        }
        changed(el);
      });
      el.addEventListener("focusin", function () { if (active !== el) activate(el, false); });
      el.addEventListener("click", function (e) {
        if (active !== el) activate(el, false);
        var act = e.target.closest && e.target.closest("button[data-act]");
        if (act && act.dataset.act === "confirm") confirmRow(el);
        if (act && act.dataset.act === "undo") undo(el);
      });
    });
    counts();
    var hide = document.getElementById("hide-done");
    hide.checked = !!state.hideDone;
    document.querySelector(".review-list").classList.toggle("hide-done", hide.checked);
    hide.addEventListener("change", function () { hideDone(hide.checked); });
    document.getElementById("save").addEventListener("click", save);
    document.getElementById("clear").addEventListener("click", function (e) {
      var b = e.currentTarget;
      if (!window.confirm(lang() === "en" ? b.dataset.confirmEn : b.dataset.confirmJa)) return;
      state = emptyState(); persist(); window.location.reload();
    });
    var first = cards.filter(function (c) { return c.dataset.state !== "done"; })[0] || cards[0];
    if (first) activate(first, false);
    document.body.setAttribute("data-ready", "true");
  });
})();
