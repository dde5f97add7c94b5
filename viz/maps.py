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


def build_pyvis(G: nx.Graph, seed: int = SEED) -> Network:
    """A pyvis `Network` of the collaboration graph `G` (left unchanged).

    Nodes carry colour by type, `value` = weighted degree, a start position from a seeded
    spring layout; edges carry `value` = weight. Data fields the page needs (`iri`, `type`,
    `name_en`, `rows`) ride along as extra node and edge options.
    """
    from pyvis.edge import Edge
    from pyvis.network import Network

    net = Network(height="100%", width="100%", cdn_resources="in_line")
    colors = _type_colors(G)
    positions = _layout(G, seed)
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


def map_data(plan: Plan, scope: MapScope, seed: int = SEED) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON-ready data."""
    G = collaboration_network(plan, pillar=scope.pillar)
    net = build_pyvis(G, seed)
    row_ids: dict[str, str] = {}
    for data in net.nodes:
        for r in data["rows"]:
            row_ids.setdefault(r, f"r{len(row_ids) + 1}")
    rows = {}
    pillar_key = {p.iri: str(p.number) for p in plan.pillars.values()}
    rank = {r: i for i, r in enumerate(plan.rows)}
    for iri in sorted(row_ids, key=rank.__getitem__):
        row = plan.rows[iri]
        initiative = plan.initiatives.get(row.initiative) if row.initiative else None
        rows[row_ids[iri]] = {
            "iri": iri,
            "text": row.text,
            "initiative": initiative.text if initiative else "",
            "pillar": pillar_key.get(row.pillar or "", ""),
        }
    nodes = [
        {
            "id": n["id"], "label": n["label"], "color": n["color"], "value": n["value"],
            "x": n["x"], "y": n["y"], "iri": n["iri"], "type": n["type"],
            "name_en": n["name_en"], "rows": [row_ids[r] for r in n["rows"]],
        }
        for n in net.nodes
    ]
    edges = [
        {
            "id": f"e{i + 1}", "from": e["from"], "to": e["to"], "value": e["value"],
            "rows": [row_ids[r] for r in e["rows"]],
        }
        for i, e in enumerate(net.edges)
    ]
    types = sorted({n["type"] for n in nodes}, key=lambda t: (type_rank(t), t))
    colors = _type_colors(G)
    pillars = [
        {"key": str(p.number), "ja": p.name_ja, "en": p.name_en}
        for p in plan.pillars.values()
        if scope.pillar is None or p.iri == scope.pillar
    ]
    return {
        "scope": scope.slug,
        "title": {"ja": scope.title_ja, "en": scope.title_en},
        "types": [
            {"key": t, "ja": type_label(t)[0], "en": type_label(t)[1], "color": colors[t]}
            for t in types
        ],
        "pillars": pillars,
        "rows": rows,
        "nodes": nodes,
        "edges": edges,
        "figures": summary(G, seed),
        "seed": seed,
        "maps": [
            {"href": f"{s.slug}.html", "ja": s.title_ja, "en": s.title_en,
             "current": s.slug == scope.slug}
            for s in map_scopes(plan)
        ],
    }


def render_map(plan: Plan, scope: MapScope | None = None, seed: int = SEED) -> str:
    """The self-contained HTML page of one map (whole plan by default); deterministic."""
    scope = scope or map_scopes(plan)[0]
    data = map_data(plan, scope, seed)
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
    return fill_template(page, parts)


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


def write_map(plan: Plan, path: Path, scope: MapScope | None = None, seed: int = SEED) -> Path:
    """Write one map page to `path` (atomically) and return the path."""
    write_text(path, render_map(plan, scope, seed))
    return Path(path)


def write_maps(plan: Plan, out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the whole-plan map and one map per pillar into `out_dir`; return their paths."""
    out_dir = Path(out_dir)
    return [
        write_map(plan, out_dir / f"{scope.slug}.html", scope, seed) for scope in map_scopes(plan)
    ]


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
    if len(G) == 0:
        return {}
    scale = 120 * math.sqrt(len(G))
    pos = nx.spring_layout(G, weight="weight", seed=seed, scale=scale)
    return {v: (round(float(x)), round(float(y))) for v, (x, y) in pos.items()}


def _refs(G: nx.Graph) -> dict[Any, str]:
    """Short, unique, URL-friendly node ids: the IRI's last segment."""
    refs: dict[Any, str] = {}
    taken: set[str] = set()
    for v in G:
        base = str(v).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "node"
        ref, i = base, 1
        while ref in taken:
            i += 1
            ref = f"{base}-{i}"
        taken.add(ref)
        refs[v] = ref
    return refs
