"""Interactive collaboration maps: self-contained HTML files (pyvis data, vis-network drawing).

The network is built node by node into a pyvis `Network` (never `from_nx`, which mutates the
graph), then written into our own page template with vis-network's script and stylesheet
inlined from the pyvis package: the page opens from a file with no network. Everything that
comes from the data travels as JSON in a `<script type="application/json">` block with `<`,
`>` and `&` escaped, and the page's script puts it into the DOM only as text.

Examples
--------
>>> from welfare_kg.viz.plan import Body, Participation, Plan, PlanRow
>>> plan = Plan.from_tables(
...     [Body("https://ex.org/b/a", "甲課", "Division A", "WardOfficeDivision"),
...      Body("https://ex.org/b/b", "<script>x</script>", "B", "CommunityCarePlaza")],
...     [PlanRow("https://ex.org/r/1", "講座", order=1)],
...     [Participation("https://ex.org/r/1", "https://ex.org/b/a"),
...      Participation("https://ex.org/r/1", "https://ex.org/b/b")])
>>> html = render_map(plan)
>>> "<script>x</script>" in html, "\\\\u003cscript\\\\u003ex" in html
(False, True)
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from welfare_kg.fileio import write_text

from .metrics import SEED, summary
from .network import collaboration_network
from .plan import Plan, type_label, type_rank

if TYPE_CHECKING:
    from pyvis.network import Network

    from .handout import Handout

__all__ = [
    "TYPE_COLORS",
    "MapContext",
    "MapScope",
    "build_pyvis",
    "map_context",
    "map_data",
    "map_scopes",
    "render_map",
    "render_rows",
    "rows_data",
    "vis_data",
    "whole_plan_positions",
    "write_map",
    "write_maps",
]

ASSETS = Path(__file__).resolve().parent / "assets"

TYPE_COLORS: dict[str, str] = {
    "WardOfficeDivision": "#1f77b4",
    "CommunityCarePlaza": "#2ca02c",
    "SocialWelfareCouncil": "#d62728",
    "PartnerOrganization": "#ff7f0e",
}
NODE_SIZE = (8, 36)
"""Smallest and largest node radius on the page (px at zoom 1); the layout keeps them apart."""
ROWS_SUFFIX = ".rows.js"
"""A map page `x.html` loads its rows' texts from `x.rows.js` beside it."""
_OTHER_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22")


@dataclass(frozen=True)
class MapScope:
    """What one map shows: the whole plan (`pillar=None`) or one pillar; its file name."""

    slug: str
    title_ja: str
    title_en: str
    pillar: str | None = None


@dataclass(frozen=True)
class MapContext:
    """What a map shows beside the network, from outside the `Plan`.

    `names`: every name a body is known by -> its Japanese name, as
    `welfare_kg.graph.sparql.body_names` resolves them (English names, altLabels, the short
    names of data/aliases.csv), so the map's search finds 社協 as the site and the CLI do.
    `body_pages` (body IRI) and `pair_pages` (frozenset of two body IRIs): the pages a body
    or a link opens, relative to the map (the site's body and pair pages, every row).
    `handout`: the title block and source credit of the PNG export.
    """

    names: Mapping[str, str] = field(default_factory=dict)
    body_pages: Mapping[str, str] = field(default_factory=dict)
    pair_pages: Mapping[frozenset[str], str] = field(default_factory=dict)
    handout: Handout | None = None


def map_context(store: Any, handout: Handout | None = None) -> MapContext:
    """The names and the handout (`handout`, else read now) of the build in `store` (no
    drill-down pages: the site adds those for its own copies of the maps)."""
    from welfare_kg.graph.sparql import body_names

    from .handout import load_handout

    return MapContext(names=body_names(store), handout=handout or load_handout(store))


def map_scopes(plan: Plan) -> list[MapScope]:
    """The whole-plan map, then one map per pillar of the plan."""
    scopes = [MapScope("whole-plan", "計画全体", "Whole plan")]
    for p in plan.pillars.values():
        scopes.append(
            MapScope(
                f"pillar-{p.number}",
                f"推進の柱{p.number} {p.name_ja}",
                f"Pillar {p.number}" + (f": {p.name_en}" if p.name_en else ""),
                p.iri,
            )
        )
    return scopes


def build_pyvis(G: nx.Graph, seed: int = SEED,
                positions: dict[Any, tuple[int, int]] | None = None) -> Network:
    """A pyvis `Network` of the collaboration graph `G` (left unchanged): the nodes and
    links of `vis_data`, for a caller who wants pyvis's own page or API."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", cdn_resources="in_line")
    nodes, edges = vis_data(G, seed, positions)
    for node in nodes:
        options = {k: v for k, v in node.items() if k not in ("id", "shape")}
        net.add_node(node["id"], shape=node["shape"], **options)
    net.edges.extend(edges)  # `add_edge` scans every edge for a duplicate; a Graph has none
    return net


def vis_data(G: nx.Graph, seed: int = SEED,
             positions: dict[Any, tuple[int, int]] | None = None,
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and links of the collaboration graph `G` (left unchanged) as vis-network
    data, the options pyvis would give them (`build_pyvis`), made without importing pyvis
    (and the IPython it brings, a tenth of a second the maps do not need).

    Nodes carry colour by type, `value` = weighted degree, their final position (`positions`,
    e.g. the whole plan's layout for a pillar's map, else `_layout` of `G`);
    edges carry `value` = weight. Data fields the page needs (`iri`, `type`, `name_en`,
    `rows`) ride along as extra node and edge options.
    """
    colors = _type_colors(G)
    positions = positions if positions is not None else _layout(G, seed)
    refs = _refs(G)
    nodes = []
    for v, data in G.nodes(data=True):
        x, y = positions[v]
        nodes.append({
            "color": colors[data.get("type", "")], "value": G.degree(v, weight="weight"),
            "x": x, "y": y, "iri": str(v), "type": data.get("type", ""),
            "name_en": data.get("name_en", ""), "rows": list(data.get("rows", ())),
            "id": refs[v], "label": data.get("name_ja") or str(v), "shape": "dot",
        })
    edges = [{"value": data.get("weight", 1), "rows": list(data.get("rows", ())),
              "from": refs[u], "to": refs[v]} for u, v, data in G.edges(data=True)]
    return nodes, edges


def map_data(plan: Plan, scope: MapScope, seed: int = SEED, rows_file: str | None = None,
             context: MapContext | None = None) -> dict[str, Any]:
    """What the page itself carries, as plain JSON-ready data (see `_map_content`)."""
    return _map_content(plan, scope, seed, rows_file, context=context)[0]


def rows_data(plan: Plan, scope: MapScope, seed: int = SEED) -> dict[str, Any]:
    """What the map's side file carries: its rows' texts and which rows each body and link
    has (see `_map_content`)."""
    return _map_content(plan, scope, seed, None)[1]


def whole_plan_positions(plan: Plan, seed: int = SEED) -> dict[Any, tuple[int, int]]:
    """The position of every body on the whole-plan map, which every map of the plan uses.

    Kept for the process by the plan's content and the seed: the main job draws the same
    plan's maps twice (OUT_DIR/maps and the site's copies), and the layout is a spring
    simulation per component. A copy is returned, so a caller cannot change the kept one.
    """
    key = (hashlib.sha256(repr(plan).encode("utf-8")).hexdigest(), seed)
    if key not in _POSITIONS:
        _POSITIONS.clear()  # one plan at a time: a long process does not accumulate layouts
        _POSITIONS[key] = _layout(collaboration_network(plan), seed)
    return dict(_POSITIONS[key])


_POSITIONS: dict[tuple[str, int], dict[Any, tuple[int, int]]] = {}


def _map_content(plan: Plan, scope: MapScope, seed: int, rows_file: str | None,
                 positions: dict[Any, tuple[int, int]] | None = None,
                 context: MapContext | None = None,
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page's data and its side file's data.

    The page carries what drawing and filtering need: bodies with their final positions,
    links, and for each body and link how many of its rows fall in each pillar (`counts`,
    one slot per pillar of the map and a last slot for rows of no pillar, which every view
    shows). Row texts would make a city-scale page megabytes long, so they live in the side
    file (`rows_file`, loaded only when a tooltip or the selection panel shows rows): a table
    of rows in reading order (`[IRI folder index, IRI last segment, text, initiative index or
    -1, pillar key]`) and the row numbers of each body (`nodes`) and link (`edges`), in the
    order of the page's bodies and links. The page names the side file's `key`, a digest of
    its content, so a side file left from another build is recognised, not misread.
    """
    import hashlib
    from urllib.parse import quote

    G = collaboration_network(plan, pillar=scope.pillar)
    # Every map places a body where the whole-plan map does, so it stays put when the reader
    # switches pillar (a pillar's bodies are a subset: no new overlaps).
    if positions is None:
        positions = whole_plan_positions(plan, seed)
    net_nodes, net_edges = vis_data(G, seed, positions)
    pillars = [p for p in plan.pillars.values() if scope.pillar is None or p.iri == scope.pillar]
    slot = {p.iri: i for i, p in enumerate(pillars)}
    rank = {r: i for i, r in enumerate(plan.rows)}
    used = sorted({r for n in net_nodes for r in n["rows"]}, key=rank.__getitem__)
    number = {r: i for i, r in enumerate(used)}

    def counts(rows: list[str]) -> list[int]:
        found = [0] * (len(pillars) + 1)
        for r in rows:
            found[slot.get(plan.rows[r].pillar or "", len(pillars))] += 1
        return found

    context = context or MapContext()
    aliases = _aliases(context.names)
    nodes = [
        {
            "id": n["id"], "label": n["label"], "color": n["color"], "value": n["value"],
            "x": n["x"], "y": n["y"], "iri": n["iri"], "type": n["type"],
            "name_en": n["name_en"], "counts": counts(n["rows"]),
            "aliases": [a for a in aliases.get(n["label"], ()) if a not in
                        (n["label"], n["name_en"])],
            "href": context.body_pages.get(n["iri"], ""),
        }
        for n in net_nodes
    ]
    iri_of = {n["id"]: n["iri"] for n in net_nodes}
    edges = [
        {"id": f"e{i + 1}", "from": e["from"], "to": e["to"], "value": e["value"],
         "counts": counts(e["rows"]),
         "href": context.pair_pages.get(frozenset((iri_of[e["from"]], iri_of[e["to"]])), "")}
        for i, e in enumerate(net_edges)
    ]
    side = _rows_table(plan, used)
    side["nodes"] = [[number[r] for r in n["rows"]] for n in net_nodes]
    side["edges"] = [[number[r] for r in e["rows"]] for e in net_edges]
    key = hashlib.sha256(script_json(side).encode("utf-8")).hexdigest()[:16]
    types = sorted({n["type"] for n in nodes}, key=lambda t: (type_rank(t), t))
    colors = _type_colors(G)
    page = {
        "scope": scope.slug,
        "title": {"ja": scope.title_ja, "en": scope.title_en},
        "types": [
            {"key": t, "ja": type_label(t)[0], "en": type_label(t)[1], "color": colors[t]}
            for t in types
        ],
        "pillars": [{"key": str(p.number), "ja": p.name_ja, "en": p.name_en} for p in pillars],
        "node_size": {"min": NODE_SIZE[0], "max": NODE_SIZE[1], **_value_range(plan, scope, G)},
        "label_wrap": LABEL_WRAP,
        "handout": context.handout.as_json() if context.handout else None,
        "nodes": nodes,
        "edges": edges,
        "rows": {"file": quote(rows_file or f"{scope.slug}{ROWS_SUFFIX}"), "key": key,
                 "count": len(used)},
        "figures": summary(G, seed),
        "seed": seed,
        "maps": [
            {"href": f"{s.slug}.html", "ja": s.title_ja, "en": s.title_en,
             "current": s.slug == scope.slug}
            for s in map_scopes(plan)
        ],
    }
    return page, side


def _value_range(plan: Plan, scope: MapScope, G: nx.Graph) -> dict[str, float]:
    """The whole plan's range of node values (weighted degree): every map scales its discs
    against it, so a body is never drawn larger than the whole-plan layout left room for."""
    whole = G if scope.pillar is None else collaboration_network(plan)
    values = [d for _, d in whole.degree(weight="weight")]
    return {"value_min": min(values), "value_max": max(values)} if values else {}


def _aliases(names: Mapping[str, str]) -> dict[str, list[str]]:
    """Japanese name -> the other names it is known by, sorted."""
    found: dict[str, list[str]] = {}
    for name, canonical in names.items():
        if name != canonical:
            found.setdefault(canonical, []).append(name)
    return {k: sorted(v) for k, v in found.items()}


def _rows_table(plan: Plan, used: list[str]) -> dict[str, Any]:
    """The rows' texts, their IRIs split into shared folders and last segments, and their
    initiatives each written once (`initiatives`, as printed; `initiatives_en`, the English
    title beside each, empty where data/initiatives.yaml has none)."""
    pillar_key = {p.iri: str(p.number) for p in plan.pillars.values()}
    folders: dict[str, int] = {}
    initiatives: dict[str, int] = {}
    english: dict[str, str] = {}
    rows = []
    for iri in used:
        row = plan.rows[iri]
        folder, local = _split_iri(iri)
        initiative = plan.initiatives.get(row.initiative) if row.initiative else None
        ini = -1
        if initiative is not None:
            ini = initiatives.setdefault(initiative.text, len(initiatives))
            english.setdefault(initiative.text, initiative.text_en)
        rows.append([folders.setdefault(folder, len(folders)), local, row.text, ini,
                     pillar_key.get(row.pillar or "", "")])
    return {"folders": list(folders), "initiatives": list(initiatives),
            "initiatives_en": [english[text] for text in initiatives], "rows": rows}


def _split_iri(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    return iri[:cut], iri[cut:]


def render_map(plan: Plan, scope: MapScope | None = None, seed: int = SEED,
               rows_file: str | None = None, context: MapContext | None = None) -> str:
    """The HTML page of one map (whole plan by default); deterministic.

    The page is self-contained except for its rows' texts, which it loads on demand from
    the side file `rows_file` (default `<scope slug>.rows.js`) beside it (`render_rows`).
    """
    return _render(plan, scope or map_scopes(plan)[0], seed, rows_file, context=context)[0]


def render_rows(plan: Plan, scope: MapScope | None = None, seed: int = SEED) -> str:
    """The side file of one map: a script that hands the page its rows' texts.

    It is a script, not JSON, because a page opened from a file may not fetch() another
    file (Chromium refuses), but may load a script beside it. The data is JSON with `<`,
    `>` and `&` escaped (`script_json`), registered under its content key.
    """
    return _render(plan, scope or map_scopes(plan)[0], seed, None)[1]


def _render(plan: Plan, scope: MapScope, seed: int, rows_file: str | None,
            positions: dict[Any, tuple[int, int]] | None = None,
            context: MapContext | None = None) -> tuple[str, str]:
    data, side = _map_content(plan, scope, seed, rows_file, positions, context)
    vis_dir = _vis_dir()
    page = (ASSETS / "map.html").read_text(encoding="utf-8")
    title = f"協働ネットワーク — {scope.title_ja} / Collaboration network — {scope.title_en}"
    parts = {
        "@TITLE@": html_lib.escape(title),
        "@VIS_CSS@": _inline_safe((vis_dir / "vis-network.css").read_text(encoding="utf-8")),
        "@MAP_CSS@": _inline_safe((ASSETS / "map.css").read_text(encoding="utf-8")),
        "@VIS_JS@": _inline_safe((vis_dir / "vis-network.min.js").read_text(encoding="utf-8")),
        "@MAP_JS@": _inline_safe((ASSETS / "map.js").read_text(encoding="utf-8")),
        "@DATA@": script_json(data),
    }
    rows_js = (
        f"// The row texts of the collaboration map {script_json(scope.slug)} (welfare-kg),\n"
        "// loaded by the map page when it first shows rows. Generated: do not edit.\n"
        "(window.welfareMapRows = window.welfareMapRows || {})"
        f"[{script_json(data['rows']['key'])}] = {script_json(side)};\n"
    )
    return fill_template(page, parts), rows_js


def fill_template(template: str, parts: dict[str, str]) -> str:
    """`template` with every marker (a key of `parts`) replaced by its text, in one pass.

    Each marker must occur exactly once. The inserted texts are never searched again, so a
    value that happens to contain a marker string (a pillar named `@MAP_JS@`) stays as text.

    >>> fill_template("<a>@X@</a><b>@Y@</b>", {"@X@": "@Y@", "@Y@": "y"})
    '<a>@Y@</a><b>y</b>'
    """
    for marker in parts:
        count = template.count(marker)
        if count != 1:
            raise RuntimeError(f"map template has {count} of {marker}, not one")
    pattern = re.compile("|".join(re.escape(m) for m in sorted(parts, key=len, reverse=True)))
    return pattern.sub(lambda m: parts[m.group(0)], template)


def write_map(plan: Plan, path: Path, scope: MapScope | None = None, seed: int = SEED,
              positions: dict[Any, tuple[int, int]] | None = None,
              context: MapContext | None = None) -> Path:
    """Write one map page to `path` and its rows to `<stem>.rows.js` beside it (each
    atomically, the rows first, so a page never names a side file not yet there); return
    the page's path."""
    path = Path(path)
    rows_path = path.with_name(path.stem + ROWS_SUFFIX)
    page, rows_js = _render(plan, scope or map_scopes(plan)[0], seed, rows_path.name, positions,
                            context)
    write_text(rows_path, rows_js)
    write_text(path, page)
    return path


def write_maps(plan: Plan, out_dir: Path, seed: int = SEED,
               context: MapContext | None = None) -> list[Path]:
    """Write the whole-plan map and one map per pillar into `out_dir` (each page with its
    `.rows.js` side file); return the pages' paths. `context`: names, drill-down pages and
    handout text (`MapContext`, `map_context(store)`)."""
    out_dir = Path(out_dir)
    positions = whole_plan_positions(plan, seed)  # laid out once, shared by every map
    return [write_map(plan, out_dir / f"{scope.slug}.html", scope, seed, positions, context)
            for scope in map_scopes(plan)]


def script_json(data: Any) -> str:
    """JSON safe to place inside a `<script>` element: no `<`, `>`, `&`, line separators.

    >>> script_json({"a": "</script><b>&"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _inline_safe(code: str) -> str:
    # A library file must not be able to close the element it is inlined into.
    return code.replace("</script", "<\\/script").replace("</style", "<\\/style")


def _vis_dir() -> Path:
    """vis-network as pyvis ships it, found without importing pyvis."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: the maps inline its copy of vis-network")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "lib" / "vis-9.1.2"


def _type_colors(G: nx.Graph) -> dict[str, str]:
    colors = dict(TYPE_COLORS)
    others = sorted({d.get("type", "") for _, d in G.nodes(data=True)} - set(colors))
    for i, t in enumerate(others):
        colors[t] = _OTHER_COLORS[i % len(_OTHER_COLORS)]
    return colors


def _layout(G: nx.Graph, seed: int) -> dict[Any, tuple[int, int]]:
    """Final node positions in page pixels (at zoom 1); the page draws them as they are.

    Each connected component is laid out on its own (a seeded spring layout, links pulled
    by the log of their weight, scaled to a readable link length), then pushed apart until
    no two nodes' boxes overlap, a box being the disc with its label under it (`_box`, room
    for the Japanese name and for the English one as the page wraps it); the components
    are then packed in rows, largest first, into a rectangle about as wide as a screen. The
    same graph and seed give the same positions, and the browser has nothing left to move.
    """
    if len(G) == 0:
        return {}
    radius = _radii(G)
    boxes = {v: _box(G.nodes[v], radius[v], str(v)) for v in G}
    order = {v: i for i, v in enumerate(G)}
    components = sorted(
        (sorted(c, key=order.__getitem__) for c in nx.connected_components(G)),
        key=lambda c: (-len(c), order[c[0]]),
    )
    placed = [_component_layout(G.subgraph(c), c, boxes, seed) for c in components]
    return _pack(placed, boxes)


def _radii(G: nx.Graph) -> dict[Any, float]:
    """Each node's drawn radius: vis-network's linear scaling of `value` (weighted degree)
    between NODE_SIZE's bounds, as the page's options ask for."""
    value = {v: G.degree(v, weight="weight") for v in G}
    low, high = min(value.values()), max(value.values())
    small, big = NODE_SIZE
    if high == low:
        return {v: (small + big) / 2 for v in G}
    return {v: small + (big - small) * (value[v] - low) / (high - low) for v in G}


_LINK = 150.0  # px: the median link length of a laid-out component
LABEL_WRAP = 150
"""px: the page wraps English labels at this width (vis-network `widthConstraint`), so a
long English name takes two or three short lines instead of one line across its neighbours."""
_LINE = 19.0  # px: one label line at the page's 15 px font, with vis-network's spacing
_LABEL_GAP = 6.0  # px: vis-network draws a dot's label this far below the disc (and a little)
_GAP = 10.0  # px: clear room kept between two nodes' boxes


@dataclass(frozen=True)
class _Box:
    """The room a node takes around its centre: `half` its width, `up` above, `down` below
    (the disc, then its label under it)."""

    half: float
    up: float
    down: float


def _box(data: dict[str, Any], radius: float, fallback: str) -> _Box:
    """The room of one node in either language: the Japanese name on one line, the English
    name wrapped at LABEL_WRAP (both estimated a little wide, `_label_width`)."""
    ja = _label_width(data.get("name_ja") or fallback)
    lines, en = _wrapped(data.get("name_en") or "", LABEL_WRAP)
    width = max(ja, en)
    return _Box(max(radius, width / 2) + _GAP / 2, radius + _GAP / 2,
                radius + _LABEL_GAP + max(lines, 1) * _LINE + _GAP / 2)


def _wrapped(label: str, width: float) -> tuple[int, float]:
    """(lines, widest line) of `label` wrapped at spaces to `width` px, as the page wraps it;
    a word wider than `width` keeps its own line."""
    lines: list[str] = []
    for word in label.split():
        if lines and _label_width(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return len(lines), max((_label_width(line) for line in lines), default=0.0)


def _component_layout(C: nx.Graph, nodes: list[Any], boxes: dict[Any, _Box],
                      seed: int) -> dict[Any, tuple[float, float]]:
    import numpy as np

    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    H = nx.Graph()
    H.add_nodes_from(nodes)  # a copy in a fixed order, so G is left as it is
    H.add_edges_from((u, v, {"pull": 1 + math.log(w)})
                     for u, v, w in C.edges(data="weight", default=1))
    pos = nx.spring_layout(H, weight="pull", seed=seed, iterations=200)
    xy = np.array([pos[v] for v in nodes], dtype=float)
    lengths = [float(np.linalg.norm(pos[u] - pos[v])) for u, v in H.edges]
    median = sorted(lengths)[len(lengths) // 2] if lengths else 1.0
    xy *= _LINK / max(median, 1e-9)
    # each box as a centre and half sizes: the disc's centre moves with its box
    shift = np.array([[0.0, (boxes[v].down - boxes[v].up) / 2] for v in nodes])
    half = np.array([[boxes[v].half, (boxes[v].up + boxes[v].down) / 2] for v in nodes])
    xy = _separate(xy + shift, half) - shift
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, xy, strict=True)}


def _separate(xy, half, rounds: int = 400):
    """Push overlapping boxes (centres `xy`, half sizes `half`) apart until none overlap (or
    `rounds` is used up): each overlapping pair along the axis it overlaps least on, by half
    the overlap on either side."""
    import numpy as np

    n = len(xy)
    need = half[:, None, :] + half[None, :, :]
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    index = np.arange(n)
    fallback = np.sign(index[:, None] - index[None, :]).astype(float)  # coincident centres
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        over = need - np.abs(delta)
        hit = upper & (over[..., 0] > 0) & (over[..., 1] > 0)
        if not hit.any():
            break
        axis = np.argmin(over, axis=2)  # symmetric: the same axis for (i, j) and (j, i)
        amount = np.where(hit, np.take_along_axis(over, axis[..., None], 2)[..., 0] + 1.0, 0.0)
        amount = amount + amount.T
        along = np.take_along_axis(delta, axis[..., None], 2)[..., 0]
        sign = np.where(np.abs(along) > 1e-6, np.sign(along), fallback)
        push = 0.5 * amount * sign
        xy = xy + np.stack([np.where(axis == 0, push, 0.0).sum(axis=1),
                            np.where(axis == 1, push, 0.0).sum(axis=1)], axis=1)
    return xy


def _label_width(label: str) -> float:
    """Rough width in px of a label drawn at the page's 15 px font, a little wide on purpose:
    wide (CJK) characters take a full em, capitals 10 px, other characters 8 px."""
    import unicodedata

    return sum(15.0 if unicodedata.east_asian_width(ch) in "WF" else 10.0 if ch.isupper()
               else 8.0 for ch in label)


def _pack(placed: list[dict[Any, tuple[float, float]]],
          boxes: dict[Any, _Box]) -> dict[Any, tuple[int, int]]:
    """Components side by side in rows (largest first), about 16:10 overall; each takes the
    box its nodes and labels need."""
    frames = []
    for part in placed:
        left = min(x - boxes[v].half for v, (x, _) in part.items())
        top = min(y - boxes[v].up for v, (_, y) in part.items())
        right = max(x + boxes[v].half for v, (x, _) in part.items())
        bottom = max(y + boxes[v].down for v, (_, y) in part.items())
        frames.append((left, top, right - left, bottom - top))
    area = sum(w * h for _, _, w, h in frames)
    width = max(max(w for _, _, w, _ in frames), math.sqrt(area * 1.6))
    out: dict[Any, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for part, (left, top, w, h) in zip(placed, frames, strict=True):
        if x > 0 and x + w > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for v, (vx, vy) in part.items():
            out[v] = (round(vx - left + x), round(vy - top + y))
        x += w
        row_height = max(row_height, h)
    return out


# Names every JavaScript object inherits: the page keys plain objects by node id, so a body
# whose IRI ends in one of them gets another id.
_JS_OBJECT_NAMES = frozenset({
    "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
    "__lookupSetter__", "constructor", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
})


def _refs(G: nx.Graph) -> dict[Any, str]:
    """Short, unique, URL-friendly node ids: the IRI's last segment."""
    refs: dict[Any, str] = {}
    taken: set[str] = set(_JS_OBJECT_NAMES)
    for v in G:
        base = str(v).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "node"
        ref, i = base, 1
        while ref in taken:
            i += 1
            ref = f"{base}-{i}"
        taken.add(ref)
        refs[v] = ref
    return refs
