"""Mermaid and DOT exports, checked by their consumers: Mermaid.js in Chromium, Graphviz."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterator

import networkx as nx
import pytest

from browser import PageLog, browser_context
from graph_samples import paper_graph, synthetic_graph
from vaultbot.exporters import ExportOptions, export
from vaultbot.export_text import dot_quote, mermaid_label

MERMAID_JS = Path(__file__).parent / "vendor" / "mermaid.min.js"
NASTY_TITLES = {
    "2601.00001": 'Quotes "inside" and \\backslash\\ and C:\\new',
    "2601.00002": "Brackets [x] (y) {z} <b>not bold</b> & #hash; ends with \\",
    "2601.00003": "中文标题：多模态 — “curly” ‘quotes’ 😀",
    "2601.00004": "Line\nbreak\ttab and `backticks` and %% and ; semicolon",
    "2601.00005": "end",
}


def nasty_graph() -> nx.Graph:
    """Return a graph whose titles and topic labels hold every character that needs escaping."""
    graph = nx.Graph()
    for i, (pid, title) in enumerate(sorted(NASTY_TITLES.items())):
        graph.add_node(pid, title=title, tags=["t"], notes=['notes/a "b".md'], topic=i % 2,
                       topic_label='Topic "one" [#1]' if i % 2 else "Topic <two> & more")  # fmt: skip
    ids = sorted(NASTY_TITLES)
    graph.add_edges_from(((a, b, {"weight": 0.5}) for a, b in zip(ids, ids[1:])))
    return graph


def _text(graph: nx.Graph, fmt: str, **options: Any) -> str:
    stream = io.BytesIO()
    export(graph, fmt, stream, ExportOptions(**options))
    return stream.getvalue().decode("utf-8")


# --- Mermaid -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [('say "hi"', '"say #quot;hi#quot;"'), ("#1 <b> & `x`", '"#35;1 #lt;b#gt; #amp; #96;x#96;"'),
     ("[a] (b) {c}", '"[a] (b) {c}"'), ("C:\\new", '"C:#92;new"'), ("多\nline", '"多 line"'), ("x" * 90, '"' + "x" * 79 + '…"')],
)  # fmt: skip
def test_mermaid_label_escapes(raw: str, label: str) -> None:
    assert mermaid_label(raw) == label


def test_mermaid_note_has_a_subgraph_per_topic_and_says_what_was_left_out() -> None:
    text = _text(synthetic_graph(100, topics=4), "mermaid")
    assert text.startswith("# Paper map\n\n60 papers, ")
    assert "40 less-connected papers left out (cap 60)" in text
    assert text.count("  subgraph ") == 4 and text.count("\n  end\n") == 4
    assert text.rstrip().endswith("```")


def _mermaid_code(note: str) -> str:
    return note.split("```mermaid\n", 1)[1].rsplit("```", 1)[0]


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    yield from browser_context()


def _render_mermaid(context: Any, tmp_path: Path, code: str) -> tuple[dict[str, Any], PageLog]:
    """Render ``code`` with Mermaid.js into the page; return the drawing's text and counts."""
    page_file = tmp_path / "mermaid.html"
    page_file.write_text(f'<!DOCTYPE html><meta charset="utf-8"><script src="{MERMAID_JS.as_uri()}"></script>', "utf-8")
    page = context.new_page()
    log = PageLog(page)
    page.goto(page_file.as_uri())
    drawn = page.evaluate(
        """async (code) => {
            mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
            const out = await mermaid.render('map', code);
            document.body.innerHTML = out.svg;
            const svg = document.querySelector('svg');
            return {text: svg.textContent, nodes: svg.querySelectorAll('g.node').length,
                    clusters: svg.querySelectorAll('g.cluster').length,
                    edges: svg.querySelectorAll('.edgePaths path, path.flowchart-link').length};
        }""",
        code,
    )
    page.close()
    return drawn, log


def test_mermaid_renders_in_mermaid_js_with_labels_intact(context: Any, tmp_path: Path) -> None:
    graph = nasty_graph()
    drawn, log = _render_mermaid(context, tmp_path, _mermaid_code(_text(graph, "mermaid")))
    assert log.errors == [] and log.requests == []
    text = " ".join(drawn["text"].split())
    for title in NASTY_TITLES.values():
        assert " ".join(title.split()) in text
    assert 'Topic "one" [#1]' in text and "Topic <two> & more" in text
    assert (drawn["nodes"], drawn["clusters"]) == (len(NASTY_TITLES), 2)
    assert drawn["edges"] == graph.number_of_edges()


def test_capped_mermaid_of_a_large_graph_renders(context: Any, tmp_path: Path) -> None:
    note = _text(synthetic_graph(3000), "mermaid")
    drawn, log = _render_mermaid(context, tmp_path, _mermaid_code(note))
    assert log.errors == [] and drawn["nodes"] == 60 and drawn["clusters"] == 12
    assert 0 < drawn["edges"] <= 400


# --- DOT / Graphviz ------------------------------------------------------------------


def test_dot_quote() -> None:
    assert dot_quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


@pytest.fixture(scope="module")
def dot() -> str:
    found = shutil.which("dot")
    if found is None:
        pytest.skip("needs Graphviz: install it with `apt-get install graphviz` (Debian/Ubuntu)")
    return found


def _svg_from_dot(dot: str, source: str) -> ET.Element:
    done = subprocess.run([dot, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    return ET.fromstring(done.stdout)


SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def _classed(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def test_graphviz_parses_dot_with_every_node_edge_and_title(dot: str) -> None:
    graph = nasty_graph()
    root = _svg_from_dot(dot, _text(graph, "dot"))
    nodes = _classed(root, "node")
    assert sorted(n.findtext(f"{SVG}title") for n in nodes) == sorted(NASTY_TITLES)
    assert len(_classed(root, "edge")) == graph.number_of_edges()
    tooltips = {a.get(f"{XLINK}title") for a in root.iter(f"{SVG}a")}
    for title in NASTY_TITLES.values():
        assert title.replace("\t", " ") in tooltips or title in tooltips, title
    clusters = {c.findtext(f"{SVG}title") for c in _classed(root, "cluster")}
    assert clusters == {"cluster_topic0", "cluster_topic1"}


def test_graphviz_lays_out_the_seed_graph(dot: str) -> None:
    graph = paper_graph()
    root = _svg_from_dot(dot, _text(graph, "dot"))
    assert len(_classed(root, "node")) == graph.number_of_nodes()
    assert len(_classed(root, "edge")) == graph.number_of_edges()
    links = {a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")}
    assert "https://arxiv.org/abs/2512.24880" in links
