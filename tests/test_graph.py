"""The paper graph: nodes built from real parsed seed notes, attributes the exporters
read, symmetric edges, seeded Louvain topics, and the daemon's incremental refresh."""

from __future__ import annotations

import random
from dataclasses import replace

import networkx as nx
import pytest
from seed_corpus import seed_meta, seed_nodes, seed_notes

from vaultbot.graph import assign_topics, build_graph, graph_from_index, paper_nodes, refresh_graph
from vaultbot.parser import parse
from vaultbot.similarity import LinkParams, PaperNode, SimilarityIndex


@pytest.fixture(scope="module")
def nodes() -> list[PaperNode]:
    return seed_nodes()


@pytest.fixture(scope="module")
def graph(nodes: list[PaperNode]) -> nx.Graph:
    return build_graph(nodes)


def test_paper_nodes_join_parsed_commentary_with_cached_metadata(nodes: list[PaperNode]) -> None:
    by_id = {n.paper_id: n for n in nodes}
    assert len(by_id) == len(seed_meta())  # every seed paper is mentioned somewhere
    mhc = by_id["2512.24880"]
    assert mhc.title == "mHC: Manifold-Constrained Hyper-Connections"  # from metadata
    assert "残差流" in mhc.commentary  # the user's own sub-list
    assert mhc.mentions == (("daily/2026-01.md", 9),)
    cope = by_id["2602.05258"]
    assert "RoPE" in cope.commentary and cope.mentions[0][0] == "reports/HF Daily 2026-02-07.md"


def test_paper_nodes_fall_back_to_the_title_a_report_states() -> None:
    notes = seed_notes()
    got = {n.paper_id: n for n in paper_nodes(notes, {}, tags_of=lambda pid, rec: ["t-" + pid[:4]])}
    assert got["2602.05258"].title.startswith("CoPE: Clipped RoPE")
    assert got["2512.24880"].title == ""  # a dated note states no title, and no metadata
    assert got["2602.05258"].tags == ("t-2602",)


def test_paper_nodes_only_gives_the_full_calls_nodes_of_those_papers() -> None:
    notes = dict(seed_notes())
    copied = "daily/2026-01.md"  # its papers get a second note: commentary joined across notes
    notes["daily/2026-01 copy.md"] = parse("daily/2026-01 copy.md", notes[copied].text)
    asked: list[str] = []

    def tags_of(pid: str, record: object) -> list[str]:
        asked.append(pid)
        return ["t-" + pid[:4], "has-record" if record else "no-record"]

    full = paper_nodes(notes, seed_meta(), tags_of)
    by_id = {n.paper_id: n for n in full}
    twice = {n.paper_id for n in full if len({path for path, _ in n.mentions}) == 2}
    assert twice and all("\n\n" in by_id[p].commentary for p in twice if by_id[p].commentary)
    picks = random.Random(8).sample(sorted(by_id), 9)
    for only in (set(), {"2412.99999"}, twice, set(picks) | {"2412.99999"}, set(by_id)):
        asked.clear()
        got = paper_nodes(notes, seed_meta(), tags_of, only=only)
        assert got == [by_id[p] for p in sorted(only & by_id.keys())]
        assert sorted(asked) == sorted(only & by_id.keys())  # no other paper's tags worked out


def test_nodes_carry_the_attributes_exporters_read(graph: nx.Graph) -> None:
    attrs = graph.nodes["2601.05239"]
    assert attrs["title"] == "Plenoptic Video Generation"
    assert attrs["categories"] == ["cs.CV"]
    assert attrs["notes"] == ["daily/2026-01.md"]
    assert isinstance(attrs["tags"], list) and isinstance(attrs["abstract"], str)
    assert isinstance(attrs["topic"], int) and isinstance(attrs["topic_label"], str)
    assert all(0 < d["weight"] <= 1 for _, _, d in graph.edges(data=True))


def test_graph_edges_are_the_index_closure(nodes: list[PaperNode], graph: nx.Graph) -> None:
    index = SimilarityIndex.build(nodes)
    assert {tuple(sorted(e)) for e in graph.edges} == set(index.edges())
    for a in index.nodes:
        for b, _ in index.top_k(a):
            assert graph.has_edge(a, b)


def test_topics_are_numbered_by_size_and_isolated_papers_are_unsorted(graph: nx.Graph) -> None:
    groups: dict[int, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        groups.setdefault(attrs["topic"], []).append(node)
        assert (attrs["topic"] == -1) == (graph.degree(node) == 0)
    numbered = [sorted(groups[t]) for t in sorted(groups) if t >= 0]
    assert numbered == sorted(numbered, key=lambda g: (-len(g), g[0]))
    assert len(numbered) >= 5
    labels = {graph.nodes[g[0]]["topic_label"] for g in numbered}
    assert len(labels) == len(numbered) and all(labels)


def test_video_generation_papers_share_a_topic_labelled_by_its_words(graph: nx.Graph) -> None:
    video = ["2602.06028", "2602.05871", "2512.21338"]  # Context Forcing, Pathwise TTC, HiStream
    topics = {graph.nodes[p]["topic"] for p in video}
    assert len(topics) == 1 and topics != {-1}
    assert "Video" in graph.nodes[video[0]]["topic_label"]


def test_topics_are_deterministic_whatever_the_input_order(nodes: list[PaperNode], graph: nx.Graph) -> None:
    shuffled = list(nodes)
    random.Random(3).shuffle(shuffled)
    again = build_graph(shuffled)
    assert list(again.nodes(data=True)) == list(graph.nodes(data=True))
    assert _edges(again) == _edges(graph)


def _edges(graph: nx.Graph) -> list[tuple[str, str, float]]:
    return sorted((min(u, v), max(u, v), d["weight"]) for u, v, d in graph.edges(data=True))


def test_tags_dominate_topic_labels(nodes: list[PaperNode]) -> None:
    tagged = [
        PaperNode(f"x{i}", f"Sparse attention kernels part {i}", tags=("efficient-attention",),
                  commentary="稀疏注意力 sparse attention kernel")
        for i in range(3)
    ]
    graph = build_graph(tagged + nodes[:20])
    label = graph.nodes["x0"]["topic_label"]
    assert label.startswith("efficient-attention · ")
    assert label.lower().count("attention") == 1  # the tag already says it


def test_refresh_after_incremental_updates_matches_a_fresh_graph(nodes: list[PaperNode]) -> None:
    params = LinkParams(top_k=3, threshold=0.3)
    index = SimilarityIndex.build(nodes[1:], params)
    graph = graph_from_index(index)
    edited = replace(nodes[30], commentary=nodes[30].commentary + "\n视频生成 video generation 自回归")
    touched = index.update(nodes[0]) | index.update(edited) | index.remove(nodes[50].paper_id)
    refresh_graph(graph, index, touched)
    fresh = graph_from_index(index)
    assert _edges(graph) == _edges(fresh)
    assert set(graph.nodes) == set(fresh.nodes)
    assert graph.nodes[edited.paper_id]["title"] == edited.title
    assign_topics(graph)
    assert dict(graph.nodes(data=True)) == dict(fresh.nodes(data=True))


def test_empty_vault_and_papers_without_text_give_isolated_nodes() -> None:
    assert build_graph([]).number_of_nodes() == 0
    graph = build_graph([PaperNode("2601.00001", ""), PaperNode("2601.00002", "")])
    assert graph.number_of_edges() == 0
    assert {graph.nodes[n]["topic"] for n in graph} == {-1}
