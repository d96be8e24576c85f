"""Text exports written by hand: a Mermaid note for Obsidian and a Graphviz DOT file.

Both are small grammars whose quoting rules are easy to get wrong, so each has one
escape function and every label goes through it.  DOT is written here rather than via
pydot/pygraphviz: those add a dependency (pygraphviz needs a C build) for a dozen lines.
"""

from __future__ import annotations

import textwrap
from typing import IO, Any, Iterator, Mapping

from vaultbot.exporters import (
    LIST_SEPARATOR,
    ExportOptions,
    Selection,
    arxiv_url,
    edge_weight,
    node_list,
    topic_of,
    topics,
)
from vaultbot.export_canvas import summary_line

MERMAID_MAX_EDGES = 400  # Mermaid refuses to draw more than 500 edges (its maxEdges)
MERMAID_LABEL_CHARS = 80
# Mermaid reads "#name;"/"#code;" entities in labels, and "\n" as a line break even in quotes.
_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "\\": "#92;"}
DOT_COLORS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def mermaid_label(text: str, limit: int = MERMAID_LABEL_CHARS) -> str:
    """Return ``text`` as a quoted Mermaid label: one line, entities for ``"#<>&\\`` and backtick."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return '"' + "".join(_MERMAID_ENTITIES.get(c, c) for c in flat) + '"'


def write_mermaid(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write a Markdown note holding one Mermaid flowchart with a subgraph per topic."""
    stream.write("\n".join(mermaid_lines(selection, options)).encode("utf-8") + b"\n")


def mermaid_lines(selection: Selection, options: ExportOptions) -> Iterator[str]:
    """Yield the note's lines: a heading, the summary, then the fenced diagram."""
    graph = selection.graph
    ids = {node: f"p{i}" for i, node in enumerate(graph.nodes)}
    edges = sorted(graph.edges(data=True), key=lambda e: (-edge_weight(e[2]), str(e[0]), str(e[1])))
    shown = sorted(edges[:MERMAID_MAX_EDGES], key=lambda e: (str(e[0]), str(e[1])))
    yield f"# {' '.join(options.title.split())}"
    yield ""
    yield _mermaid_summary(selection, len(edges) - len(shown))
    yield ""
    yield "```mermaid"
    yield "graph LR"
    for topic, label, members in topics(graph):
        yield f"  subgraph {_topic_id(topic)}[{mermaid_label(label)}]"
        yield from (f"    {ids[n]}[{mermaid_label(graph.nodes[n].get('title') or n)}]" for n in members)
        yield "  end"
    yield from (f"  {ids[u]} --- {ids[v]}" for u, v, _ in shown)
    yield "```"


def _mermaid_summary(selection: Selection, dropped_edges: int) -> str:
    line = summary_line(selection)
    if dropped_edges:
        line += f"; {dropped_edges} weaker links not drawn (Mermaid draws at most {MERMAID_MAX_EDGES})"
    return line + "."


def _topic_id(topic: int) -> str:
    return f"topic{topic}" if topic >= 0 else "unsorted"


def dot_quote(text: Any) -> str:
    """Return ``text`` as a DOT double-quoted string (backslash, quote and newlines escaped)."""
    value = str(text).replace("\\", "\\\\").replace('"', '\\"')
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{value}"'


def write_dot(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write an undirected Graphviz graph with one ``cluster_`` subgraph per topic."""
    stream.write("\n".join(dot_lines(selection, options)).encode("utf-8") + b"\n")


def dot_lines(selection: Selection, options: ExportOptions) -> Iterator[str]:
    """Yield the DOT document line by line, nodes and edges in sorted order."""
    graph = selection.graph
    yield f"graph {dot_quote('vaultbot')} {{"
    yield f"  graph [label={dot_quote(options.title + chr(10) + summary_line(selection))}, charset=\"UTF-8\"];"
    yield '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'
    for topic, label, members in topics(graph):
        yield f"  subgraph {dot_quote(f'cluster_{_topic_id(topic)}')} {{"
        yield f"    label={dot_quote(label)};"
        yield from (f"    {_dot_node(n, graph.nodes[n])}" for n in members)
        yield "  }"
    for u, v, attrs in graph.edges(data=True):
        weight = edge_weight(attrs)
        yield f"  {dot_quote(u)} -- {dot_quote(v)} [weight={weight}, penwidth={1 + 3 * weight:.2f}];"
    yield "}"


def _dot_node(node: Any, attrs: Mapping[str, Any]) -> str:
    title = str(attrs.get("title") or node)
    topic, _ = topic_of(attrs)
    fields = {
        "label": "\n".join(textwrap.wrap(" ".join(title.split()), 40)) or str(node),
        "tooltip": title,
        "URL": arxiv_url(node),
        "fillcolor": DOT_COLORS[topic % len(DOT_COLORS)] + "55" if topic >= 0 else "#eeeeee",
        "tags": LIST_SEPARATOR.join(node_list(attrs, "tags")),
        "notes": LIST_SEPARATOR.join(node_list(attrs, "notes")),
        "topic": topic,
    }
    body = ", ".join(f"{key}={dot_quote(value)}" for key, value in fields.items())
    return f"{dot_quote(node)} [{body}];"
