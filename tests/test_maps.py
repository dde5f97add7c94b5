"""The map pages as files: self-contained, deterministic, escaped, and true to the network."""

from __future__ import annotations

import argparse
import copy
import html as html_lib
import json
import re
import shutil
from pathlib import Path

import pytest
from city_plan import city_plan
from viz_fixtures import P1, P2, hostile_plan, small_plan

from welfare_kg.commands import charts as charts_command
from welfare_kg.commands import maps as maps_command
from welfare_kg.commands import metrics as metrics_command
from welfare_kg.viz.maps import (
    ASSETS,
    NODE_SIZE,
    build_pyvis,
    fill_template,
    map_data,
    map_scopes,
    render_map,
    render_rows,
    rows_data,
    vis_data,
    whole_plan_positions,
    write_map,
    write_maps,
)
from welfare_kg.viz.network import collaboration_network
from welfare_kg.viz.plan import Body, Initiative, Participation, Pillar, Plan, PlanRow

MINI = Path(__file__).parent / "data" / "mini-graph.trig"


def embedded_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert found, "no data block"
    return json.loads(found.group(1))


def side_data(rows_js: str) -> tuple[str, dict]:
    """(key, data) of a `.rows.js` side file: one assignment of JSON under its key."""
    found = re.fullmatch(r'(?://[^\n]*\n)*\(window\.welfareMapRows = window\.welfareMapRows \|\| '
                         r'\{\}\)\["([0-9a-f]{16})"\] = (\{.*\});\n', rows_js, re.S)
    assert found, "not a rows side file"
    return found.group(1), json.loads(found.group(2))


def row_iris(side: dict, numbers: list[int]) -> list[str]:
    return [side["folders"][side["rows"][i][0]] + side["rows"][i][1] for i in numbers]


def test_one_map_for_the_whole_plan_and_one_per_pillar(tmp_path) -> None:
    paths = write_maps(small_plan(), tmp_path)
    assert [p.name for p in paths] == ["whole-plan.html", "pillar-1.html", "pillar-2.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # each page with its rows beside it
        "pillar-1.html", "pillar-1.rows.js", "pillar-2.html", "pillar-2.rows.js",
        "whole-plan.html", "whole-plan.rows.js"]
    assert [s.pillar for s in map_scopes(small_plan())] == [None, P1, P2]


@pytest.mark.parametrize("scope", map_scopes(small_plan()), ids=lambda s: s.slug)
def test_map_shows_the_network_nodes_and_edges(scope) -> None:
    plan = small_plan()
    G = collaboration_network(plan, pillar=scope.pillar)
    data = embedded_data(render_map(plan, scope))
    assert len(data["nodes"]) == G.number_of_nodes()
    assert len(data["edges"]) == G.number_of_edges()
    assert {n["iri"] for n in data["nodes"]} == set(G)
    iri = {n["id"]: n["iri"] for n in data["nodes"]}
    side = rows_data(plan, scope)
    for e, rows in zip(data["edges"], side["edges"], strict=True):
        edge = G.edges[iri[e["from"]], iri[e["to"]]]
        assert e["value"] == edge["weight"] == sum(e["counts"])
        assert row_iris(side, rows) == list(edge["rows"])
    for n, rows in zip(data["nodes"], side["nodes"], strict=True):
        assert row_iris(side, rows) == list(G.nodes[n["iri"]]["rows"])
        assert sum(n["counts"]) == len(rows)
    assert len(data["pillars"]) + 1 == len(data["nodes"][0]["counts"])
    assert data["figures"]["links"] == G.number_of_edges()


def test_node_size_is_weighted_degree_and_ids_are_short() -> None:
    data = embedded_data(render_map(small_plan()))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["p"]["value"] == 5 and nodes["y"]["value"] == 0
    assert nodes["d1"]["label"] == "高齢・障害支援課"
    assert nodes["d1"]["name_en"] == "Elderly and Disability Support Division"
    assert [t["key"] for t in data["types"]] == [
        "WardOfficeDivision", "CommunityCarePlaza", "SocialWelfareCouncil", "PartnerOrganization"]


def test_tooltip_data_names_rows_and_initiatives() -> None:
    data = embedded_data(render_map(small_plan()))
    key, side = side_data(render_rows(small_plan()))
    assert data["rows"] == {"file": "whole-plan.rows.js", "key": key, "count": 6}
    at = next(i for i, e in enumerate(data["edges"]) if {e["from"], e["to"]} == {"d1", "p"})
    rows = [side["rows"][i] for i in side["edges"][at]]
    assert [r[2] for r in rows] == ["・r1 の実施（講座）", "・r2 の実施（講座）"]
    assert side["initiatives"][rows[0][3]] == "認知症に関する正しい知識の普及啓発を行います。"
    # The English title beside each (data/initiatives.yaml); empty where there is none.
    assert side["initiatives_en"][rows[0][3]] == "Spread accurate knowledge about dementia."
    english = dict(zip(side["initiatives"], side["initiatives_en"], strict=True))
    assert english["見守りの仕組みをつくります。"] == ""
    assert [r[4] for r in rows] == ["1", "1"]  # pillar keys, for the pillar filter
    r6 = next(r for r in side["rows"] if r[1] == "r6")
    assert r6[3] == -1  # no initiative


def test_row_texts_live_in_the_side_file_not_the_page() -> None:
    plan = small_plan()
    html, rows_js = render_map(plan), render_rows(plan)
    for row in plan.rows.values():
        assert row.text not in html and row.text in rows_js
    assert "認知症に関する正しい知識" not in html
    assert rows_js.count("認知症に関する正しい知識の普及啓発を行います。") == 1  # written once


def test_page_size_does_not_grow_with_the_rows() -> None:
    """Five years of a city's rows make the same page as one year: the texts are on the side."""
    one, five = (city_plan(wards=3, years=y) for y in (1, 5))
    pages = [render_map(p) for p in (one, five)]
    data = [embedded_data(page) for page in pages]
    assert len(data[1]["nodes"]) == len(data[0]["nodes"]) == 54
    assert data[1]["rows"]["count"] == 5 * data[0]["rows"]["count"]
    assert len(pages[1]) < 1.02 * len(pages[0])
    assert len(render_rows(five)) > 4 * len(render_rows(one))


def test_write_map_puts_the_side_file_beside_the_page(tmp_path) -> None:
    page = write_map(small_plan(), tmp_path / "my map #1.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my map #1.html", "my map #1.rows.js"]
    data = embedded_data(page.read_text(encoding="utf-8"))
    assert data["rows"]["file"] == "my%20map%20%231.rows.js"  # a URL relative to the page
    key, _ = side_data((tmp_path / "my map #1.rows.js").read_text(encoding="utf-8"))
    assert key == data["rows"]["key"]
    # another plan's side file has another key, so the page does not misread it
    assert side_data(render_rows(hostile_plan()))[0] != key


def test_positions_are_final_and_discs_do_not_overlap() -> None:
    plan = city_plan(wards=4, years=1)
    data = embedded_data(render_map(plan))
    assert data == embedded_data(render_map(plan))
    small, big = NODE_SIZE
    values = [n["value"] for n in data["nodes"]]
    low, high = min(values), max(values)
    nodes = [(n["x"], n["y"], small + (big - small) * (n["value"] - low) / (high - low))
             for n in data["nodes"]]
    for i, (x1, y1, r1) in enumerate(nodes):
        for x2, y2, r2 in nodes[i + 1:]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2
    xs, ys = [n[0] for n in nodes], [n[1] for n in nodes]
    assert 1 <= (max(xs) - min(xs)) / (max(ys) - min(ys)) <= 3  # packed, not a long line


def names_plan() -> Plan:
    """Bodies whose IRIs end in names every JavaScript object has."""
    ex = "https://example.org/wk/"
    names = ["__proto__", "constructor", "toString"]
    return Plan.from_tables(
        bodies=[Body(f"{ex}body/{n}", n, n, "WardOfficeDivision") for n in names],
        rows=[PlanRow(f"{ex}row/1", "行", pillar=P1, order=1)],
        participations=[Participation(f"{ex}row/1", f"{ex}body/{n}") for n in names],
        pillars=[Pillar(P1, 1, "柱", "Pillar")],
    )


def test_node_ids_never_shadow_javascript_object_names() -> None:
    data = embedded_data(render_map(names_plan()))
    assert sorted(n["id"] for n in data["nodes"]) == ["__proto__-2", "constructor-2",
                                                      "toString-2"]
    assert sorted(n["label"] for n in data["nodes"]) == ["__proto__", "constructor", "toString"]


def test_the_city_plan_has_a_city_s_shape() -> None:
    plan = city_plan()
    G = collaboration_network(plan)
    assert (len(plan.bodies), G.number_of_nodes(), G.number_of_edges(), len(plan.rows)) == (
        324, 324, 684, 20_070)
    assert city_plan(wards=2, years=1) == city_plan(wards=2, years=1)
    assert city_plan(wards=2, years=1, seed=1) != city_plan(wards=2, years=1)


def test_page_is_self_contained() -> None:
    html = render_map(small_plan())
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link[^>]*href=", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html, re.I)
    assert "vis.Network" in html and "welfareMap" in html
    assert "content=\"default-src 'none';" in html  # the browser itself refuses any fetch


def test_same_input_gives_the_same_page() -> None:
    assert render_map(small_plan()) == render_map(small_plan())


def test_rendering_does_not_mutate_the_graph() -> None:
    G = collaboration_network(small_plan())
    before = (copy.deepcopy(list(G.nodes(data=True))), copy.deepcopy(list(G.edges(data=True))))
    build_pyvis(G)
    assert (list(G.nodes(data=True)), list(G.edges(data=True))) == before


def test_the_maps_data_is_what_pyvis_would_give() -> None:
    G = collaboration_network(small_plan())
    positions = whole_plan_positions(small_plan())
    net = build_pyvis(G, positions=positions)
    nodes, edges = vis_data(G, positions=positions)
    assert nodes == net.nodes
    assert edges == net.edges


def test_writing_the_maps_does_not_import_pyvis(tmp_path: Path) -> None:
    """pyvis brings IPython (a tenth of a second); the maps need only its vis-network copy."""
    import os
    import subprocess
    import sys

    code = ("import sys; from viz_fixtures import small_plan; "
            "from welfare_kg.viz.maps import write_maps; "
            f"write_maps(small_plan(), {str(tmp_path)!r}); "
            "print(sorted(m for m in ('pyvis', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
                         check=True)
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "whole-plan.html").is_file()


def test_markup_in_the_data_is_escaped() -> None:
    html, rows_js = render_map(hostile_plan()), render_rows(hostile_plan())
    for text in (html, rows_js):
        assert "<script>window.__pwned" not in text
        assert "<img src=x" not in text
        assert "</script><b>" not in text
        assert "<i>1</i>" not in text
    data = embedded_data(html)  # the data survives intact as data
    names = {n["label"] for n in data["nodes"]}
    assert '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">' in names
    _, side = side_data(rows_js)
    assert side["rows"][0][2].startswith("<script>window.__pwned = 1</script><img src=x")


MARKERS = ["@TITLE@", "@VIS_CSS@", "@MAP_CSS@", "@VIS_JS@", "@MAP_JS@", "@DATA@"]


def marker_plan() -> Plan:
    """Every name carries every template marker and a `</script>`."""
    all_markers = " ".join(MARKERS) + " </script></style>"
    ex = "https://example.org/wk/"
    return Plan.from_tables(
        bodies=[
            Body(f"{ex}body/a", "課 " + all_markers, "Division " + all_markers,
                 "WardOfficeDivision"),
            Body(f"{ex}body/b", "@MAP_JS@", "@DATA@", "CommunityCarePlaza"),
        ],
        rows=[PlanRow(f"{ex}row/1", "行 " + all_markers, pillar=P1, order=1,
                      initiative=f"{ex}initiative/1")],
        participations=[Participation(f"{ex}row/1", f"{ex}body/a"),
                        Participation(f"{ex}row/1", f"{ex}body/b")],
        pillars=[Pillar(P1, 1, "@MAP_JS@ " + all_markers, "@TITLE@ " + all_markers)],
        initiatives=[Initiative(f"{ex}initiative/1", "取組 " + all_markers)],
    )


@pytest.mark.parametrize("which", [0, 1], ids=["whole-plan", "pillar-1"])
def test_marker_strings_in_the_data_stay_text(which) -> None:
    plan = marker_plan()
    scope = map_scopes(plan)[which]
    html = render_map(plan, scope)
    map_js = (ASSETS / "map.js").read_text(encoding="utf-8")
    assert html.count(map_js) == 1  # the page's code once, in its own element, at the end
    assert html.index(map_js) > html.index('<script type="application/json" id="map-data">')
    plain = render_map(small_plan())  # the data adds no element: same tags as a plain page
    for tag in ("<script", "</script", "<style", "</style", "<title", "</title"):
        assert html.count(tag) == plain.count(tag), tag
    for marker in MARKERS:  # every placeholder was filled
        assert f">{marker}<" not in html, marker
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert ("@MAP_JS@" in title) == (scope.pillar is not None)  # the pillar's name
    assert "vis.Network" not in title and "welfareMap" not in title
    assert html_lib.unescape(title) == (
        f"協働ネットワーク — {scope.title_ja} / Collaboration network — {scope.title_en}")
    assert embedded_data(html) == map_data(plan, scope)  # the data arrives whole, as data
    assert side_data(render_rows(plan, scope))[1] == rows_data(plan, scope)
    assert html.endswith("</script>\n</body>\n</html>\n")


def test_fill_template_replaces_each_marker_once_in_one_pass() -> None:
    page = fill_template("<t>@A@</t><s>@B@</s>", {"@A@": "@B@ @A@", "@B@": "@A@"})
    assert page == "<t>@B@ @A@</t><s>@A@</s>"
    with pytest.raises(RuntimeError, match="@C@"):
        fill_template("@A@", {"@A@": "", "@C@": ""})
    with pytest.raises(RuntimeError, match="@A@"):
        fill_template("@A@@A@", {"@A@": ""})


def test_map_data_is_plain_json() -> None:
    data = map_data(small_plan(), map_scopes(small_plan())[0])
    assert json.loads(json.dumps(data)) == data
    assert data["pillars"][0] == {"key": "1", "ja": "健やかに過ごせるまち",
                                  "en": "A town where people live healthily"}


# -- the commands, in-process, on a build directory holding the mini graph ---------------

@pytest.fixture
def build_dir(tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(MINI, out / "welfare-kg.trig")
    return out


@pytest.mark.parametrize(
    ("command", "folder", "expected"),
    [(maps_command, "maps", {"whole-plan.html", "pillar-1.html", "pillar-2.html",
                             "pillar-3.html"}),
     (metrics_command, "metrics", {"report.md", "networks.csv"}),
     (charts_command, "charts", {"status-by-pillar.png", "status-by-pillar.svg"})],
    ids=["maps", "metrics", "charts"],
)
def test_command_writes_from_the_build(command, folder, expected, build_dir, capsys) -> None:
    args = argparse.Namespace(out_dir=build_dir, output=None, chart_formats="svg,png")
    assert command.run(args) == 0
    written = {p.name for p in (build_dir / folder).iterdir()}
    assert expected <= written
    assert str(build_dir / folder) in capsys.readouterr().out


@pytest.mark.parametrize("command", [maps_command, metrics_command, charts_command],
                         ids=["maps", "metrics", "charts"])
def test_command_has_help(command, capsys) -> None:
    parser = argparse.ArgumentParser(prog="welfare-kg")
    command.add_parser(parser.add_subparsers(dest="command"))
    name = command.__name__.rsplit(".", 1)[-1]
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([name, "--help"])
    assert exit_info.value.code == 0
    assert "OUT_DIR" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["maps", "metrics", "charts"])
@pytest.mark.parametrize("where", ["existing-file", "file-as-parent", "proc"])
def test_an_unusable_output_folder_is_one_line_and_exit_2(command, where, build_dir, tmp_path,
                                                          capsys) -> None:
    from welfare_kg.cli import main

    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    if where == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc")
        target, reason = Path("/proc/x"), "No such file or directory"
    else:
        target = a_file if where == "existing-file" else a_file / "sub"
        reason = "File exists" if where == "existing-file" else "Not a directory"
    code = main([command, "-o", str(target), "--out-dir", str(build_dir)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == (
        f"welfare-kg {command}: error: {target}: cannot create the output folder: {reason}\n")
    assert "Traceback" not in captured.err and captured.out == ""
    assert a_file.read_text(encoding="utf-8") == "not a folder\n"
    assert sorted(p.name for p in build_dir.iterdir()) == ["welfare-kg.trig"]  # checked first


@pytest.mark.parametrize(("command", "name"), [
    ("maps", "pillar-1.html"), ("metrics", "report.md"), ("charts", "status-by-pillar.svg")])
def test_a_file_that_cannot_be_written_is_one_line_and_exit_2(command, name, build_dir,
                                                              tmp_path, capsys) -> None:
    from welfare_kg.cli import main

    target = tmp_path / "target"
    (target / name).mkdir(parents=True)  # a folder where an output file goes
    code = main([command, "-o", str(target), "--out-dir", str(build_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"welfare-kg {command}: error: {target / name}")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", ["maps", "metrics", "charts"])
def test_the_output_folder_and_its_parents_are_created(command, build_dir, tmp_path,
                                                       capsys) -> None:
    from welfare_kg.cli import main

    target = tmp_path / "new" / "nested"
    assert main([command, "-o", str(target), "--out-dir", str(build_dir)]) == 0
    assert target.is_dir() and any(target.iterdir())
    assert capsys.readouterr().err == ""


def test_maps_output_option(build_dir, tmp_path) -> None:
    target = tmp_path / "elsewhere"
    assert maps_command.run(argparse.Namespace(out_dir=build_dir, output=target)) == 0
    assert (target / "whole-plan.html").is_file()


def test_an_empty_graph_gives_an_empty_map_and_no_crash(tmp_path) -> None:
    from pyoxigraph import Store

    from welfare_kg.viz import write_all

    paths = write_all(Store(), tmp_path)
    assert {p.parent.name for p in paths} == {"maps", "metrics", "charts"}
    data = embedded_data((tmp_path / "maps" / "whole-plan.html").read_text(encoding="utf-8"))
    assert (data["nodes"], data["edges"]) == ([], [])
    _, side = side_data((tmp_path / "maps" / "whole-plan.rows.js").read_text(encoding="utf-8"))
    assert side == {"folders": [], "initiatives": [], "initiatives_en": [], "rows": [],
                    "nodes": [], "edges": []}


def test_maps_command_writes_the_same_files_twice(build_dir, tmp_path) -> None:
    for target in ("a", "b"):
        maps_command.run(argparse.Namespace(out_dir=build_dir, output=tmp_path / target))
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_a_body_stays_where_it_is_when_the_reader_switches_pillar() -> None:
    """Every map places a body where the whole-plan map does (issue 12: same positions)."""
    from welfare_kg.viz.maps import map_scopes

    plan = city_plan(wards=2, years=1)
    scopes = map_scopes(plan)
    where = {}
    for scope in scopes:
        for node in map_data(plan, scope)["nodes"]:
            where.setdefault(node["iri"], set()).add((node["x"], node["y"]))
    assert len(scopes) > 1 and all(len(places) == 1 for places in where.values())
