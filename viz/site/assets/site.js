/* The language switch: Japanese first; the choice is kept for the next page (localStorage
   when the browser allows it for files, else the page's ?lang= parameter). */
(function () {
  "use strict";
  var KEY = "welfare-kg-lang";
  function stored() {
    var fromUrl = /[?&]lang=(ja|en)\b/.exec(window.location.search);
    if (fromUrl) return fromUrl[1];
    try { return window.localStorage.getItem(KEY) || "ja"; } catch (e) { return "ja"; }
  }
  function apply(lang) {
    var root = document.documentElement;
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    var button = document.getElementById("lang-switch");
    if (button) {
      if (!button.dataset.labelJa) button.dataset.labelJa = button.getAttribute("aria-label");
      button.setAttribute("aria-label", lang === "en" ? button.dataset.labelEn : button.dataset.labelJa);
    }
    var title = document.querySelector("title[data-title-en]");
    if (title) {
      if (!title.dataset.titleJa) title.dataset.titleJa = title.textContent;
      document.title = lang === "en" ? title.dataset.titleEn : title.dataset.titleJa;
    }
    document.querySelectorAll("input[data-placeholder-en]").forEach(function (input) {
      if (!input.dataset.placeholderJa) input.dataset.placeholderJa = input.placeholder;
      input.placeholder = lang === "en" ? input.dataset.placeholderEn : input.dataset.placeholderJa;
    });
    document.dispatchEvent(new CustomEvent("welfare-kg-lang", { detail: lang }));
  }
  window.welfareSite = {
    lang: function () { return document.documentElement.getAttribute("data-lang") || "ja"; },
    setLang: function (lang) {
      try { window.localStorage.setItem(KEY, lang); } catch (e) { /* files may refuse it */ }
      apply(lang);
    }
  };
  document.documentElement.setAttribute("data-lang", stored());
  /* A text filter above each long row table (made here, so a page without JavaScript shows
     no control that does nothing). It hides rows whose text lacks every typed word. */
  function key(text) { return (text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase(); }
  function addFilter(table) {
    var total = table.tBodies[0].rows.length;
    if (total < 10) return;
    var lang = function () { return window.welfareSite.lang() === "en" ? "En" : "Ja"; };
    var box = document.createElement("div");
    box.className = "row-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = table.id + "-filter";
    var label = document.createElement("label");
    label.htmlFor = input.id;
    var count = document.createElement("span");
    count.setAttribute("role", "status");
    count.className = "muted";
    box.appendChild(label); box.appendChild(input); box.appendChild(count);
    table.parentNode.parentNode.insertBefore(box, table.parentNode);
    var texts = [].map.call(table.tBodies[0].rows, function (tr) { return key(tr.textContent); });
    function update() {
      var words = (input.value || "").normalize("NFKC").split(/\s+/).map(key).filter(Boolean);
      var shown = 0;
      [].forEach.call(table.tBodies[0].rows, function (tr, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        tr.hidden = !ok;
        if (ok) shown++;
      });
      label.textContent = table.dataset["filter" + lang()];
      count.textContent = words.length ? shown + " / " + total + " " + table.dataset["shown" + lang()] : "";
    }
    input.addEventListener("input", update);
    document.addEventListener("welfare-kg-lang", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.row-table").forEach(addFilter);
    apply(stored());
    var button = document.getElementById("lang-switch");
    if (button) button.addEventListener("click", function () {
      window.welfareSite.setLang(window.welfareSite.lang() === "en" ? "ja" : "en");
    });
  });
})();
