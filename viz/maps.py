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

import html as html_lib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from welfare_kg.fileio import write_text

from .metrics import SEED, summary
from .network import collaboration_network
from .plan import Plan, type_label, type_rank

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = [
    "TYPE_COLORS",
    "MapScope",
    "build_pyvis",
    "map_data",
    "map_scopes",
    "render_map",
    "render_rows",
    "rows_data",
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
    """A pyvis `Network` of the collaboration graph `G` (left unchanged).

    Nodes carry colour by type, `value` = weighted degree, their final position (`positions`,
    e.g. the whole plan's layout for a pillar's map, else `_layout` of `G`);
    edges carry `value` = weight. Data fields the page needs (`iri`, `type`, `name_en`,
    `rows`) ride along as extra node and edge options.
    """
    from pyvis.edge import Edge
    from pyvis.network import Network

    net = Network(height="100%", width="100%", cdn_resources="in_line")
    colors = _type_colors(G)
    positions = positions if positions is not None else _layout(G, seed)
    refs = _refs(G)
    for v, data in G.nodes(data=True):
        x, y = positions[v]
        net.add_node(
            refs[v],
            label=data.get("name_ja") or str(v),
            color=colors[data.get("type", "")],
            value=G.degree(v, weight="weight"),
            x=x,
            y=y,
            iri=str(v),
            type=data.get("type", ""),
            name_en=data.get("name_en", ""),
            rows=list(data.get("rows", ())),
        )
    # `Network.add_edge` scans every edge for a duplicate (quadratic); a networkx Graph has
    # none, so the edges are made the way add_edge makes them, without the scan.
    for u, v, data in G.edges(data=True):
        edge = Edge(refs[u], refs[v], False, value=data.get("weight", 1),
                    rows=list(data.get("rows", ())))
        net.edges.append(edge.options)
    return net


def map_data(plan: Plan, scope: MapScope, seed: int = SEED,
             rows_file: str | None = None) -> dict[str, Any]:
    """What the page itself carries, as plain JSON-ready data (see `_map_content`)."""
    return _map_content(plan, scope, seed, rows_file)[0]


def rows_data(plan: Plan, scope: MapScope, seed: int = SEED) -> dict[str, Any]:
    """What the map's side file carries: its rows' texts and which rows each body and link
    has (see `_map_content`)."""
    return _map_content(plan, scope, seed, None)[1]


def whole_plan_positions(plan: Plan, seed: int = SEED) -> dict[Any, tuple[int, int]]:
    """The position of every body on the whole-plan map, which every map of the plan uses."""
    return _layout(collaboration_network(plan), seed)


def _map_content(plan: Plan, scope: MapScope, seed: int, rows_file: str | None,
                 positions: dict[Any, tuple[int, int]] | None = None,
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
    net = build_pyvis(G, seed, positions)
    pillars = [p for p in plan.pillars.values() if scope.pillar is None or p.iri == scope.pillar]
    slot = {p.iri: i for i, p in enumerate(pillars)}
    rank = {r: i for i, r in enumerate(plan.rows)}
    used = sorted({r for n in net.nodes for r in n["rows"]}, key=rank.__getitem__)
    number = {r: i for i, r in enumerate(used)}

    def counts(rows: list[str]) -> list[int]:
        found = [0] * (len(pillars) + 1)
        for r in rows:
            found[slot.get(plan.rows[r].pillar or "", len(pillars))] += 1
        return found

    nodes = [
        {
            "id": n["id"], "label": n["label"], "color": n["color"], "value": n["value"],
            "x": n["x"], "y": n["y"], "iri": n["iri"], "type": n["type"],
            "name_en": n["name_en"], "counts": counts(n["rows"]),
        }
        for n in net.nodes
    ]
    edges = [
        {"id": f"e{i + 1}", "from": e["from"], "to": e["to"], "value": e["value"],
         "counts": counts(e["rows"])}
        for i, e in enumerate(net.edges)
    ]
    side = _rows_table(plan, used)
    side["nodes"] = [[number[r] for r in n["rows"]] for n in net.nodes]
    side["edges"] = [[number[r] for r in e["rows"]] for e in net.edges]
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
        "node_size": {"min": NODE_SIZE[0], "max": NODE_SIZE[1]},
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


def _rows_table(plan: Plan, used: list[str]) -> dict[str, Any]:
    """The rows' texts, their IRIs split into shared folders and last segments, and their
    initiatives each written once."""
    pillar_key = {p.iri: str(p.number) for p in plan.pillars.values()}
    folders: dict[str, int] = {}
    initiatives: dict[str, int] = {}
    rows = []
    for iri in used:
        row = plan.rows[iri]
        folder, local = _split_iri(iri)
        initiative = plan.initiatives.get(row.initiative) if row.initiative else None
        ini = -1
        if initiative is not None:
            ini = initiatives.setdefault(initiative.text, len(initiatives))
        rows.append([folders.setdefault(folder, len(folders)), local, row.text, ini,
                     pillar_key.get(row.pillar or "", "")])
    return {"folders": list(folders), "initiatives": list(initiatives), "rows": rows}


def _split_iri(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    return iri[:cut], iri[cut:]


def render_map(plan: Plan, scope: MapScope | None = None, seed: int = SEED,
               rows_file: str | None = None) -> str:
    """The HTML page of one map (whole plan by default); deterministic.

    The page is self-contained except for its rows' texts, which it loads on demand from
    the side file `rows_file` (default `<scope slug>.rows.js`) beside it (`render_rows`).
    """
    return _render(plan, scope or map_scopes(plan)[0], seed, rows_file)[0]


def render_rows(plan: Plan, scope: MapScope | None = None, seed: int = SEED) -> str:
    """The side file of one map: a script that hands the page its rows' texts.

    It is a script, not JSON, because a page opened from a file may not fetch() another
    file (Chromium refuses), but may load a script beside it. The data is JSON with `<`,
    `>` and `&` escaped (`script_json`), registered under its content key.
    """
    return _render(plan, scope or map_scopes(plan)[0], seed, None)[1]


def _render(plan: Plan, scope: MapScope, seed: int, rows_file: str | None,
            positions: dict[Any, tuple[int, int]] | None = None) -> tuple[str, str]:
    data, side = _map_content(plan, scope, seed, rows_file, positions)
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
              positions: dict[Any, tuple[int, int]] | None = None) -> Path:
    """Write one map page to `path` and its rows to `<stem>.rows.js` beside it (each
    atomically, the rows first, so a page never names a side file not yet there); return
    the page's path."""
    path = Path(path)
    rows_path = path.with_name(path.stem + ROWS_SUFFIX)
    page, rows_js = _render(plan, scope or map_scopes(plan)[0], seed, rows_path.name, positions)
    write_text(rows_path, rows_js)
    write_text(path, page)
    return path


def write_maps(plan: Plan, out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the whole-plan map and one map per pillar into `out_dir` (each page with its
    `.rows.js` side file); return the pages' paths."""
    out_dir = Path(out_dir)
    positions = whole_plan_positions(plan, seed)  # laid out once, shared by every map
    return [write_map(plan, out_dir / f"{scope.slug}.html", scope, seed, positions)
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
    import pyvis

    return Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"


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
    no two nodes' discs (their drawn radius plus room for the label) overlap; the components
    are then packed in rows, largest first, into a rectangle about as wide as a screen. The
    same graph and seed give the same positions, and the browser has nothing left to move.
    """
    if len(G) == 0:
        return {}
    radius = _radii(G)
    order = {v: i for i, v in enumerate(G)}
    components = sorted(
        (sorted(c, key=order.__getitem__) for c in nx.connected_components(G)),
        key=lambda c: (-len(c), order[c[0]]),
    )
    placed = [_component_layout(G.subgraph(c), c, radius, seed) for c in components]
    half_label = {  # the page shows Japanese or English names: room for the longer
        v: max(_label_width(G.nodes[v].get("name_ja") or str(v)),
               _label_width(G.nodes[v].get("name_en") or "")) / 2
        for v in G
    }
    return _pack(placed, radius, half_label)


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
_ROOM = 30.0  # px: room around each disc for its label and a gap


def _component_layout(C: nx.Graph, nodes: list[Any], radius: dict[Any, float],
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
    r = np.array([radius[v] + _ROOM for v in nodes])
    xy = _separate(xy, r)
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, xy, strict=True)}


def _separate(xy, r, rounds: int = 200):
    """Push overlapping discs (centres `xy`, radii `r`) apart, each pair by half its overlap
    on either side, until none overlap (or `rounds` is used up)."""
    import numpy as np

    n = len(xy)
    need = r[:, None] + r[None, :]
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    for i in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2))
        overlap = np.where(upper & (dist < need), need - dist, 0.0)
        if not overlap.any():
            break
        overlap = np.where(overlap > 0, overlap + 1.0, 0.0)  # 1 px more, so pairs end clear
        overlap = overlap + overlap.T
        # coincident centres: part them along a fixed, pair-specific direction
        angle = (np.arange(n)[:, None] * 7 + np.arange(n)[None, :] * 13 + i) % 360
        fallback = np.stack([np.cos(np.radians(angle)), np.sin(np.radians(angle))], axis=2)
        side = np.sign(np.arange(n)[:, None] - np.arange(n)[None, :])[..., None]
        unit = np.where(dist[..., None] > 1e-6, delta / np.maximum(dist, 1e-6)[..., None],
                        fallback * side)
        xy = xy + 0.5 * (overlap[..., None] * unit).sum(axis=1)
    return xy


def _label_width(label: str) -> float:
    """Rough width in px of a label drawn at the page's 15 px font: wide (CJK) characters
    take a full em, others about half."""
    import unicodedata

    return sum(15.0 if unicodedata.east_asian_width(ch) in "WF" else 8.0 for ch in label)


def _pack(placed: list[dict[Any, tuple[float, float]]], radius: dict[Any, float],
          half_label: dict[Any, float]) -> dict[Any, tuple[int, int]]:
    """Components side by side in rows (largest first), about 16:10 overall; each takes the
    box its discs and labels need."""
    boxes = []
    for part in placed:
        pad = {v: radius[v] + _ROOM for v in part}
        wide = {v: max(pad[v], half_label[v] + 10) for v in part}
        left = min(x - wide[v] for v, (x, _) in part.items())
        top = min(y - pad[v] for v, (_, y) in part.items())
        right = max(x + wide[v] for v, (x, _) in part.items())
        bottom = max(y + pad[v] for v, (_, y) in part.items())
        boxes.append((left, top, right - left, bottom - top))
    area = sum(w * h for _, _, w, h in boxes)
    width = max(max(w for _, _, w, _ in boxes), math.sqrt(area * 1.6))
    out: dict[Any, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for part, (left, top, w, h) in zip(placed, boxes, strict=True):
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
