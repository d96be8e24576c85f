"""JSON Canvas 1.0 export: a ``.canvas`` file Obsidian opens as a topic map.

One group per topic, one text card per paper (its title, a wikilink to the block of the
note that mentions it, its arXiv link and tags), one edge per related pair.  Cards are
laid out on a grid inside each group, so none overlap and each group fits its cards
(issue 7).  Nodes are listed groups first: JSON Canvas draws the array in z-order.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import IO, Any

from vaultbot.exporters import (
    GENERATOR,
    ExportOptions,
    Selection,
    arxiv_url,
    node_list,
    topics,
)
from vaultbot.layout import Rect, pack_groups
from vaultbot.papers import block_id_for

CARD_WIDTH = 420
LINE_HEIGHT = 26
CHARS_PER_LINE = 40  # at Obsidian's default canvas font, a 420 px card holds ~40 columns
PADDING, GAP, GROUP_GAP = 40, 40, 160
HEADER_HEIGHT = 160
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$=^%])")


def write_canvas(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write the selection as a JSON Canvas document (tab-indented, as Obsidian saves it)."""
    canvas = build_canvas(selection, options)
    text = json.dumps(canvas, ensure_ascii=False, indent="\t")
    stream.write(text.encode("utf-8") + b"\n")


def build_canvas(selection: Selection, options: ExportOptions) -> dict[str, list[dict[str, Any]]]:
    """Return the canvas as ``{"nodes": [...], "edges": [...]}`` with integer geometry."""
    graph = selection.graph
    groups = topics(graph)
    sizes = [[card_size(graph.nodes[n]) for n in members] for _, _, members in groups]
    layouts = pack_groups(sizes, PADDING, GAP, GROUP_GAP)
    group_nodes: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    boxes: dict[Any, Rect] = {}
    for (topic, label, members), layout in zip(groups, layouts):
        group_nodes.append(_group_node(topic, label, layout.box))
        for node, rect in zip(members, layout.members):
            boxes[node] = rect
            cards.append(_card_node(node, graph.nodes[node], rect, topic, options))
    header = _header_node(selection, options)
    edges = [_edge(u, v, d, boxes) for u, v, d in graph.edges(data=True)]
    return {"nodes": [header, *group_nodes, *cards], "edges": edges}


def card_size(attrs: Mapping[str, Any]) -> tuple[int, int]:
    """Return a card's width and height: tall enough for its wrapped title and two lines."""
    title_lines = min(6, max(1, math.ceil(display_width(_title(attrs, "")) / CHARS_PER_LINE)))
    lines = title_lines + 1 + (1 if node_list(attrs, "tags") else 0)
    return CARD_WIDTH, 30 + lines * LINE_HEIGHT + 20


def display_width(text: str) -> int:
    """Return the column width of ``text``: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def block_id(paper_id: Any) -> str:
    """Return the block ID ``vaultbot link`` gives a paper's mention (``arxiv-2512-24880``)."""
    return block_id_for(str(paper_id))


def note_link(paper_id: Any, note: str, options: ExportOptions) -> str:
    """Return a wikilink to ``note``, at the paper's block when the note holds that block."""
    target = note[:-3] if note.lower().endswith(".md") else note
    block = block_id(paper_id)
    known = options.block_ids
    if known is None or block in known.get(note, frozenset()):
        target += f"#^{block}"
    name = target.rsplit("/", 1)[-1].split("#", 1)[0]
    return f"[[{target}|{name}]]"


def md_escape(text: str) -> str:
    """Backslash-escape Markdown and Obsidian syntax (``#tag``, ``==``, ``%%``, ``[[``)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _title(attrs: Mapping[str, Any], fallback: Any) -> str:
    return str(attrs.get("title") or fallback)


def _card_text(node: Any, attrs: Mapping[str, Any], options: ExportOptions) -> str:
    lines = [f"**{md_escape(_title(attrs, node))}**"]
    links = [note_link(node, note, options) for note in sorted(node_list(attrs, "notes"))[:3]]
    lines.append(" · ".join([f"[arXiv {node}]({arxiv_url(node)})", *links]))
    tags = node_list(attrs, "tags")
    if tags:
        lines.append(" ".join("#" + t.lstrip("#") for t in tags))
    return "\n".join(lines)


def topic_color(topic: int) -> str | None:
    """Return one of the six canvas preset colours for a topic (none for unsorted papers)."""
    return None if topic < 0 else str(topic % 6 + 1)


def _with_color(node: dict[str, Any], topic: int) -> dict[str, Any]:
    color = topic_color(topic)
    if color:
        node["color"] = color
    return node


def _geometry(rect: Rect) -> dict[str, int]:
    return {"x": rect.x, "y": rect.y, "width": rect.width, "height": rect.height}


def _group_node(topic: int, label: str, box: Rect) -> dict[str, Any]:
    node = {"id": f"topic-{topic}" if topic >= 0 else "topic-unsorted", "type": "group", **_geometry(box), "label": label}
    return _with_color(node, topic)


def _card_node(node: Any, attrs: Mapping[str, Any], rect: Rect, topic: int, options: ExportOptions) -> dict[str, Any]:
    card = {"id": f"paper-{node}", "type": "text", **_geometry(rect), "text": _card_text(node, attrs, options)}
    return _with_color(card, topic)


def _header_node(selection: Selection, options: ExportOptions) -> dict[str, Any]:
    text = f"# {md_escape(options.title)}\n{summary_line(selection)}\n\n*Generated by {GENERATOR}; rewritten on each run.*"
    rect = Rect(0, -HEADER_HEIGHT - GROUP_GAP // 2, CARD_WIDTH * 2, HEADER_HEIGHT)
    return {"id": "map-header", "type": "text", **_geometry(rect), "text": text}


def summary_line(selection: Selection) -> str:
    """Return "N papers, M links, T topics", plus how many papers the cap left out."""
    graph = selection.graph
    line = f"{graph.number_of_nodes()} papers, {graph.number_of_edges()} links, {len(topics(graph))} topics"
    if selection.capped_out:
        line += f"; {selection.capped_out} less-connected papers left out (cap {selection.cap})"
    return line


def _edge(u: Any, v: Any, attrs: Mapping[str, Any], boxes: Mapping[Any, Rect]) -> dict[str, Any]:
    """Return one canvas edge; no label, since weights on hundreds of edges are noise."""
    from_side, to_side = _sides(boxes[u], boxes[v])
    return {
        "id": f"link-{u}-{v}",
        "fromNode": f"paper-{u}",
        "fromSide": from_side,
        "toNode": f"paper-{v}",
        "toSide": to_side,
    }


def _sides(a: Rect, b: Rect) -> tuple[str, str]:
    """Return the facing sides of two cards, so edges leave towards their target."""
    dx = (b.x + b.width / 2) - (a.x + a.width / 2)
    dy = (b.y + b.height / 2) - (a.y + a.height / 2)
    if abs(dx) >= abs(dy):
        return ("right", "left") if dx >= 0 else ("left", "right")
    return ("bottom", "top") if dy >= 0 else ("top", "bottom")
