"""Export the paper graph as a topic map: a registry of formats, one filter, one cap.

Every exporter takes the graph that ``vaultbot.graph`` builds (one node per paper id with
``title``, ``categories``, ``tags``, ``abstract``, ``notes``, ``topic``, ``topic_label``;
edges with ``weight``) and writes bytes to a binary stream.  Nodes and edges are always
visited in sorted order, so the same vault gives the same bytes and the files diff well
in git (issue 7).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported lazily: vaultbot lint must start fast
    import networkx as nx

LIST_SEPARATOR = "; "
GENERATOR = "vaultbot graph"  # written into every export, so a rerun knows the file is its own
NODE_LIST_ATTRS = ("categories", "tags", "notes")
_DATE_IN_PATH = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportOptions:
    """What to keep and how much: filters first, then the node cap.

    ``tags``/``topics`` keep papers carrying any of them (topics match the number or the
    label); ``since``/``until`` are inclusive; ``max_nodes`` keeps the best-connected papers
    (``None``: the format's default cap, ``0``: no cap).  ``block_ids`` maps a note path to
    the block IDs it holds, so links into a note point at a block only when it exists.
    """

    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    max_nodes: int | None = None
    title: str = "Paper map"
    vault_name: str = ""
    block_ids: Mapping[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class Selection:
    """The graph an exporter draws, plus how many papers the filters and the cap dropped."""

    graph: nx.Graph
    total: int
    filtered_out: int
    capped_out: int
    cap: int | None


Exporter = Callable[[Selection, IO[bytes], ExportOptions], None]


def export(graph: nx.Graph, fmt: str, stream: IO[bytes], options: ExportOptions | None = None) -> Selection:
    """Write ``graph`` as ``fmt`` to ``stream``; return what was drawn and what was left out."""
    options = options or ExportOptions()
    registry = exporters()
    if fmt not in registry:
        raise ValueError(f"unknown graph format {fmt!r}; valid: {', '.join(sorted(registry))}")
    cap = options.max_nodes if options.max_nodes is not None else DEFAULT_CAPS.get(fmt)
    selection = select(graph, replace(options, max_nodes=cap or None))
    registry[fmt](selection, stream, options)
    return selection


# Mermaid in Obsidian stops rendering large graphs (maxTextSize, 500 edges), and a browser
# map gets sluggish past a few thousand nodes; every other format takes the whole graph.
DEFAULT_CAPS: dict[str, int] = {"mermaid": 60, "html": 2000}


def exporters() -> dict[str, Exporter]:
    """Return the registry name -> exporter (imported here so each format loads lazily)."""
    from vaultbot import export_canvas, export_html, export_text

    return {
        "canvas": export_canvas.write_canvas,
        "dot": export_text.write_dot,
        "gexf": write_gexf,
        "graphml": write_graphml,
        "html": export_html.write_html,
        "json": write_json,
        "mermaid": export_text.write_mermaid,
    }


FORMATS = ("canvas", "dot", "gexf", "graphml", "html", "json", "mermaid")


def select(graph: nx.Graph, options: ExportOptions) -> Selection:
    """Apply the filters, then keep the ``max_nodes`` best-connected papers, in sorted order."""
    filtering = bool(options.tags or options.topics or options.since or options.until)
    kept = {n for n, attrs in graph.nodes(data=True) if not filtering or _passes(attrs, options)}
    filtered_out = graph.number_of_nodes() - len(kept)
    cap = options.max_nodes
    capped_out = 0
    if cap is not None and len(kept) > cap:
        ranked = sorted(kept, key=lambda n: _rank_key(graph, n, kept))
        capped_out = len(kept) - cap
        kept = set(ranked[:cap])
    return Selection(_sorted_copy(graph, kept), graph.number_of_nodes(), filtered_out, capped_out, cap)


def _rank_key(graph: nx.Graph, node: Any, kept: set[Any]) -> tuple[float, int, str]:
    """Rank papers by summed link weight, then link count, then id (for a stable tie-break)."""
    links = [d for other, d in graph.adj[node].items() if other in kept]
    weight = sum(float(d.get("weight", 0.0)) for d in links)
    return (-round(weight, 9), -len(links), str(node))


def _sorted_copy(graph: nx.Graph, keep: set[Any]) -> nx.Graph:
    """Return the subgraph on ``keep`` rebuilt with nodes and edges in sorted order.

    Walks the adjacency directly: networkx's subgraph views re-check membership on
    every step, which costs seconds on a 20,000-paper graph.
    """
    import networkx as nx

    out = nx.Graph()
    out.add_nodes_from((n, graph.nodes[n]) for n in sorted(keep, key=str))  # networkx copies
    edges = []
    for u in keep:
        su = str(u)
        for v, attrs in graph.adj[u].items():
            if v in keep and (su, str(v)) < (str(v), su):
                edges.append((su, str(v), u, v, attrs))
    edges.sort(key=lambda e: (e[0], e[1]))
    out.add_edges_from((u, v, attrs) for _, _, u, v, attrs in edges)
    return out


def _passes(attrs: Mapping[str, Any], options: ExportOptions) -> bool:
    if options.tags and not {_tag_key(t) for t in options.tags} & {_tag_key(t) for t in node_list(attrs, "tags")}:
        return False
    if options.topics and not {str(attrs.get("topic")), str(attrs.get("topic_label"))} & set(options.topics):
        return False
    if options.since or options.until:
        when = paper_date(attrs)
        if when is None:
            return False
        if (options.since and when < options.since) or (options.until and when > options.until):
            return False
    return True


def _tag_key(tag: str) -> str:
    """Return a tag as Obsidian compares it: without ``#`` and case-insensitive."""
    return tag.lstrip("#").casefold()


def paper_date(attrs: Mapping[str, Any]) -> date | None:
    """Return the paper's date: ``published``, else ``date``, else the earliest dated note."""
    for key in ("published", "date"):
        value = attrs.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str) and (parsed := _parse_date(value)):
            return parsed
    dates = [d for note in node_list(attrs, "notes") if (d := _parse_date(note))]
    return min(dates) if dates else None


def _parse_date(text: str) -> date | None:
    match = _DATE_IN_PATH.search(text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def node_list(attrs: Mapping[str, Any], key: str) -> list[str]:
    """Return a list attribute as a list of strings (absent or None gives an empty list)."""
    value = attrs.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def topic_of(attrs: Mapping[str, Any]) -> tuple[int, str]:
    """Return ``(topic number, label)``; papers without a topic share topic -1."""
    topic = attrs.get("topic")
    if isinstance(topic, (int, float)) and not isinstance(topic, bool):
        number = int(topic)
    else:
        number = int(topic) if isinstance(topic, str) and topic.lstrip("-").isdigit() else -1
    label = str(attrs.get("topic_label") or ("Unsorted" if number < 0 else f"Topic {number}"))
    return number, label


def topics(graph: nx.Graph) -> list[tuple[int, str, list[Any]]]:
    """Return ``(topic, label, sorted paper ids)`` per topic, ordered by topic number."""
    groups: dict[int, tuple[str, list[Any]]] = {}
    for node, attrs in graph.nodes(data=True):
        number, label = topic_of(attrs)
        groups.setdefault(number, (label, []))[1].append(node)
    order = sorted(groups, key=lambda t: (t < 0, t))  # unsorted papers last
    return [(t, groups[t][0], sorted(groups[t][1], key=str)) for t in order]


def arxiv_url(paper_id: Any) -> str:
    """Return the abstract page of a paper id."""
    return f"https://arxiv.org/abs/{paper_id}"


def edge_weight(attrs: Mapping[str, Any]) -> float:
    """Return an edge's weight rounded to 4 places (stable text across platforms)."""
    return round(float(attrs.get("weight", 0.0)), 4)


def flat_graph(graph: nx.Graph) -> nx.Graph:
    """Return a copy whose attributes GraphML/GEXF accept: lists joined, None dropped, XML-safe."""
    import networkx as nx

    out = nx.Graph(name=GENERATOR)
    out.add_nodes_from((str(node), _flat_attrs(attrs)) for node, attrs in graph.nodes(data=True))
    out.add_edges_from((str(u), str(v), _flat_attrs(attrs)) for u, v, attrs in graph.edges(data=True))
    return out


def _flat_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key in sorted(attrs):
        value = attrs[key]
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value) if isinstance(value, (set, frozenset)) else value
            value = LIST_SEPARATOR.join(str(v) for v in items)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, float):
            value = round(value, 4)
        elif not isinstance(value, (int, str, bool)):
            value = str(value)
        flat[key] = _xml_text(value) if isinstance(value, str) else value
    return flat


def _xml_text(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (a control character in a title breaks Gephi)."""
    return _XML_BAD.sub("", text)


def write_graphml(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write GraphML (yEd, Gephi, Cytoscape desktop) through networkx's writer."""
    import networkx as nx

    flat = flat_graph(selection.graph)
    flat.graph["left_out"] = selection.capped_out  # papers the cap dropped (GraphML keeps graph data)
    with _buffered(stream) as out:
        nx.write_graphml(flat, out, encoding="utf-8", prettyprint=True)


def write_gexf(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write GEXF 1.2 (Gephi) through networkx's writer."""
    import networkx as nx

    with _buffered(stream) as out:
        nx.write_gexf(flat_graph(selection.graph), out, encoding="utf-8", prettyprint=True)


class _RawSink(io.RawIOBase):
    """A raw stream forwarding to ``target``, so ``io.BufferedWriter`` can sit in front."""

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.target.write(bytes(data))
        return len(data)


@contextmanager
def _buffered(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """Batch ElementTree's many tiny writes (it writes unbuffered to a BufferedIOBase).

    ElementTree serialises GEXF in ~1.3 million pieces for 20,000 papers; grouping them
    in 64 KiB blocks takes a sixth off the export time (bench/bench_export.py).
    """
    buffer = io.BufferedWriter(_RawSink(stream), buffer_size=1 << 16)
    try:
        yield buffer
    finally:
        buffer.flush()
        buffer.detach()


def write_json(selection: Selection, stream: IO[bytes], options: ExportOptions) -> None:
    """Write node-link JSON (d3's ``nodes``/``links``) with lists kept as JSON arrays."""
    import networkx as nx

    data = nx.node_link_data(selection.graph, edges="links")
    data["graph"] = {**data.get("graph", {}), "generator": GENERATOR, "left_out": selection.capped_out}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=_json_default)
    stream.write(text.encode("utf-8") + b"\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)
