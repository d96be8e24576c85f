"""The HTML map opened in real headless Chromium: drawn, offline, searchable, clickable."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from browser import PageLog, browser_context
from graph_samples import paper_graph, synthetic_graph

from vaultbot.export_html import map_data, script_json
from vaultbot.exporters import ExportOptions, export, select

HOSTILE_TITLE = '</script><script>alert("x")</script> & <b>bold</b> \u2028 “quoted”'


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    yield from browser_context()


def _write(graph: nx.Graph, path: Path, **options: Any) -> Path:
    stream = io.BytesIO()
    export(graph, "html", stream, ExportOptions(**options))
    path.write_bytes(stream.getvalue())
    return path


def _open(context: Any, path: Path) -> tuple[Any, PageLog]:
    page = context.new_page()
    log = PageLog(page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_function("window.vaultbotMap !== undefined")
    log.errors.extend(f"dialog: {m}" for m in dialogs)
    return page, log


DRAWN = """() => {
  const cy = window.vaultbotMap.cy;
  const w = cy.width(), h = cy.height();
  const inView = cy.nodes('.paper').filter(n => {
    const p = n.renderedPosition();
    return n.visible() && p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h;
  });
  let inked = 0;
  for (const canvas of document.querySelectorAll('#map canvas')) {
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) { inked++; } }
  }
  return {papers: cy.nodes('.paper').length, inView: inView.length, edges: cy.edges().length, inked};
}"""


def test_map_is_one_self_contained_file(tmp_path: Path) -> None:
    html = _write(paper_graph(), tmp_path / "map.html").read_text("utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+stylesheet|@import|url\(", html)
    assert "cytoscape" in html and html.count("<script") == 3


def test_map_draws_every_paper_offline_without_errors(context: Any, tmp_path: Path) -> None:
    graph = paper_graph()
    page, log = _open(context, _write(graph, tmp_path / "map.html"))
    page.wait_for_timeout(200)
    drawn = page.evaluate(DRAWN)
    assert drawn["papers"] == drawn["inView"] == graph.number_of_nodes()
    assert drawn["edges"] == graph.number_of_edges()
    assert drawn["inked"] > 5000  # the canvas really holds a drawing
    assert page.inner_text("#summary") == f"{graph.number_of_nodes()} papers, {graph.number_of_edges()} links, 4 topics"
    assert page.locator("#legend li").count() == 4
    assert log.errors == [] and log.requests == []


def test_search_finds_a_paper_and_enter_opens_it(context: Any, tmp_path: Path) -> None:
    page, log = _open(context, _write(paper_graph(), tmp_path / "map.html", vault_name="My Vault"))
    page.fill("#search", "manifold-constrained")
    results = page.locator("#results li[data-index]")
    assert results.all_inner_texts() == ["mHC: Manifold-Constrained Hyper-Connections"]
    assert page.evaluate("window.vaultbotMap.cy.nodes('.match').length") == 1
    page.press("#search", "Enter")
    details = page.locator("#details")
    assert details.locator(".title").inner_text() == "mHC: Manifold-Constrained Hyper-Connections"
    assert details.locator("a[href='https://arxiv.org/abs/2512.24880']").count() == 1
    assert details.locator(".tag").all_inner_texts() == ["#cs-cl"]
    note = details.locator("li a")
    assert note.all_inner_texts() == ["daily/2026-01.md"]
    assert note.get_attribute("href") == "obsidian://open?vault=My%20Vault&file=daily%2F2026-01"
    page.fill("#search", "no such paper title")
    assert page.locator("#results li").all_inner_texts() == ["No paper matches."]
    assert log.errors == [] and log.requests == []


def test_clicking_a_paper_shows_its_details(context: Any, tmp_path: Path) -> None:
    graph = paper_graph()
    page, log = _open(context, _write(graph, tmp_path / "map.html"))
    pos = page.evaluate(
        """(id) => {
            const map = window.vaultbotMap;
            const node = map.cy.nodes('.paper').filter(n => map.data.nodes[n.data('index')].id === id);
            map.cy.zoom(1.5);
            map.cy.center(node);
            return node.renderedPosition();
        }""",
        "2512.22905",
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    assert page.locator("#details .title").inner_text() == graph.nodes["2512.22905"]["title"]
    assert page.locator("#details li").all_inner_texts() == graph.nodes["2512.22905"]["notes"]
    assert log.errors == []


def test_wheel_zooms_and_drag_pans(context: Any, tmp_path: Path) -> None:
    page, log = _open(context, _write(paper_graph(), tmp_path / "map.html"))
    box = page.locator("#map").bounding_box()
    zoom = page.evaluate("window.vaultbotMap.cy.zoom()")
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(100)
    assert page.evaluate("window.vaultbotMap.cy.zoom()") > zoom
    pan = page.evaluate("window.vaultbotMap.cy.pan()")
    page.mouse.down()
    page.mouse.move(box["x"] + 205, box["y"] + 125, steps=8)
    page.mouse.up()
    moved = page.evaluate("window.vaultbotMap.cy.pan()")
    assert (moved["x"] - pan["x"], moved["y"] - pan["y"]) == pytest.approx((200, 120), abs=25)
    assert log.errors == []


def test_hostile_title_is_shown_as_text(context: Any, tmp_path: Path) -> None:
    graph = paper_graph(3)
    graph.nodes["2512.24880"]["title"] = HOSTILE_TITLE
    page, log = _open(context, _write(graph, tmp_path / "map.html"))
    page.fill("#search", "</script>")
    page.press("#search", "Enter")
    assert page.inner_text("#details .title") == " ".join(HOSTILE_TITLE.split())
    assert log.errors == [] and page.locator("b").count() == 0


def test_large_graph_is_capped_and_says_so(context: Any, tmp_path: Path) -> None:
    graph = synthetic_graph(2300)
    page, log = _open(context, _write(graph, tmp_path / "map.html"))
    assert page.evaluate("window.vaultbotMap.cy.nodes('.paper').length") == 2000
    assert "300 less-connected papers left out (cap 2000)" in page.inner_text("#summary")
    assert log.errors == []


def test_empty_map_opens_without_errors(context: Any, tmp_path: Path) -> None:
    page, log = _open(context, _write(nx.Graph(), tmp_path / "map.html"))
    assert page.evaluate("window.vaultbotMap.cy.nodes('.paper').length") == 0
    assert page.inner_text("#summary") == "0 papers, 0 links, 0 topics" and log.errors == []


def test_map_data_positions_are_distinct_and_stable() -> None:
    sel = select(paper_graph(), ExportOptions())
    first, second = map_data(sel, ExportOptions()), map_data(sel, ExportOptions())
    assert first == second
    points = [(n["x"], n["y"]) for n in first["nodes"]]
    assert len(set(points)) == len(points)


def test_script_json_cannot_close_the_script_element() -> None:
    text = script_json({"t": HOSTILE_TITLE})
    assert "</" not in text and "<" not in text and "\u2028" not in text
