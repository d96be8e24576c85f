"""The export registry: filters, the cap, determinism, and the networkx-read formats."""

from __future__ import annotations

import io
import json
from datetime import date

import networkx as nx
import pytest
from graph_samples import paper_graph, synthetic_graph

from vaultbot.exporters import (
    FORMATS,
    ExportOptions,
    export,
    exporters,
    flat_graph,
    paper_date,
    select,
)


def _export(graph: nx.Graph, fmt: str, **options: object) -> bytes:
    stream = io.BytesIO()
    export(graph, fmt, stream, ExportOptions(**options))  # type: ignore[arg-type]
    return stream.getvalue()


def _shuffled_copy(graph: nx.Graph) -> nx.Graph:
    """Return the same graph built in reverse insertion order (nodes, edges, attributes)."""
    out = nx.Graph()
    for node in reversed(list(graph.nodes)):
        out.add_node(node, **dict(reversed(list(graph.nodes[node].items()))))
    for u, v, d in reversed(list(graph.edges(data=True))):
        out.add_edge(v, u, **d)
    return out


def test_registry_lists_every_format() -> None:
    assert sorted(exporters()) == sorted(FORMATS) == ["canvas", "dot", "gexf", "graphml", "html", "json", "mermaid"]


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid: canvas, dot, gexf"):
        export(paper_graph(5), "svg", io.BytesIO())


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_graph_gives_same_bytes_whatever_the_insertion_order(fmt: str) -> None:
    graph = paper_graph()
    assert _export(graph, fmt) == _export(_shuffled_copy(graph), fmt)


def test_tag_filter_keeps_papers_with_any_given_tag() -> None:
    graph = paper_graph()
    kept = select(graph, ExportOptions(tags=("cs-cv", "#cs-cl"))).graph
    expected = {n for n, d in graph.nodes(data=True) if {"cs-cv", "cs-cl"} & set(d["tags"])}
    assert set(kept.nodes) == expected and len(expected) > 5


def test_topic_filter_matches_number_or_label() -> None:
    graph = paper_graph()
    by_number = select(graph, ExportOptions(topics=("1",))).graph
    by_label = select(graph, ExportOptions(topics=("Vision & video",))).graph
    assert set(by_number.nodes) == set(by_label.nodes)
    assert {d["topic"] for _, d in by_number.nodes(data=True)} == {1}


def test_filtered_graph_keeps_only_edges_between_kept_papers() -> None:
    graph = paper_graph()
    sel = select(graph, ExportOptions(topics=("0",)))
    assert all(graph.nodes[u]["topic"] == graph.nodes[v]["topic"] == 0 for u, v in sel.graph.edges)
    assert sel.filtered_out == graph.number_of_nodes() - sel.graph.number_of_nodes()


def test_paper_date_prefers_published_then_date_then_earliest_dated_note() -> None:
    notes = ["reports/HF Daily 2026-02-07.md", "reports/HF Daily 2025-12-25.md", "daily/2026-01.md"]
    assert paper_date({"published": "2024-03-01T10:00:00Z", "notes": notes}) == date(2024, 3, 1)
    assert paper_date({"date": date(2023, 5, 6), "notes": notes}) == date(2023, 5, 6)
    assert paper_date({"notes": notes}) == date(2025, 12, 25)
    assert paper_date({"notes": ["daily/2026-01.md", "x/2026-13-45.md"]}) is None


def test_date_range_is_inclusive_and_drops_undated_papers() -> None:
    graph = paper_graph()
    sel = select(graph, ExportOptions(since=date(2025, 12, 25), until=date(2025, 12, 25)))
    assert sel.graph.number_of_nodes() > 0
    for _, attrs in sel.graph.nodes(data=True):
        assert any("2025-12-25" in n for n in attrs["notes"])
    undated = [n for n, d in graph.nodes(data=True) if paper_date(d) is None]
    assert undated and not set(undated) & set(sel.graph.nodes)


def test_cap_keeps_the_best_connected_papers_and_counts_the_rest() -> None:
    graph = nx.Graph()
    for pid in ("a", "b", "c", "d", "e"):
        graph.add_node(pid, title=pid.upper(), topic=0)
    graph.add_edge("a", "b", weight=0.9)
    graph.add_edge("a", "c", weight=0.5)
    graph.add_edge("d", "e", weight=0.6)
    sel = select(graph, ExportOptions(max_nodes=3))
    # weighted degree: a 1.4, b 0.9, d 0.6, e 0.6, c 0.5 -> ties broken by id
    assert list(sel.graph.nodes) == ["a", "b", "d"]
    assert (sel.capped_out, sel.cap) == (2, 3)
    assert list(sel.graph.edges) == [("a", "b")]


def test_format_default_cap_applies_unless_max_nodes_is_given() -> None:
    graph = synthetic_graph(150)
    assert export(graph, "mermaid", io.BytesIO()).capped_out == 90
    assert export(graph, "mermaid", io.BytesIO(), ExportOptions(max_nodes=0)).capped_out == 0
    assert export(graph, "graphml", io.BytesIO()).capped_out == 0


def test_graphml_reads_back_with_networkx() -> None:
    graph = paper_graph()
    back = nx.read_graphml(io.BytesIO(_export(graph, "graphml")))
    _assert_same_graph(graph, back)


def test_gexf_reads_back_with_networkx() -> None:
    graph = paper_graph()
    back = nx.read_gexf(io.BytesIO(_export(graph, "gexf")))
    _assert_same_graph(graph, back)


def _assert_same_graph(graph: nx.Graph, back: nx.Graph) -> None:
    assert set(back.nodes) == set(graph.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
    for node, attrs in graph.nodes(data=True):
        got = back.nodes[node]
        assert got["title"] == attrs["title"]
        assert int(got["topic"]) == attrs["topic"] and got["topic_label"] == attrs["topic_label"]
        assert got.get("tags", "") == "; ".join(attrs["tags"])
        assert got.get("notes", "") == "; ".join(attrs["notes"])
    for u, v, attrs in graph.edges(data=True):
        assert float(back.edges[u, v]["weight"]) == pytest.approx(attrs["weight"])


def test_xml_formats_survive_control_characters_and_unicode() -> None:
    graph = nx.Graph()
    graph.add_node("2601.00001", title="Bell\x07 <&> “quotes” 中文 — ok", tags=["a"], topic=0, notes=[])
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        back = reader(io.BytesIO(_export(graph, fmt)))
        assert back.nodes["2601.00001"]["title"] == "Bell <&> “quotes” 中文 — ok"


def test_flat_graph_drops_none_and_joins_lists() -> None:
    graph = nx.Graph()
    graph.add_node("x", tags=["b", "a"], abstract=None, published=date(2025, 1, 2))
    assert flat_graph(graph).nodes["x"] == {"tags": "b; a", "published": "2025-01-02"}


def test_json_is_node_link_for_d3_with_lists_kept() -> None:
    graph = paper_graph()
    data = json.loads(_export(graph, "json"))
    assert set(data) >= {"nodes", "links"} and data["graph"]["left_out"] == 0
    back = nx.node_link_graph(data, edges="links")
    assert set(back.nodes) == set(graph.nodes)
    some = next(iter(graph.nodes))
    assert back.nodes[some]["tags"] == graph.nodes[some]["tags"]
    assert back.number_of_edges() == graph.number_of_edges()
    assert all(back.edges[u, v]["weight"] == d["weight"] for u, v, d in graph.edges(data=True))


def test_json_and_graphml_record_how_many_were_left_out() -> None:
    data = json.loads(_export(synthetic_graph(50), "json", max_nodes=10))
    assert len(data["nodes"]) == 10 and data["graph"]["left_out"] == 40
    back = nx.read_graphml(io.BytesIO(_export(synthetic_graph(50), "graphml", max_nodes=10)))
    assert back.number_of_nodes() == 10 and back.graph["left_out"] == 40


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_graph_and_bare_nodes_export(fmt: str) -> None:
    bare = nx.Graph()
    bare.add_node("2501.00001")  # no attributes at all: title falls back to the id
    assert _export(nx.Graph(), fmt) and _export(bare, fmt)
    if fmt in ("graphml", "gexf"):
        reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        assert list(reader(io.BytesIO(_export(bare, fmt))).nodes) == ["2501.00001"]
