/* Search over the site's index (assets/search-index.js assigns window.WK_SEARCH_INDEX), all in
   the page: no network, no fetch(). Text is compared normalised (NFKC, no spaces, lower case),
   as the index stores it; an exact name or alias ranks first, then names that start with the
   words, then any entry that contains every word. Results are built as DOM text, never HTML. */
(function () {
  "use strict";
  var LIMIT = 200;
  var KIND_RANK = { body: 0, partner: 1, action_plan: 2, initiative: 3, row: 4 };
  function key(text) { return (text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase(); }
  function words(q) { return (q || "").normalize("NFKC").split(/\s+/).map(key).filter(Boolean); }

  function score(entry, terms, whole) {
    var i, hay = entry.text + " " + entry.names.join(" ");
    for (i = 0; i < terms.length; i++) if (hay.indexOf(terms[i]) < 0) return -1;
    if (entry.names.indexOf(whole) >= 0) return 0;
    for (i = 0; i < entry.names.length; i++) if (entry.names[i].indexOf(whole) === 0) return 1;
    for (i = 0; i < entry.names.length; i++) if (entry.names[i].indexOf(whole) >= 0) return 2;
    return 3;
  }

  function search(q) {
    var terms = words(q), whole = key(q), found = [];
    if (!terms.length) return [];
    (window.WK_SEARCH_INDEX || []).forEach(function (entry, i) {
      var s = score(entry, terms, whole);
      if (s >= 0) found.push([s, KIND_RANK[entry.kind] || 9, i, entry]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return found.map(function (f) { return f[3]; });
  }

  function span(text, cls, lang) {
    var el = document.createElement("span");
    el.textContent = text;
    if (cls) el.className = cls;
    if (lang) el.setAttribute("lang", lang);
    return el;
  }

  function render(q) {
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var kinds = JSON.parse(document.getElementById("search-kinds").textContent);
    var lang = window.welfareSite ? window.welfareSite.lang() : "ja";
    list.textContent = "";
    status.classList.remove("no-match");
    if (!key(q)) { status.textContent = ""; return; }
    var results = search(q);
    if (!results.length) {
      status.textContent = status.dataset["noMatch" + (lang === "en" ? "En" : "Ja")];
      status.classList.add("no-match");
      return;
    }
    status.textContent = results.length + " " + status.dataset["count" + (lang === "en" ? "En" : "Ja")];
    results.slice(0, LIMIT).forEach(function (entry) {
      var li = document.createElement("li");
      var kind = kinds[entry.kind] || { ja: entry.kind, en: entry.kind };
      li.appendChild(span(kind[lang] || kind.ja, "result-kind"));
      var a = document.createElement("a");
      a.href = entry.url;
      a.textContent = lang === "en" && entry.en ? entry.en : entry.ja;
      a.setAttribute("lang", lang === "en" && entry.en ? "en" : "ja");
      li.appendChild(a);
      if (entry.kind === "row" && entry.detail) li.appendChild(span(" (" + entry.detail + ")", "muted"));
      if (entry.kind !== "row" && entry.ja !== a.textContent) li.appendChild(span(" " + entry.ja, "muted", "ja"));
      var via = entry.names.filter(function (n) { return n.indexOf(key(q)) >= 0; })[0];
      if (via && via !== key(entry.ja) && via !== key(entry.en)) {
        li.appendChild(span(" — " + status.dataset["via" + (lang === "en" ? "En" : "Ja")] + ": " + via, "muted"));
      }
      list.appendChild(li);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    var match = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (match) {
      try { input.value = decodeURIComponent(match[1].replace(/\+/g, " ")); }
      catch (e) { input.value = match[1]; }  // a malformed %-escape: search for it as typed
    }
    render(input.value);
    input.addEventListener("input", function () { render(input.value); });
    document.getElementById("search-page-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      render(input.value);
    });
    document.addEventListener("welfare-kg-lang", function () { render(input.value); });
    if (!match) input.focus();
  });
  window.welfareSearch = { search: search, render: render };
})();
