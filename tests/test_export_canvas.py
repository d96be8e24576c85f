"""The canvas export checked against the JSON Canvas 1.0 rules, and laid out readably."""

from __future__ import annotations

import io
import json
import re
from itertools import combinations
from typing import Any

import networkx as nx
import pytest
from graph_samples import paper_graph, synthetic_graph

from vaultbot.export_canvas import block_id, display_width, md_escape
from vaultbot.exporters import ExportOptions, export

NODE_TYPES = {"text", "file", "link", "group"}
SIDES = {"top", "right", "bottom", "left"}
COLOR = re.compile(r"^(?:[1-6]|#[0-9a-fA-F]{6})$")


def canvas_problems(doc: Any) -> list[str]:
    """Return every way ``doc`` breaks JSON Canvas 1.0 (empty when it is valid)."""
    problems: list[str] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes", []), list):
        return ["top level must be an object with a nodes array"]
    nodes, edges = doc.get("nodes", []), doc.get("edges", [])
    ids = [n.get("id") for n in nodes] + [e.get("id") for e in edges]
    if len(ids) != len(set(ids)) or not all(isinstance(i, str) and i for i in ids):
        problems.append("ids must be unique non-empty strings")
    for node in nodes:
        problems += [f"{node.get('id')}: {p}" for p in _node_problems(node)]
    node_ids = {n["id"] for n in nodes}
    for edge in edges:
        if edge.get("fromNode") not in node_ids or edge.get("toNode") not in node_ids:
            problems.append(f"{edge.get('id')}: edge references a missing node")
        for key in ("fromSide", "toSide"):
            if key in edge and edge[key] not in SIDES:
                problems.append(f"{edge['id']}: bad {key}")
        if "color" in edge and not COLOR.match(edge["color"]):
            problems.append(f"{edge['id']}: bad color")
    return problems


def _node_problems(node: dict) -> list[str]:
    out = []
    if node.get("type") not in NODE_TYPES:
        out.append("bad type")
    for key in ("x", "y", "width", "height"):
        if not isinstance(node.get(key), int) or isinstance(node.get(key), bool):
            out.append(f"{key} must be an integer")
    required = {"text": "text", "file": "file", "link": "url"}.get(node.get("type", ""))
    if required and not isinstance(node.get(required), str):
        out.append(f"{node.get('type')} node needs {required}")
    if "color" in node and not COLOR.match(node["color"]):
        out.append("bad color")
    return out


def _canvas(graph: nx.Graph, **options: Any) -> dict:
    stream = io.BytesIO()
    export(graph, "canvas", stream, ExportOptions(**options))
    return json.loads(stream.getvalue().decode("utf-8"))


def _box(node: dict) -> tuple[int, int, int, int]:
    return node["x"], node["y"], node["x"] + node["width"], node["y"] + node["height"]


def _overlap(a: dict, b: dict) -> bool:
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


@pytest.mark.parametrize("graph", [paper_graph(), synthetic_graph(300, topics=7)], ids=["seed", "synthetic"])
def test_canvas_is_valid_json_canvas(graph: nx.Graph) -> None:
    doc = _canvas(graph)
    assert canvas_problems(doc) == []
    cards = [n for n in doc["nodes"] if n["id"].startswith("paper-")]
    assert len(cards) == graph.number_of_nodes()
    assert len(doc["edges"]) == graph.number_of_edges()


def test_validator_catches_what_it_checks() -> None:
    bad = {"nodes": [{"id": "a", "type": "text", "x": 0.5, "y": 0, "width": 1, "height": 1},
                     {"id": "a", "type": "blob", "x": 0, "y": 0, "width": 1, "height": 1, "color": "9"}],
           "edges": [{"id": "e", "fromNode": "a", "toNode": "zz", "fromSide": "up"}]}  # fmt: skip
    problems = canvas_problems(bad)
    assert any("unique" in p for p in problems) and any("x must be" in p for p in problems)
    assert any("missing node" in p for p in problems) and any("bad fromSide" in p for p in problems)
    assert any("bad type" in p for p in problems) and any("bad color" in p for p in problems)
    assert any("needs text" in p for p in problems)


@pytest.mark.parametrize("graph", [paper_graph(), synthetic_graph(300, topics=7)], ids=["seed", "synthetic"])
def test_no_two_nodes_overlap_and_each_group_holds_its_papers(graph: nx.Graph) -> None:
    doc = _canvas(graph)
    groups = [n for n in doc["nodes"] if n["type"] == "group"]
    others = [n for n in doc["nodes"] if n["type"] != "group"]
    assert not [(a["id"], b["id"]) for a, b in combinations(others, 2) if _overlap(a, b)]
    assert not [(a["id"], b["id"]) for a, b in combinations(groups, 2) if _overlap(a, b)]
    by_id = {n["id"]: n for n in doc["nodes"]}
    for node, attrs in graph.nodes(data=True):
        card = by_id[f"paper-{node}"]
        group = by_id[f"topic-{attrs['topic']}"]
        gx0, gy0, gx1, gy1 = _box(group)
        cx0, cy0, cx1, cy1 = _box(card)
        assert gx0 < cx0 and gy0 < cy0 and cx1 < gx1 and cy1 < gy1, (node, group["label"])
        assert card.get("color") == group.get("color")
    for group in groups:  # sized to content: no group is much larger than its cards need
        inside = [c for c in others if _box(group)[0] < c["x"] < _box(group)[2] and _box(group)[1] < c["y"] < _box(group)[3]]
        area = sum(c["width"] * c["height"] for c in inside)
        assert area * 4 > group["width"] * group["height"], group["label"]


def test_groups_are_labelled_topics_and_drawn_below_their_cards() -> None:
    doc = _canvas(paper_graph())
    labels = [n["label"] for n in doc["nodes"] if n["type"] == "group"]
    assert labels == ["Language models", "Vision & video", "Agents", "Other"]
    first_card = next(i for i, n in enumerate(doc["nodes"]) if n["id"].startswith("paper-"))
    assert all(n["type"] != "group" for n in doc["nodes"][first_card:])


def test_card_shows_title_note_block_link_arxiv_link_and_tags() -> None:
    graph = paper_graph()
    doc = _canvas(graph)
    card = next(n for n in doc["nodes"] if n["id"] == "paper-2512.24880")
    assert card["text"].splitlines() == [
        "**mHC: Manifold-Constrained Hyper-Connections**",
        "[arXiv 2512.24880](https://arxiv.org/abs/2512.24880) · [[daily/2026-01#^arxiv-2512-24880|2026-01]]",
        "#cs-cl",
    ]


def test_block_link_only_when_the_note_holds_the_block() -> None:
    graph = paper_graph(2)
    doc = _canvas(graph, block_ids={"daily/2026-01.md": frozenset({"arxiv-2512-22905"})})
    texts = {n["id"]: n.get("text", "") for n in doc["nodes"]}
    assert "[[daily/2026-01|2026-01]]" in texts["paper-2512.24880"]
    assert "[[daily/2026-01#^arxiv-2512-22905|2026-01]]" in texts["paper-2512.22905"]


def test_header_says_how_many_papers_were_left_out() -> None:
    doc = _canvas(synthetic_graph(40), max_nodes=25)
    header = next(n for n in doc["nodes"] if n["id"] == "map-header")
    assert "25 papers" in header["text"] and "15 less-connected papers left out (cap 25)" in header["text"]
    assert sum(n["id"].startswith("paper-") for n in doc["nodes"]) == 25


def test_edges_leave_from_the_side_facing_their_target() -> None:
    doc = _canvas(paper_graph())
    by_id = {n["id"]: n for n in doc["nodes"]}
    for edge in doc["edges"]:
        a, b = by_id[edge["fromNode"]], by_id[edge["toNode"]]
        if edge["fromSide"] == "right":
            assert b["x"] + b["width"] / 2 >= a["x"] + a["width"] / 2
        if edge["fromSide"] == "bottom":
            assert b["y"] + b["height"] / 2 > a["y"] + a["height"] / 2


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a #tag", "a \\#tag"), ("[[x]]", "\\[\\[x\\]\\]"), ("50%% ==hi==", "50\\%\\% \\=\\=hi\\=\\="),
     ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"), ("line\nbreak", "line break"), ("中文", "中文")],
)  # fmt: skip
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


def test_block_id_and_display_width() -> None:
    assert block_id("hep-th/9901001") == "arxiv-hep-th-9901001"
    assert display_width("ab中文") == 6
