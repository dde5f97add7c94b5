/* The review page (viz/review.py): the reviewer confirms or changes each flagged row with the
   mouse or the keyboard; the decisions are kept in localStorage under the report's text
   SHA-256 and saved as a corrections file (YAML, the format graph/report/corrections.py
   reads) through a download. A file saved earlier (here, on another PC, by a colleague) can
   be opened again: it must be bound to the same SHA-256, and its entries become the cards'
   answers. Each printed page's lines travel once in the page's JSON and a card's excerpt is
   built when the card comes into view. Nothing here writes HTML: every value from the report
   or a file is set as text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var KEYS = { initiative: "1234567890", status: "qwert", bodies: "asdfg" };
  var rows = {};
  data.rows.forEach(function (r) { rows[r.key] = r; });
  var cards = [].slice.call(document.querySelectorAll("li.card"));
  var active = null;

  function norm(s) { return String(s || "").normalize("NFKC").replace(/\s+/g, ""); }
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  /* ---------------------------------------------------------------- messages */
  /* The script's messages, Japanese and English side by side (the language switch shows
     one); `{name}` is filled with text, never markup. */
  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return has(vars, k) ? String(vars[k]) : m; });
  }
  function bilingual(key, vars) {
    var frag = document.createDocumentFragment();
    ["ja", "en"].forEach(function (l) {
      var span = document.createElement("span");
      span.className = l; span.lang = l;
      span.textContent = fill(data.strings[key][l], vars || {});
      frag.appendChild(span);
    });
    return frag;
  }
  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* ---------------------------------------------------------------- the printed lines */
  /* A card's excerpt: its page's lines (stored once per page), marked as the row needs. */
  function buildExcerpt(el) {
    var pre = el.querySelector("pre.page-text");
    if (!pre || pre.dataset.built) return;
    var row = rows[el.dataset.key], page = data.pages[String(row.page)];
    var marks = {};
    row.marks.forEach(function (m) { marks[m[0]] = m; });
    var frag = document.createDocumentFragment();
    page.lines.forEach(function (text, i) {
      var n = page.first + i, mk = marks[n];
      var span = node("span", "ln" + (mk ? " " + mk[1] : ""));
      span.dataset.line = String(n);
      if (mk && mk[2]) span.dataset.n = mk[2];
      span.appendChild(node("span", "no", String(n)));
      span.appendChild(document.createTextNode(text));
      frag.appendChild(span);
    });
    pre.appendChild(frag);
    pre.dataset.built = "1";
    scrollExcerpt(pre);
  }
  function scrollExcerpt(pre) {
    var first = pre && pre.querySelector(".ln.row");
    if (first) pre.scrollTop = Math.max(0, first.offsetTop - pre.offsetTop - pre.clientHeight / 3);
  }
  function buildAll() { cards.forEach(buildExcerpt); }
  function buildWhenSeen() {
    if (!("IntersectionObserver" in window)) { buildAll(); return; }
    var seen = new IntersectionObserver(function (found) {
      found.forEach(function (f) {
        if (f.isIntersecting) { buildExcerpt(f.target); seen.unobserve(f.target); }
      });
    }, { rootMargin: "1200px 0px" });
    cards.forEach(function (el) { seen.observe(el); });
    window.addEventListener("beforeprint", buildAll);
  }

  /* ---------------------------------------------------------------- progress kept */
  var storage = (function () {
    try {
      var s = window.localStorage, probe = "welfare-kg-review-probe";
      s.setItem(probe, "1"); s.removeItem(probe);
      return s;
    } catch (e) { return null; }
  })();
  /* rows: each card's decision by key; fileEntries: entries of opened corrections files
     for rows not on this list (saved with the rest). */
  function emptyState() { return { reviewer: "", rows: {}, fileEntries: [] }; }
  function loadState() {
    if (!storage) return emptyState();
    try {
      var v = JSON.parse(storage.getItem(data.storageKey) || "null");
      if (v && typeof v === "object" && v.rows && typeof v.rows === "object") {
        if (!Array.isArray(v.fileEntries)) v.fileEntries = [];
        return v;
      }
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
      merge: mergeBox(el) ? mergeBox(el).checked : false,
      extra: prev.extra || null,
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
    setMerge(el, !!d.merge);
    return true;
  }
  function mergeBox(el) { return el.querySelector("input.merge-box"); }
  /* A row merged into the row above takes that row's answers: its own are not asked. */
  function setMerge(el, on) {
    var box = mergeBox(el);
    if (!box) return;
    box.checked = on;
    el.classList.toggle("merging", on);
    ["initiative", "status", "bodies"].forEach(function (f) {
      el.querySelector('fieldset[data-field="' + f + '"]').disabled = on;
    });
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
    if (d.merge) return ["merge_into_previous"];
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
    if (d.merge) {
      e.merge_into_previous = true;
      e.reason = reasonFor(d, changed);
      return e;
    }
    e.initiative = chosenInitiative(row, d);
    e.status = d.status;
    var bodies = chosenBodies(row, d);
    if (bodies !== null) e.bodies = bodies;
    else if (row.bodySource !== "own") e.bodies = row.bodies.slice();  /* placed or none: a person confirmed it */
    if (d.extra) Object.keys(d.extra).forEach(function (k) { e[k] = d.extra[k]; });
    e.reason = reasonFor(d, changed);
    return e;
  }

  /* ---------------------------------------------------------------- the cards */
  function setState(el, name) { el.dataset.state = name; }
  function refresh(el) {
    var d = state.rows[el.dataset.key];
    var note = el.querySelector(".from-file");
    note.textContent = "";
    if (d && d.done && d.from) {
      note.appendChild(bilingual("from_file", { file: d.from, reason: d.entry ? d.entry.reason : "" }));
    }
    if (d && d.extra) {
      note.appendChild(document.createTextNode(" "));
      note.appendChild(bilingual("from_file_extra", { fields: Object.keys(d.extra).map(function (k) {
        return k + ": " + JSON.stringify(d.extra[k]);
      }).join("; ") }));
    }
    note.hidden = !note.childNodes.length;
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
    buildExcerpt(el);
    scrollExcerpt(el.querySelector("pre.page-text"));
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
    if (!d.merge && ((d.initiative === "typed" && !String(d.initiativeText).trim()) ||
                     (d.bodies === "typed" && !splitBodies(d.bodiesText).length))) {
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
  /* The saved file: the --corrections file's entries, with an opened file's entries for
     rows not on this list in place of the same row's (or after them), then the cards'. */
  function sameEntryRow(a, b) { return sameRow(a, b) || sameRow(b, a); }
  function baseEntries() {
    var base = data.existing.slice();
    state.fileEntries.forEach(function (fe) {
      var i = base.findIndex(function (old) { return sameEntryRow(old, fe); });
      if (i >= 0) base[i] = fe; else base.push(fe);
    });
    return base;
  }
  function entries() {
    var mine = Object.keys(state.rows).map(function (k) { return state.rows[k]; })
      .filter(function (d) { return d.done && d.entry; })
      .map(function (d) { return d.entry; })
      .sort(function (a, b) { return a.row.line - b.row.line || (a.row.item < b.row.item ? -1 : 1); });
    var used = [];
    var out = baseEntries().map(function (old) {
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
  /* ---------------------------------------------------------------- opening a saved file */
  var MAX_FILE = 8 * 1024 * 1024;
  var FIELDS = ["initiative", "bodies", "merge_into_previous", "action_plan", "status"];
  var SHOWN = ["initiative", "bodies", "merge_into_previous", "status"];  /* what a card shows */
  function SyntaxProblem(line, detail) { this.line = line; this.detail = detail; }
  function ShapeProblem(detail) { this.detail = detail; }

  /* The YAML this page writes, read back: block mappings and sequences (a sequence may sit
     at its key's indentation, as the page writes it) whose values are JSON (the page writes
     every string double-quoted with JSON's escapes) or a plain word such as a file name or a
     hash. Anything else (plain Japanese text, quoted with ', folded over lines, anchors) is
     refused with its line: such a file was written by hand, and `welfare-kg review REPORT
     --corrections FILE` reads it with a full YAML parser. A JSON document is read as JSON. */
  var KEY_LINE = /^([A-Za-z_][\w-]*|"(?:[^"\\]|\\.)*"):(?: +(.*))?$/;
  function isSeqLine(text) { return text === "-" || text.indexOf("- ") === 0; }
  function plainValue(text, n) {
    if (/^(?:0|-?[1-9][0-9]*)$/.test(text)) return Number(text);
    if (text === "true" || text === "false") return text === "true";
    if (text === "null" || text === "~") return null;
    if (/^[0-9a-fA-F]{64}$/.test(text) && /[a-fA-F]/.test(text)) return text;  /* a SHA-256 */
    if (/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(text) || /^[-+.]?[0-9]/.test(text) ||
        !/^[A-Za-z_][A-Za-z0-9_.\-]*$/.test(text)) {
      throw new SyntaxProblem(n, "write the value as the page does, in double quotes");
    }
    return text;
  }
  function value(text, n) {
    if (/^["\[{]/.test(text)) {
      try { return JSON.parse(text); }
      catch (e) { throw new SyntaxProblem(n, "a quoted value or list the page did not write"); }
    }
    return plainValue(text, n);
  }
  function parseSaved(text) {
    if (/^\s*\{/.test(text)) {
      try { return JSON.parse(text); }
      catch (e) { throw new SyntaxProblem(1, "not valid JSON"); }
    }
    var lines = [];
    text.split(/\r\n|\r|\n/).forEach(function (raw, i) {
      if (/^[ \t]*(#.*)?$/.test(raw)) return;
      var m = /^( *)(.*?)[ \t]*$/.exec(raw);
      if (/^\t/.test(m[2])) throw new SyntaxProblem(i + 1, "a tab in the indentation");
      if (/^(---|\.\.\.)$/.test(m[2])) return;
      lines.push({ n: i + 1, indent: m[1].length, text: m[2] });
    });
    var pos = 0;
    function block(indent) { return isSeqLine(lines[pos].text) ? seq(indent) : map(indent); }
    function nested(indent) {  /* the value of a `key:` or `-` with nothing after it */
      var next = lines[pos];
      if (next && next.indent > indent) return block(next.indent);
      return null;
    }
    function seq(indent) {
      var out = [];
      while (pos < lines.length && lines[pos].indent === indent && isSeqLine(lines[pos].text)) {
        var line = lines[pos], rest = line.text.slice(1).replace(/^ +/, "");
        if (!rest) { pos++; out.push(nested(indent)); continue; }
        if (KEY_LINE.test(rest)) {  /* "- key: …": a mapping whose keys start at this column */
          lines[pos] = { n: line.n, indent: indent + line.text.length - rest.length, text: rest };
          out.push(map(lines[pos].indent));
        } else { pos++; out.push(value(rest, line.n)); }
      }
      if (pos < lines.length && lines[pos].indent > indent) {
        throw new SyntaxProblem(lines[pos].n, "unexpected indentation");
      }
      return out;
    }
    function map(indent) {
      var out = {};
      while (pos < lines.length) {
        var line = lines[pos];
        if (line.indent < indent || (line.indent === indent && isSeqLine(line.text))) break;
        if (line.indent > indent) throw new SyntaxProblem(line.n, "unexpected indentation");
        var m = KEY_LINE.exec(line.text);
        if (!m) throw new SyntaxProblem(line.n, "expected “key: value”");
        var key = m[1].charAt(0) === '"' ? JSON.parse(m[1]) : m[1];
        if (has(out, key)) throw new SyntaxProblem(line.n, "“" + key + "” given twice");
        pos++;
        if (m[2] !== undefined && m[2] !== "") { out[key] = value(m[2], line.n); continue; }
        var next = lines[pos];
        if (next && next.indent === indent && isSeqLine(next.text)) out[key] = seq(indent);
        else out[key] = nested(indent);
      }
      return out;
    }
    if (!lines.length) return null;
    var doc = block(lines[0].indent);
    if (pos < lines.length) throw new SyntaxProblem(lines[pos].n, "unexpected indentation");
    return doc;
  }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  /* The checks graph/report/corrections.py makes (same messages), and the types the page
     relies on. */
  function validated(doc) {
    if (!isObject(doc) || !isObject(doc.source) || doc.source.text_sha256 === undefined ||
        doc.source.text_sha256 === null || (has(doc, "corrections") && doc.corrections !== null &&
        !Array.isArray(doc.corrections))) {
      throw new ShapeProblem("needs source.text_sha256 and a corrections list");
    }
    var list = doc.corrections || [];
    list.forEach(function (e, i) {
      var where = "#" + (i + 1);
      if (!isObject(e) || !has(e, "row") || !e.reason) {
        throw new ShapeProblem(where + ": each correction needs `row` and a `reason`");
      }
      var unknown = Object.keys(e).filter(function (k) { return FIELDS.indexOf(k) < 0 && k !== "row" && k !== "reason"; });
      if (unknown.length || !FIELDS.some(function (k) { return has(e, k); })) {
        throw new ShapeProblem(where + ": unknown or missing fields [" + unknown.join(", ") + "]");
      }
      if (has(e, "status") && data.statuses.indexOf(e.status) < 0) {
        throw new ShapeProblem(where + ": status " + JSON.stringify(e.status) + " is not one of " + data.statuses.join(", "));
      }
      if (!isObject(e.row) || !e.row.item || typeof e.row.item !== "string") {
        throw new ShapeProblem(where + ": `row` needs `item` (start of the first plan item)");
      }
      if (e.row.line !== undefined && e.row.line !== null && !Number.isInteger(e.row.line)) {
        throw new ShapeProblem(where + ": `line` is a line number");
      }
      if (has(e, "initiative") && e.initiative !== null && typeof e.initiative !== "string") {
        throw new ShapeProblem(where + ": `initiative` is text (or null)");
      }
      if (has(e, "bodies") && !(Array.isArray(e.bodies) && e.bodies.every(function (b) { return typeof b === "string"; }))) {
        throw new ShapeProblem(where + ": `bodies` is a list of names");
      }
      if (has(e, "action_plan") && !(isObject(e.action_plan) && has(e.action_plan, "number") && has(e.action_plan, "title"))) {
        throw new ShapeProblem(where + ": action_plan needs `number` and `title`");
      }
      e.reason = String(e.reason);
    });
    return { sha: String(doc.source.text_sha256).toLowerCase(), entries: list };
  }
  /* The row an entry finds, as graph/report/corrections.py finds it: the rows whose first
     item starts with the entry's item; several: the nearest line, when the entry has one. */
  var rowIndex = data.rowIndex.filter(function (r) { return r[1]; })
    .map(function (r) { return { line: r[0], key: norm(r[1]) }; });
  function findLine(e) {
    var key = norm(e.row.item);
    var hits = rowIndex.filter(function (r) { return r.key.indexOf(key) === 0; });
    if (hits.length > 1 && e.row.line !== undefined && e.row.line !== null) {
      hits.sort(function (a, b) { return Math.abs(a.line - e.row.line) - Math.abs(b.line - e.row.line); });
      return hits[0].line;
    }
    return hits.length === 1 ? hits[0].line : null;
  }
  /* A card's decision from a file's entry: the answers it sets, the rest as extracted. */
  function decisionFrom(row, e, name) {
    var d = { item: row.item, line: row.line, initiativeText: "", bodiesText: "",
              reason: e.reason, merge: !!e.merge_into_previous, done: true, from: name,
              extra: null };
    var init = has(e, "initiative") ? e.initiative : row.initiative;
    var i = row.candidates.findIndex(function (c) {
      return c === init || (c !== null && init !== null && norm(c) === norm(init));
    });
    d.initiative = i >= 0 ? String(i) : "typed";
    if (i < 0) d.initiativeText = init || "";
    d.initiativeValue = init;
    d.status = e.status || row.status;
    d.bodies = "keep"; d.bodiesValue = null;
    if (has(e, "bodies") && !sameList(e.bodies, row.bodies)) {
      var k = row.cells.findIndex(function (c, n) { return n !== row.cell && sameList(c, e.bodies); });
      if (k >= 0 && row.bodySource !== "own") d.bodies = String(k);
      else { d.bodies = "typed"; d.bodiesText = e.bodies.join("、"); }
      d.bodiesValue = e.bodies.slice();
    }
    Object.keys(e).forEach(function (f) {
      if (FIELDS.indexOf(f) >= 0 && SHOWN.indexOf(f) < 0) { d.extra = d.extra || {}; d.extra[f] = e[f]; }
    });
    var entry = JSON.parse(JSON.stringify(e));
    entry.row = { item: row.item, line: row.line };  /* the row as this page shows it */
    d.entry = entry;
    return d;
  }
  /* What a decision or an entry answers, to tell whether two agree. */
  function answersOf(row, d) {
    if (d.merge) return { merge: true };
    return { merge: false, initiative: chosenInitiative(row, d), status: d.status,
             bodies: chosenBodies(row, d) || row.bodies };
  }
  function agree(a, b) {
    if (a.merge || b.merge) return a.merge === b.merge;
    var same = a.initiative === b.initiative ||
      (a.initiative !== null && b.initiative !== null && norm(a.initiative) === norm(b.initiative));
    return same && a.status === b.status && sameList(a.bodies, b.bodies);
  }
  function local(key) {  /* a decision made here: confirmed, or started and changed */
    var d = state.rows[key];
    return d && (d.done || changes(rows[key], d).length) ? d : null;
  }
  function describe(row, a) {
    var li = document.createDocumentFragment();
    if (a.merge) { li.appendChild(bilingual("conflict_merge")); return li; }
    var label = data.statusLabels[a.status] || [a.status, a.status];
    li.appendChild(document.createTextNode((a.initiative === null ? "—" : a.initiative) + " / "));
    var ja = node("span", "ja", label[0]), en = node("span", "en", label[1]);
    ja.lang = "ja"; en.lang = "en";
    li.appendChild(ja); li.appendChild(en);
    li.appendChild(document.createTextNode(" / " + (a.bodies.length ? a.bodies.join("、") : "—")));
    return li;
  }
  var pending = null;
  function report(kind, key, vars, more) {
    var box = document.getElementById("file-result");
    box.className = kind;
    box = box.querySelector(".file-message");
    box.textContent = "";
    var p = node("p");
    p.appendChild(bilingual(key, vars));
    box.appendChild(p);
    (more || []).forEach(function (m) {
      var q = node("p");
      q.appendChild(bilingual(m[0], m[1]));
      box.appendChild(q);
    });
    box.parentNode.hidden = false;
  }
  function openText(name, text) {
    var parsed;
    try { parsed = validated(parseSaved(text)); }
    catch (e) {
      if (e instanceof SyntaxProblem) { report("notice", "file_syntax", { file: name, line: e.line, detail: e.detail }); return; }
      if (e instanceof ShapeProblem) { report("notice", "file_shape", { file: name, detail: e.detail }); return; }
      throw e;
    }
    if (parsed.sha !== data.sha256.toLowerCase()) {
      report("notice", "file_hash", { file: name, theirs: parsed.sha, report: data.file, ours: data.sha256 });
      return;
    }
    var onCards = [], others = [], unfound = 0, conflicts = [], same = 0;
    parsed.entries.forEach(function (e) {
      var line = findLine(e), key = line === null ? null : String(line);
      if (key !== null && rows[key]) {
        var row = rows[key], d = decisionFrom(row, e, name), mine = local(key);
        var agreed = !!(mine && agree(answersOf(row, mine), answersOf(row, d)));
        if (agreed && mine.done) { same++; return; }  /* confirmed here already: kept as is */
        var clash = !!(mine && !agreed);
        onCards.push({ key: key, d: d, clash: clash });
        if (clash) conflicts.push({ row: row, mine: answersOf(row, mine), file: answersOf(row, d) });
      } else {
        if (line === null) unfound++;
        others.push(e);
      }
    });
    pending = { name: name, onCards: onCards, others: others, unfound: unfound, same: same };
    if (!conflicts.length) { applyOpened("file"); return; }
    var panel = document.getElementById("file-conflicts");
    var head = panel.querySelector(".conflict-head");
    head.textContent = "";
    head.appendChild(bilingual("conflict_head", { file: name, n: conflicts.length }));
    var list = panel.querySelector(".conflict-list");
    list.textContent = "";
    conflicts.forEach(function (c) {
      var li = node("li");
      li.appendChild(node("b", "", "p." + c.row.page + " · " + c.row.line + ": ・" + c.row.item.slice(0, 40)));
      [["conflict_here", c.mine], ["conflict_file", c.file]].forEach(function (side) {
        var p = node("p", "side side-" + side[0].slice(9));
        p.appendChild(bilingual(side[0]));
        p.appendChild(document.createTextNode(": "));
        p.appendChild(describe(c.row, side[1]));
        li.appendChild(p);
      });
      list.appendChild(li);
    });
    document.getElementById("file-result").hidden = true;
    panel.hidden = false;
    panel.querySelector("button[data-pick=file]").focus();
  }
  /* Apply the file just read; `pick` says whose answer stands where both have one and they
     differ ("file" or "mine"), or "cancel". */
  function applyOpened(pick) {
    var p = pending;
    pending = null;
    document.getElementById("file-conflicts").hidden = true;
    if (!p) return;
    if (pick === "cancel") { report("notice", "file_cancelled", { file: p.name }); return; }
    var took = 0, kept = 0;
    p.onCards.forEach(function (c) {
      if (c.clash && pick === "mine") { kept++; return; }
      if (c.clash) took++;
      state.rows[c.key] = c.d;
      var el = card(c.key);
      show(el, c.d); refresh(el);
    });
    p.others.forEach(function (fe) {
      var i = state.fileEntries.findIndex(function (old) { return sameEntryRow(old, fe); });
      if (i >= 0) state.fileEntries[i] = fe; else state.fileEntries.push(fe);
    });
    persist(); counts();
    var more = [];
    if (took) more.push(["file_took_file", { n: took }]);
    if (kept) more.push(["file_kept_mine", { n: kept }]);
    if (p.same) more.push(["file_same", { n: p.same }]);
    if (p.unfound) more.push(["file_unfound", { n: p.unfound }]);
    report("ok", "file_applied", { file: p.name, cards: p.onCards.length - kept, others: p.others.length }, more);
  }
  function openFile(file) {
    if (!file) return;
    if (file.size > MAX_FILE) { report("notice", "file_too_big", { file: file.name, size: file.size }); return; }
    file.arrayBuffer().then(function (bytes) {
      var text;
      try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); }
      catch (e) { report("notice", "file_encoding", { file: file.name }); return; }
      openText(file.name, text);
    }, function () { report("notice", "file_read_error", { file: file.name }); });
  }
  function hasFiles(e) {
    return !!(e.dataTransfer && [].indexOf.call(e.dataTransfer.types || [], "Files") >= 0);
  }
  function dropTarget() {
    var hint = document.getElementById("drop-hint"), depth = 0;
    document.addEventListener("dragenter", function (e) {
      if (!hasFiles(e)) return;
      depth++; hint.hidden = false;
    });
    document.addEventListener("dragleave", function (e) {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) hint.hidden = true;
    });
    document.addEventListener("dragover", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault(); e.dataTransfer.dropEffect = "copy";
    });
    document.addEventListener("drop", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault(); depth = 0; hint.hidden = true;
      openFile(e.dataTransfer.files[0]);
    });
  }

  window.welfareReview = { corrections: function () { return corrections().text; }, save: save,
                           parse: parseSaved,
                           state: function () { return state; } };

  /* ---------------------------------------------------------------- keyboard */
  var CODES = {};
  "1234567890".split("").forEach(function (k) { CODES["Digit" + k] = k; CODES["Numpad" + k] = k; });
  "abcdefghijklmnopqrstuvwxyz".split("").forEach(function (k) { CODES["Key" + k.toUpperCase()] = k; });
  function pickNth(el, field, n) {
    var box = el.querySelector('fieldset[data-field="' + field + '"]');
    if (box.disabled) return;  /* merged into the row above */
    var radios = box.querySelectorAll("input[type=radio]:not([value=typed])");
    if (n < radios.length) { radios[n].checked = true; changed(el); }
  }
  function focusTyped(el, field) {
    var box = el.querySelector('fieldset[data-field="' + field + '"]');
    if (box.disabled) return;
    box.querySelector("input[value=typed]").checked = true;
    box.querySelector("input.typed-text").focus();
    changed(el);
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && ((t.tagName === "INPUT" && !/^(radio|checkbox|button|file)$/.test(t.type)) || t.tagName === "TEXTAREA");
    if (pending && e.key === "Escape") { e.preventDefault(); applyOpened("cancel"); return; }
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
    if (k === "p") {
      e.preventDefault();
      if (mergeBox(el)) { setMerge(el, !mergeBox(el).checked); changed(el); }
      return;
    }
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
      el.addEventListener("change", function (e) {
        if (e.target.type === "radio") changed(el);
        if (e.target.classList.contains("merge-box")) { setMerge(el, e.target.checked); changed(el); }
      });
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
    var input = document.getElementById("open-file-input");
    document.getElementById("open-file").addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () { openFile(input.files[0]); input.value = ""; });
    document.getElementById("file-conflicts").addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("button[data-pick]");
      if (b) applyOpened(b.dataset.pick);
    });
    document.querySelector("#file-result button.close").addEventListener("click", function (e) {
      e.currentTarget.parentNode.hidden = true;
    });
    dropTarget();
    buildWhenSeen();
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
