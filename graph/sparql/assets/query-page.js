// The endpoint's query page: the project's prefixes and the query library as examples.
// Everything from the data is shown as text (textContent), never as HTML.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const select = document.getElementById("examples");
  const editor = document.getElementById("query");
  const description = document.getElementById("description");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const endpoint = new URL("query", window.location.href).href;
  document.getElementById("endpoint").textContent = endpoint;

  const prologue = Object.keys(data.prefixes).sort()
    .map((p) => `PREFIX ${p}: <${data.prefixes[p]}>`).join("\n");
  const blank = `${prologue}\n\nSELECT ?s ?p ?o\nWHERE { ?s ?p ?o }\nLIMIT 25\n`;

  data.examples.forEach((example, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = `${example.name} — ${example.title}`;
    select.appendChild(option);
  });

  function show(index) {
    if (index === "") {
      editor.value = blank;
      description.textContent = "";
      return;
    }
    const example = data.examples[Number(index)];
    editor.value = example.text;
    description.textContent = example.description;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (term === undefined) return td;
    let text = term.value;
    if (term.type === "uri") {
      for (const [p, ns] of Object.entries(data.prefixes)) {
        if (text.startsWith(ns) && text.length > ns.length) { text = `${p}:${text.slice(ns.length)}`; break; }
      }
    }
    td.textContent = text;
    if (term.type === "uri") td.title = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
    return td;
  }

  function table(json) {
    results.replaceChildren();
    if (typeof json.boolean === "boolean") {
      results.textContent = json.boolean ? "true" : "false";
      return 1;
    }
    const vars = json.head.vars;
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.textContent = `?${v}`;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const binding of json.results.bindings) {
      const row = body.insertRow();
      for (const v of vars) row.appendChild(cell(binding[v]));
    }
    results.appendChild(t);
    return json.results.bindings.length;
  }

  async function run() {
    status.className = "";
    status.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/plain;q=0.5",
        },
        body: new URLSearchParams({ query: editor.value }),
      });
      const text = await response.text();
      if (!response.ok) {
        status.className = "error";
        status.textContent = `HTTP ${response.status}: ${text}`;
        return;
      }
      let json;
      try { json = JSON.parse(text); } catch (e) {
        results.textContent = text;  // CONSTRUCT/DESCRIBE answers: shown as they came
        status.textContent = "";
        return;
      }
      const n = table(json);
      const ms = Math.round(performance.now() - started);
      status.textContent = `${n} result${n === 1 ? "" : "s"} in ${ms} ms`;
    } catch (e) {
      status.className = "error";
      status.textContent = `the endpoint did not answer: ${e}`;
    }
  }

  select.addEventListener("change", () => show(select.value));
  document.getElementById("run").addEventListener("click", run);
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  show("");
})();
