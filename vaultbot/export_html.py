"""Self-contained HTML map: one file, every script and style inlined, works offline.

Cytoscape.js (vendored in ``vaultbot/_vendor/``, MIT) draws, zooms and pans; the
positions are computed here (``layout.cluster_positions``) so the file is the same for
the same vault and the map opens without a layout pass in the browser.  Paper data sits
in a ``<script type="application/json">`` block, escaped so no title can close it.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import IO, Any

from vaultbot.export_canvas import summary_line
from vaultbot.exporters import (
    ExportOptions,
    Selection,
    arxiv_url,
    edge_weight,
    node_list,
    topic_of,
    topics,
)
from vaultbot.layout import cluster_positions

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#7f7f7f",
)  # fmt: skip
UNSORTED_COLOR = "#c0c4c8"
CYTOSCAPE = "cytoscape.min.js"


def write_html(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write the interactive map page for the selection."""
    stream.write(render_html(selection, options).encode("utf-8"))


def render_html(selection: Selection, options: ExportOptions) -> str:
    """Return the page: the template with the data, Cytoscape.js and the app script inlined."""
    template = _resource("vaultbot.resources", "graph_map.html")
    parts = {
        "{{TITLE}}": html.escape(options.title),
        "{{DATA}}": script_json(map_data(selection, options)),
        "{{CYTOSCAPE}}": _resource("vaultbot._vendor", CYTOSCAPE),
        "{{APP}}": _resource("vaultbot.resources", "graph_map.js"),
    }
    # One pass over the template, so a placeholder-like string inside the data stays as is.
    out, rest = [], template
    for key, value in parts.items():
        head, sep, rest = rest.partition(key)
        if not sep:
            raise RuntimeError(f"graph_map.html lacks the {key} placeholder")
        out += [head, value]
    return "".join(out) + rest


def map_data(selection: Selection, options: ExportOptions) -> dict[str, Any]:
    """Return what the page draws: topics with colours, nodes with positions, weighted edges."""
    graph = selection.graph
    groups = topics(graph)
    positions, placed = cluster_positions(graph, [members for _, _, members in groups], spacing=60)
    index = {node: i for i, node in enumerate(graph.nodes)}
    return {
        "title": options.title,
        "summary": summary_line(selection),
        "vault": options.vault_name,
        "topics": [
            {"id": t, "label": label, "color": topic_colour(t), "count": len(members),
             "x": where.x, "y": where.y - where.radius - 30}
            for (t, label, members), where in zip(groups, placed)
        ],
        "nodes": [_node(node, attrs, positions[node], graph.degree(node)) for node, attrs in graph.nodes(data=True)],
        "edges": [[index[u], index[v], edge_weight(d)] for u, v, d in graph.edges(data=True)],
    }


def _node(node: Any, attrs: dict[str, Any], pos: tuple[int, int], degree: int) -> dict[str, Any]:
    return {
        "id": str(node),
        "title": " ".join(str(attrs.get("title") or node).split()),
        "url": arxiv_url(node),
        "topic": topic_of(attrs)[0],
        "tags": node_list(attrs, "tags"),
        "notes": sorted(node_list(attrs, "notes")),
        "degree": degree,
        "x": pos[0],
        "y": pos[1],
    }


def topic_colour(topic: int) -> str:
    """Return a topic's colour: a 12-colour qualitative palette, grey for unsorted papers."""
    return UNSORTED_COLOR if topic < 0 else PALETTE[topic % len(PALETTE)]


def script_json(value: Any) -> str:
    """Return JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _resource(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")

