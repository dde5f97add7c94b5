// Collaboration map page: filters, focus, figures, URL state, PNG export, drill-down.
// Every text from the data reaches the DOM through textContent, never innerHTML.
// The layout comes from Python (node x, y): physics stays off, so the map is ready as soon as
// it is drawn. Row texts live in a side file (DATA.rows.file), loaded by a <script> element
// the first time rows are shown: a page opened from a file may not fetch() another file.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("map-data").textContent);
  var ALL_PILLARS = DATA.pillars.map(function (p) { return p.key; });
  var ALL_TYPES = DATA.types.map(function (t) { return t.key; });
  var TYPE = {};
  DATA.types.forEach(function (t) { TYPE[t.key] = t; });
  var NODE = {};
  DATA.nodes.forEach(function (n) { NODE[n.id] = n; });
  var state = { focus: "", depth: 1, types: ALL_TYPES.slice(), pillars: ALL_PILLARS.slice(), lang: "ja" };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function name(n) { return state.lang === "en" && n.name_en ? n.name_en : n.label; }
  function both(n) { return n.name_en ? n.label + " / " + n.name_en : n.label; }
  // counts[i]: rows in DATA.pillars[i]; the last slot: rows of no pillar, in every view
  function inView(counts) {
    var n = counts[counts.length - 1];
    DATA.pillars.forEach(function (p, i) { if (state.pillars.indexOf(p.key) >= 0) n += counts[i]; });
    return n;
  }
  // The side file lists each body's and link's rows in the order of DATA.nodes and DATA.edges.
  DATA.nodes.forEach(function (n, i) { n.index = i; });
  var EDGE = {}, NODE_EDGES = {};
  DATA.edges.forEach(function (e, i) {
    e.index = i;
    EDGE[e.id] = e;
    (NODE_EDGES[e.from] = NODE_EDGES[e.from] || []).push(e);
    (NODE_EDGES[e.to] = NODE_EDGES[e.to] || []).push(e);
  });

  // ---- row texts, from the side file, on demand ----
  var ROWS = null, rowsState = "idle", waiting = [];
  function withRows(fn) {
    if (rowsState === "loaded" || rowsState === "failed") { fn(); return; }
    waiting.push(fn);
    if (rowsState === "loading") return;
    rowsState = "loading";
    document.body.setAttribute("data-rows", rowsState);
    var script = document.createElement("script");
    script.onload = function () {
      var all = window.welfareMapRows;
      rowsLoaded(all && has(all, DATA.rows.key) ? all[DATA.rows.key] : null);
    };
    script.onerror = function () { rowsLoaded(null); };
    script.src = DATA.rows.file;
    document.head.appendChild(script);
  }
  function rowsLoaded(data) {
    ROWS = data;
    rowsState = data ? "loaded" : "failed";
    document.body.setAttribute("data-rows", rowsState);
    var fns = waiting;
    waiting = [];
    fns.forEach(function (fn) { fn(); });
  }
  function rowsFileName() {
    try { return decodeURIComponent(DATA.rows.file); } catch (err) { return DATA.rows.file; }
  }
  function rowsIn(ids) {
    return ids.filter(function (i) { var p = ROWS.rows[i][4]; return !p || state.pillars.indexOf(p) >= 0; });
  }
  // the rows of a body (kind "nodes") or a link ("edges") in the current view, in reading order
  function rowsOf(kind, item) { return rowsIn(ROWS[kind][item.index] || []); }

  // links to the sibling maps (same folder), so a coordinator can move between scopes offline
  var nav = document.getElementById("maps");
  (DATA.maps || []).forEach(function (m) {
    var label = m.ja + " / " + m.en;
    if (m.current) { nav.appendChild(el("span", label)); return; }
    var a = el("a", label);
    a.href = m.href;
    a.setAttribute("data-href", m.href);
    nav.appendChild(a);
  });
  document.getElementById("title").textContent =
    "協働ネットワーク — " + DATA.title.ja + " / Collaboration network — " + DATA.title.en;

  // ---- the vis-network ----
  // Each node and link has its own tooltip element, filled when the pointer comes over it.
  // the whole plan's range (a pillar's map scales its bodies against it, as the layout did)
  var VALUE_MIN = has(DATA.node_size, "value_min") ? DATA.node_size.value_min :
    Math.min.apply(null, DATA.nodes.map(function (n) { return n.value; }));
  var VALUE_MAX = has(DATA.node_size, "value_max") ? DATA.node_size.value_max :
    Math.max.apply(null, DATA.nodes.map(function (n) { return n.value; }));
  var TIP = {};
  function tipBox(key) { return (TIP[key] = TIP[key] || el("div", null, "tip")); }
  // The nodes and links are made with the view the URL asks for already applied: vis-network
  // parses every item's options, so a second pass over them would double the start-up work.
  state = decodeState(location.hash);
  var firstView = viewProps(compute());
  var nodes = new vis.DataSet(DATA.nodes.map(function (n, i) {
    var item = firstView.nodes[i];
    item.x = n.x; item.y = n.y; item.title = tipBox("n" + n.id);
    item.color = { background: n.color, border: "#333", highlight: { background: n.color, border: "#000" } };
    return item;
  }));
  var edges = new vis.DataSet(DATA.edges.map(function (e, i) {
    var item = firstView.edges[i];
    item.from = e.from; item.to = e.to; item.title = tipBox("e" + e.id);
    return item;
  }));
  var options = {
    autoResize: true,
    layout: { randomSeed: DATA.seed, improvedLayout: false },
    // A node's size is scaled against the whole map's range, not the view's: a body is never
    // drawn larger than in the whole map, where the layout keeps every disc clear of the others.
    nodes: { shape: "dot", scaling: { min: DATA.node_size.min, max: DATA.node_size.max, label: { enabled: false },
                                      customScalingFunction: wholeMapScale },
             font: { size: 15, face: "IPAPGothic, IPAGothic, 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif", strokeWidth: 3, strokeColor: "#fff" },
             borderWidth: 1 },
    edges: { color: { color: "#9aa5b1", highlight: "#333", opacity: 0.8 },
             scaling: { min: 1, max: 12 }, smooth: false },
    interaction: { hover: true, tooltipDelay: 150, navigationButtons: false, keyboard: false },
    // The positions are final (computed once in Python, the same for the same input): no
    // physics, so every view of the same data shows the same places and nothing moves.
    physics: { enabled: false }
  };
  var network = new vis.Network(document.getElementById("map"), { nodes: nodes, edges: edges }, options);
  function wholeMapScale(min, max, total, value) {
    return VALUE_MAX === VALUE_MIN ? 0.5 : Math.min(1, Math.max(0, (value - VALUE_MIN) / (VALUE_MAX - VALUE_MIN)));
  }

  // ---- what is visible under the current state ----
  function compute() {
    var visNodes = {}, visEdges = [], adj = {};
    DATA.nodes.forEach(function (n) {
      if (state.types.indexOf(n.type) >= 0 && inView(n.counts)) visNodes[n.id] = true;
    });
    DATA.edges.forEach(function (e) {
      var w = inView(e.counts);
      if (w && visNodes[e.from] && visNodes[e.to]) {
        visEdges.push({ e: e, w: w });
        (adj[e.from] = adj[e.from] || []).push(e.to);
        (adj[e.to] = adj[e.to] || []).push(e.from);
      }
    });
    if (state.focus && visNodes[state.focus]) {
      var keep = {}, frontier = [state.focus];
      keep[state.focus] = true;
      for (var d = 0; d < state.depth; d++) {
        var next = [];
        frontier.forEach(function (v) {
          (adj[v] || []).forEach(function (u) { if (!keep[u]) { keep[u] = true; next.push(u); } });
        });
        frontier = next;
      }
      visNodes = keep;
      visEdges = visEdges.filter(function (x) { return keep[x.e.from] && keep[x.e.to]; });
    }
    return { nodes: visNodes, edges: visEdges };
  }

  function figures(view) {
    var ids = Object.keys(view.nodes), n = ids.length, m = view.edges.length;
    var deg = {}, parent = {};
    ids.forEach(function (v) { deg[v] = 0; parent[v] = v; });
    function find(v) { while (parent[v] !== v) { parent[v] = parent[parent[v]]; v = parent[v]; } return v; }
    view.edges.forEach(function (x) {
      deg[x.e.from]++; deg[x.e.to]++;
      parent[find(x.e.from)] = find(x.e.to);
    });
    var comps = {}, maxd = 0, isolates = 0;
    ids.forEach(function (v) { comps[find(v)] = true; maxd = Math.max(maxd, deg[v]); if (!deg[v]) isolates++; });
    var cent = 0;
    if (n >= 3) {
      ids.forEach(function (v) { cent += maxd - deg[v]; });
      cent = cent / ((n - 1) * (n - 2));
    }
    return { bodies: n, links: m, density: n > 1 ? 2 * m / (n * (n - 1)) : 0,
             centralization: cent, components: Object.keys(comps).length, isolates: isolates };
  }

  function showFigures(f) {
    var t = document.getElementById("figures");
    t.textContent = "";
    [["実施主体 / Bodies", f.bodies], ["つながり / Links", f.links],
     ["密度 / Density", f.density.toFixed(3)], ["集中度 / Degree centralization", f.centralization.toFixed(3)],
     ["連結成分 / Components", f.components], ["孤立 / Isolates (work alone)", f.isolates]
    ].forEach(function (r) {
      var tr = el("tr"); tr.appendChild(el("th", r[0])); tr.appendChild(el("td", r[1])); t.appendChild(tr);
    });
    t.setAttribute("data-bodies", f.bodies);
    t.setAttribute("data-links", f.links);
  }

  // A list of rows (the first `limit`, or all); each item carries its row's IRI.
  function rowList(ids, limit) {
    var ol = el("ol", null, "rows");
    var shown = limit ? ids.slice(0, limit) : ids;
    shown.forEach(function (i) {
      var r = ROWS.rows[i];
      var li = el("li", r[2]);
      li.setAttribute("data-iri", ROWS.folders[r[0]] + r[1]);
      if (r[3] >= 0) {
        var en = (ROWS.initiatives_en || [])[r[3]];  /* the English title, where there is one */
        if (state.lang === "en" && en) li.appendChild(el("div", "Initiative: " + en, "initiative"));
        li.appendChild(el("div", "取組: " + ROWS.initiatives[r[3]], "initiative"));
      }
      ol.appendChild(li);
    });
    if (ids.length > shown.length) ol.appendChild(el("li", "… +" + (ids.length - shown.length)));
    return ol;
  }
  // The rows of a body or link, into `box` once the side file is there (`current` says
  // whether the box still shows that body or link when they arrive).
  function rowsInto(box, kind, item, limit, current) {
    var wait = el("p", "行を読み込み中… / Loading rows…", "hint");
    box.appendChild(wait);
    withRows(function () {
      if (current && !current()) return;
      if (wait.parentNode) wait.parentNode.removeChild(wait);
      if (!ROWS) {
        box.appendChild(el("p", "行の本文を読み込めません。" + rowsFileName() + " をこの地図と同じフォルダに置いてください。 / " +
          "Cannot load the rows' texts: keep " + rowsFileName() + " in the same folder as this map.", "warning"));
        return;
      }
      box.appendChild(rowList(rowsOf(kind, item), limit));
    });
  }

  function partnersOf(n, view) {
    var on = {};
    view.edges.forEach(function (x) { on[x.e.id] = x.w; });
    return (NODE_EDGES[n.id] || []).filter(function (e) { return on[e.id]; })
      .map(function (e) { return { other: NODE[e.from === n.id ? e.to : e.from], w: on[e.id] }; })
      .sort(function (a, b) { return b.w - a.w || (a.other.label < b.other.label ? -1 : 1); });
  }

  function nodeTip(box, n, view) {
    box.textContent = "";
    box.appendChild(el("strong", n.label));
    if (n.name_en) box.appendChild(el("span", n.name_en, "en"));
    var t = TYPE[n.type];
    box.appendChild(el("div", "種類 / Type: " + (t ? t.ja + " / " + t.en : n.type)));
    box.appendChild(el("div", "実施する行 / Rows: " + inView(n.counts)));
    var partners = partnersOf(n, view);
    box.appendChild(el("div", "共同の相手 / Partners: " + partners.length));
    if (partners.length) {
      var ol = el("ol");
      partners.slice(0, 5).forEach(function (p) { ol.appendChild(el("li", both(p.other) + " (" + p.w + ")")); });
      box.appendChild(ol);
    }
    return box;
  }

  function edgeTip(box, e) {
    box.textContent = "";
    box.appendChild(el("strong", NODE[e.from].label + " — " + NODE[e.to].label));
    box.appendChild(el("span", (NODE[e.from].name_en || "") + " — " + (NODE[e.to].name_en || ""), "en"));
    box.appendChild(el("div", "共同で実施した行 / Shared rows: " + inView(e.counts)));
    return box;
  }

  // tooltips are filled when the pointer comes over a node or link (vis shows them after
  // tooltipDelay), from the view at that moment
  var hovers = 0;
  network.on("hoverNode", function (params) {
    var n = NODE[params.node];
    if (!n || !currentView) return;
    hovers++;
    nodeTip(TIP["n" + n.id], n, currentView);
  });
  network.on("hoverEdge", function (params) {
    var e = EDGE[params.edge], mine = ++hovers;
    if (!e || !currentView) return;
    rowsInto(edgeTip(TIP["e" + e.id], e), "edges", e, 8, function () { return hovers === mine; });
  });

  // ---- apply the state to the network and the page ----
  var currentView = null;
  // what each node and link looks like in `view`: shown or hidden, label, size, width
  function viewProps(view) {
    var wOf = {}, strength = {};
    view.edges.forEach(function (x) {
      wOf[x.e.id] = x.w;
      strength[x.e.from] = (strength[x.e.from] || 0) + x.w;
      strength[x.e.to] = (strength[x.e.to] || 0) + x.w;
    });
    return {
      view: view,
      nodes: DATA.nodes.map(function (n) {
        // English names wrap at the width the layout left them (DATA.label_wrap)
        return { id: n.id, hidden: !view.nodes[n.id], label: name(n), value: strength[n.id] || 0,
                 borderWidth: n.id === state.focus ? 4 : 1,
                 widthConstraint: state.lang === "en" && DATA.label_wrap ? { maximum: DATA.label_wrap } : false };
      }),
      edges: DATA.edges.map(function (e) {
        var w = wOf[e.id];
        return { id: e.id, hidden: !w, value: w || 0 };
      })
    };
  }

  // `push`: false when the state came from the URL; `props`: the view's items when the
  // network was just made from them
  function apply(push, props) {
    var view = props ? props.view : compute();
    currentView = view;
    if (!props) {
      props = viewProps(view);
      nodes.update(props.nodes);
      edges.update(props.edges);
    }
    showFigures(figures(view));
    // controls reflect the state
    document.getElementById("focus").value = state.focus;
    document.getElementById("depth").value = String(state.depth);
    document.getElementById("lang").value = state.lang;
    Array.prototype.forEach.call(document.querySelectorAll("#legend button"), function (b) {
      b.setAttribute("aria-pressed", state.types.indexOf(b.getAttribute("data-type")) >= 0 ? "true" : "false");
    });
    Array.prototype.forEach.call(document.querySelectorAll("#pillars input"), function (c) {
      c.checked = state.pillars.indexOf(c.value) >= 0;
    });
    var hash = encodeState();
    if (push !== false && location.hash.slice(1) !== hash) {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    }
    document.getElementById("link").href = "#" + hash;
    Array.prototype.forEach.call(document.querySelectorAll("nav#maps a"), function (a) {
      a.href = a.getAttribute("data-href") + (hash ? "#" + hash : ""); // the view travels along
    });
    if (state.focus && view.nodes[state.focus]) {
      network.selectNodes([state.focus]);
      network.fit({ nodes: Object.keys(view.nodes), animation: false });
    } else {
      network.unselectAll();
    }
  }

  // ---- URL state: #focus=ref&depth=2&types=a,b&pillars=1,3&lang=en (defaults omitted) ----
  function encodeState() {
    var parts = [];
    if (state.focus) parts.push("focus=" + encodeURIComponent(state.focus));
    if (state.focus && state.depth !== 1) parts.push("depth=" + state.depth);
    if (state.types.length !== ALL_TYPES.length) parts.push("types=" + state.types.map(encodeURIComponent).join(","));
    if (state.pillars.length !== ALL_PILLARS.length) parts.push("pillars=" + state.pillars.map(encodeURIComponent).join(","));
    if (state.lang !== "ja") parts.push("lang=" + state.lang);
    return parts.join("&");
  }
  // A hand-edited or truncated link must not stop the map: each key is read on its own, a key
  // whose value is not valid %-encoding keeps its default, and unknown bodies, types and
  // pillars are ignored.
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function decodeState(hash) {
    var s = { focus: "", depth: 1, types: ALL_TYPES.slice(), pillars: ALL_PILLARS.slice(), lang: "ja" };
    String(hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="); if (i < 0) return;
      var k = kv.slice(0, i), raw = kv.slice(i + 1), v, list;
      try {
        v = decodeURIComponent(raw);
        list = raw === "" ? [] : raw.split(",").map(decodeURIComponent); // items are encoded one by one
      } catch (err) {
        return; // URIError: malformed %-escape
      }
      if (k === "focus") s.focus = has(NODE, v) ? v : "";
      else if (k === "depth") s.depth = v === "2" ? 2 : 1;
      else if (k === "types") s.types = ALL_TYPES.filter(function (t) { return list.indexOf(t) >= 0; });
      else if (k === "pillars") s.pillars = ALL_PILLARS.filter(function (p) { return list.indexOf(p) >= 0; });
      else if (k === "lang") s.lang = v === "en" ? "en" : "ja";
    });
    return s;
  }

  // ---- controls ----
  var focusSel = document.getElementById("focus");
  focusSel.appendChild(el("option", "— 焦点なし / no focus —")).value = "";
  var dl = document.getElementById("body-list");
  DATA.nodes.slice().sort(function (a, b) {
    return ALL_TYPES.indexOf(a.type) - ALL_TYPES.indexOf(b.type) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  }).forEach(function (n) {
    focusSel.appendChild(el("option", both(n))).value = n.id;
    dl.appendChild(el("option")).value = both(n);
    (n.aliases || []).forEach(function (a) { dl.appendChild(el("option", both(n))).value = a; });
  });
  focusSel.addEventListener("change", function () {
    state.focus = focusSel.value; apply();
    if (state.focus) showDetails("nodes", NODE[state.focus]); // keyboard users reach its rows here
  });
  document.getElementById("depth").addEventListener("change", function (ev) {
    state.depth = ev.target.value === "2" ? 2 : 1; apply();
  });
  document.getElementById("lang").addEventListener("change", function (ev) {
    state.lang = ev.target.value === "en" ? "en" : "ja"; apply();
  });
  var search = document.getElementById("search");
  var searchStatus = document.getElementById("search-status");
  // Names are compared as graph/sparql/names.py compares them: NFKC, no spaces, case-folded.
  function key(text) { return String(text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase(); }
  var NAMES = DATA.nodes.map(function (n) {
    return { node: n, keys: [n.label, n.name_en, both(n)].concat(n.aliases || []).filter(Boolean).map(key),
             aliases: n.aliases || [] };
  });
  // the body a typed name stands for: a whole name or alias first, then one a name starts
  // with, then one a name contains; `via`: the alias it was found by
  function findBody(typed) {
    var q = key(typed);
    if (!q) return null;
    var tests = [function (k) { return k === q; }, function (k) { return k.indexOf(q) === 0; },
                 function (k) { return k.indexOf(q) >= 0; }];
    for (var t = 0; t < tests.length; t++) {
      for (var i = 0; i < NAMES.length; i++) {
        var k = NAMES[i].keys.filter(tests[t])[0];
        if (k !== undefined) {
          var via = NAMES[i].aliases.filter(function (a) { return key(a) === k; })[0] || "";
          return { node: NAMES[i].node, via: via };
        }
      }
    }
    return null;
  }
  function doSearch() {
    var typed = search.value.trim();
    searchStatus.textContent = "";
    searchStatus.className = "hint";
    if (!typed) return;
    var hit = findBody(typed);
    if (!hit) {
      searchStatus.textContent = "「" + typed + "」に一致する実施主体はありません / No body matches \u201c" + typed + "\u201d";
      searchStatus.className = "no-match";
      return;
    }
    state.focus = hit.node.id;
    apply();
    var said = hit.via ? hit.via + " → " + both(hit.node) : both(hit.node);
    if (!currentView.nodes[hit.node.id]) said += "（現在の絞り込みでは非表示 / hidden by the current filters）";
    searchStatus.textContent = said;
    showDetails("nodes", hit.node);
  }
  search.addEventListener("change", doSearch);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") doSearch(); });
  document.getElementById("clear").addEventListener("click", function () {
    state = decodeState(""); search.value = ""; searchStatus.textContent = ""; apply(); network.fit();
  });

  var legend = document.getElementById("legend");
  DATA.types.forEach(function (t) {
    var b = el("button"); b.type = "button"; b.setAttribute("data-type", t.key);
    var sw = el("span", null, "swatch"); sw.style.background = t.color;
    b.appendChild(sw);
    b.appendChild(el("span", t.ja + " / " + t.en));
    b.appendChild(el("span", DATA.nodes.filter(function (n) { return n.type === t.key; }).length, "count"));
    b.title = "クリックで表示・非表示 / Click to show or hide";
    b.addEventListener("click", function () {
      var i = state.types.indexOf(t.key);
      if (i >= 0) state.types.splice(i, 1); else state.types = ALL_TYPES.filter(function (k) { return k === t.key || state.types.indexOf(k) >= 0; });
      apply();
    });
    legend.appendChild(el("li")).appendChild(b);
  });

  var pl = document.getElementById("pillars");
  DATA.pillars.forEach(function (p) {
    var label = el("label"), box = el("input");
    box.type = "checkbox"; box.value = p.key; box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + p.key + " " + p.ja + (p.en ? " / " + p.en : "")));
    box.addEventListener("change", function () {
      state.pillars = ALL_PILLARS.filter(function (k) {
        return k === p.key ? box.checked : state.pillars.indexOf(k) >= 0;
      });
      apply();
    });
    pl.appendChild(el("li")).appendChild(label);
  });
  if (DATA.pillars.length < 2) document.getElementById("pillar-section").hidden = true;

  // ---- selection details (click) ----
  // every row of the clicked body or link (in the view's pillars), with its initiative
  // On the site, each body and link also opens its own page (`href`): every row behind it in
  // every pillar, with result, status, source page and line, and a CSV of them.
  var details = document.getElementById("details"), picked = 0;
  function drillLink(item, ja, en) {
    if (!item.href) return null;
    var a = el("a", ja + " / " + en, "drill");
    a.href = item.href;
    return el("p").appendChild(a).parentNode;
  }
  function showDetails(kind, item) {
    details.textContent = "";
    var mine = ++picked, box = el("div", null, "tip");
    function current() { return picked === mine; }
    if (kind === "nodes") {
      details.appendChild(nodeTip(box, item, currentView));
      var link = drillLink(item, "この実施主体のページ（全ての行・協働の相手）", "Page of this body (every row, partners)");
      if (link) box.appendChild(link);
      box.appendChild(el("div", "行 / Rows:"));
      rowsInto(box, "nodes", item, 0, current);
    } else if (kind === "edges") {
      details.appendChild(edgeTip(box, item));
      var pair = drillLink(item, "この2者が共同で実施した全ての行（全ての柱）", "Every row these two share (all pillars)");
      if (pair) box.appendChild(pair);
      rowsInto(box, "edges", item, 0, current);
    } else {
      details.appendChild(el("p", "ノードか線をクリック / Click a node or a link", "hint"));
    }
  }
  network.on("click", function (params) {
    if (params.nodes.length) showDetails("nodes", NODE[params.nodes[0]]);
    else if (params.edges.length) showDetails("edges", EDGE[params.edges[0]]);
    else showDetails("");
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { state.focus = params.nodes[0]; apply(); }
  });

  // ---- PNG export: a handout of the current view at twice the screen's resolution ----
  // The map with what a reader of the printed sheet needs around it: the title, the plan and
  // fiscal year, the filters in force, the legend and the source credit the Public Data
  // License 1.0 asks for (DATA.handout, the catalogue's own text).
  var EXPORT_SCALE = 2;
  var FONT = "IPAPGothic, IPAGothic, 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif";
  // the network drawn `scale` times larger than on screen: the map's box is enlarged for one
  // synchronous redraw, then put back as it was
  function mapImage(scale) {
    var box = document.getElementById("map");
    var w = Math.max(box.clientWidth, 1), h = Math.max(box.clientHeight, 1);
    var center = network.getViewPosition(), zoom = network.getScale();
    var c = document.createElement("canvas");
    c.width = w * scale; c.height = h * scale;
    try {
      network.setSize(w * scale + "px", h * scale + "px");
      network.moveTo({ position: center, scale: zoom * scale, animation: false });
      network.redraw();
      c.getContext("2d").drawImage(box.querySelector("canvas"), 0, 0, c.width, c.height);
    } finally {
      network.setSize("100%", "100%");
      network.moveTo({ position: center, scale: zoom, animation: false });
      network.redraw();
    }
    return c;
  }
  // `text` in lines no wider than `width` (at spaces where it can, else between characters)
  function wrap(ctx, text, width) {
    var lines = [], line = "";
    Array.from(String(text)).forEach(function (ch) {
      if (line && ctx.measureText(line + ch).width > width) {
        var cut = line.lastIndexOf(" ");
        if (cut > 0 && ch !== " ") { lines.push(line.slice(0, cut)); line = line.slice(cut + 1) + ch; }
        else { lines.push(line); line = ch === " " ? "" : ch; }
      } else {
        line += ch;
      }
    });
    if (line) lines.push(line);
    return lines;
  }
  // what the view leaves out, in words (both languages)
  function filterText() {
    var said = [];
    if (state.types.length !== ALL_TYPES.length) {
      said.push("種類 / Types: " + (state.types.map(function (k) { return TYPE[k].ja + " / " + TYPE[k].en; }).join(", ") || "—"));
    }
    if (state.pillars.length !== ALL_PILLARS.length) {
      said.push("推進の柱 / Pillars: " + (state.pillars.join(", ") || "—"));
    }
    if (state.focus && NODE[state.focus]) {
      said.push("焦点 / Focus: " + both(NODE[state.focus]) + "（" + state.depth + " 歩 / steps）");
    }
    return "表示条件 / Filters: " + (said.length ? said.join("; ") : "なし（全ての実施主体とつながり） / none (every body and link)");
  }
  function handoutCanvas() {
    var S = EXPORT_SCALE, H = DATA.handout || {};
    var map = mapImage(S);
    var pad = 20 * S, width = map.width + 2 * pad;
    var out = document.createElement("canvas"), ctx = out.getContext("2d");
    ctx.font = "12px " + FONT;
    var f = figures(currentView);
    var blocks = [  // [text, px size, bold, colour]
      [document.getElementById("title").textContent, 18, true, "#111"],
      [[H.plan && H.plan.ja, H.years && H.years.ja].filter(Boolean).join("　") + " / " +
        [H.plan && H.plan.en, H.years && H.years.en].filter(Boolean).join(", "), 13, false, "#222"],
      [filterText() + "　（実施主体 / Bodies " + f.bodies + "、つながり / Links " + f.links + "）", 12, false, "#333"]
    ];
    var legend = DATA.types.filter(function (t) { return state.types.indexOf(t.key) >= 0; });
    var foot = [
      ["ノードの大きさ＝共同で実施した行の延べ数、線の太さ＝共同で実施した行の数 / node size = weighted degree (shared rows), edge width = shared rows", 11, false, "#444"],
      [H.credit && H.credit.ja, 11, false, "#222"], [H.credit && H.credit.en, 11, false, "#222"]
    ].filter(function (b) { return b[0]; });
    function laid(list) {
      return list.map(function (b) {
        ctx.font = (b[2] ? "bold " : "") + b[1] * S + "px " + FONT;
        return { lines: wrap(ctx, b[0], width - 2 * pad), size: b[1] * S, bold: b[2], color: b[3] };
      });
    }
    var head = laid(blocks), tail = laid(foot);
    function height(list) {
      return list.reduce(function (sum, b) { return sum + b.lines.length * b.size * 1.4; }, 0);
    }
    var legendRow = 16 * S;
    out.width = width;
    out.height = Math.ceil(pad + height(head) + 8 * S + map.height + 10 * S +
                           legend.length * legendRow + 6 * S + height(tail) + pad);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
    ctx.textBaseline = "top";
    var y = pad;
    function write(list) {
      list.forEach(function (b) {
        ctx.font = (b.bold ? "bold " : "") + b.size + "px " + FONT;
        ctx.fillStyle = b.color;
        b.lines.forEach(function (line) { ctx.fillText(line, pad, y); y += b.size * 1.4; });
      });
    }
    write(head);
    y += 8 * S;
    ctx.strokeStyle = "#ccc"; ctx.lineWidth = S;
    ctx.strokeRect(pad - S / 2, y - S / 2, map.width + S, map.height + S);
    ctx.drawImage(map, pad, y);
    y += map.height + 10 * S;
    legend.forEach(function (t) {
      ctx.fillStyle = t.color;
      ctx.beginPath(); ctx.arc(pad + 6 * S, y + 7 * S, 6 * S, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = "#333"; ctx.lineWidth = S / 2; ctx.stroke();
      ctx.fillStyle = "#222"; ctx.font = 12 * S + "px " + FONT;
      var count = DATA.nodes.filter(function (n) { return n.type === t.key && currentView.nodes[n.id]; }).length;
      ctx.fillText(t.ja + " / " + t.en + "（" + count + "）", pad + 18 * S, y + S);
      y += legendRow;
    });
    y += 6 * S;
    write(tail);
    return out;
  }
  document.getElementById("export").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = handoutCanvas().toDataURL("image/png");
    a.download = DATA.scope + (state.focus ? "-" + state.focus : "") + ".png";
    document.body.appendChild(a); a.click(); a.remove();
  });

  window.addEventListener("hashchange", function () { state = decodeState(location.hash); apply(false); });
  apply(false, firstView);
  if (!state.focus) network.fit({ animation: false });
  // Ready once the first frame with the view in place is drawn.
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-settled", "true");
    if (window.performance && performance.mark) performance.mark("welfare-map-ready");
    document.dispatchEvent(new CustomEvent("welfaremap:ready"));
  });

  // for tests and for anyone scripting the page
  window.welfareMap = { network: network, nodes: nodes, edges: edges, data: DATA,
    view: function () { return currentView; }, figures: function () { return figures(compute()); },
    withRows: withRows, rows: function () { return ROWS; }, handout: handoutCanvas, findBody: findBody };
})();
