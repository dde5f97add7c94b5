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
  document.addEventListener("DOMContentLoaded", function () {
    apply(stored());
    var button = document.getElementById("lang-switch");
    if (button) button.addEventListener("click", function () {
      window.welfareSite.setLang(window.welfareSite.lang() === "en" ? "ja" : "en");
    });
  });
})();
