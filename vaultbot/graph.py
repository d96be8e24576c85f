"""The paper graph: related papers as a networkx graph, grouped into labelled topics.

One node per paper id (attributes ``title``, ``categories``, ``tags``, ``abstract``,
``notes``, ``topic``, ``topic_label``), one edge per related pair with its ``weight``
(0..1): the symmetric closure of every paper's top-k from ``similarity``.  Topics are
Louvain communities with a fixed seed, so the same vault always gives the same map
(issue 6); papers without any related paper share topic -1, "Unsorted".
networkx is imported inside functions: importing it costs ~0.26 s (DEVELOPERS.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from vaultbot.keywords import EN_STOPWORDS, stem
from vaultbot.similarity import LinkParams, PaperNode, SimilarityIndex

if TYPE_CHECKING:
    import networkx as nx

    from vaultbot.model import Note

LOUVAIN_SEED = 20260207  # any fixed value: Louvain is randomised, the map must not be
UNSORTED = (-1, "Unsorted")
LABEL_TERMS = 3
MAX_LABEL_TAGS = 2  # leave room for at least one title word
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]")


def paper_nodes(
    notes: Mapping[str, Note],
    meta: Mapping[str, Any],
    tags_of: Callable[[str, Any], Sequence[str]] | None = None,
    *,
    only: Collection[str] | None = None,
) -> list[PaperNode]:
    """Return one node per paper mentioned in ``notes`` (path -> parsed note).

    ``meta`` maps paper id -> a record with ``title``, ``categories`` and ``abstract``
    attributes (``cache.PaperRecord`` fits; missing papers keep the title a report states).
    ``tags_of(paper_id, record_or_None)`` gives a paper's tags, e.g. from ``tags.TagRules``.
    Commentary from every mention is joined, in note order, so each note adds evidence.
    ``only`` (paper ids) keeps just those papers' nodes, the same as the full call's:
    other mentions are skipped before their commentary or tags are worked out, so the
    daemon pays for the papers a change touches, not for every paper of their notes.
    """
    texts: dict[str, list[str]] = {}
    where: dict[str, list[tuple[str, int]]] = {}
    stated: dict[str, str] = {}
    for rel in sorted(notes):
        for mention in notes[rel].mentions:
            if mention.in_frontmatter or (only is not None and mention.paper_id not in only):
                continue
            texts.setdefault(mention.paper_id, []).append(mention.commentary)
            where.setdefault(mention.paper_id, []).append((rel, mention.anchor_line))
            stated.setdefault(mention.paper_id, mention.stated_title or "")
    return [
        _node(pid, meta.get(pid), stated[pid], texts[pid], where[pid], tags_of) for pid in sorted(texts)
    ]


def _node(
    pid: str,
    record: Any,
    stated_title: str,
    texts: list[str],
    where: list[tuple[str, int]],
    tags_of: Callable[[str, Any], Sequence[str]] | None,
) -> PaperNode:
    return PaperNode(
        paper_id=pid,
        title=getattr(record, "title", "") or stated_title,
        categories=tuple(getattr(record, "categories", ()) or ()),
        tags=tuple(tags_of(pid, record)) if tags_of else (),
        abstract=getattr(record, "abstract", "") or "",
        commentary="\n\n".join(t for t in texts if t),
        mentions=tuple(where),
    )


def build_graph(nodes: Iterable[PaperNode], params: LinkParams | None = None) -> nx.Graph:
    """Return the topic-labelled related-paper graph of ``nodes``."""
    return graph_from_index(SimilarityIndex.build(nodes, params))


def graph_from_index(index: SimilarityIndex) -> nx.Graph:
    """Return the graph of a built (or incrementally updated) ``index``, with topics."""
    import networkx as nx

    graph = nx.Graph(name="vaultbot")
    for pid in sorted(index.nodes):
        graph.add_node(pid, **node_attributes(index.nodes[pid]))
    for (a, b), weight in sorted(index.edges().items()):
        graph.add_edge(a, b, weight=weight)
    assign_topics(graph)
    return graph


def node_attributes(node: PaperNode) -> dict[str, Any]:
    """Return the graph attributes of one paper (topic fields are set by ``assign_topics``)."""
    notes = list(dict.fromkeys(path for path, _ in node.mentions))
    return {
        "title": node.title,
        "categories": list(node.categories),
        "tags": list(node.tags),
        "abstract": node.abstract,
        "notes": notes,
        "topic": UNSORTED[0],
        "topic_label": UNSORTED[1],
    }


def refresh_graph(graph: nx.Graph, index: SimilarityIndex, touched: Iterable[str]) -> None:
    """Bring ``graph`` in line with ``index`` after ``index.update``/``remove`` for ``touched``.

    Only the touched papers' nodes and edges are rewritten (the daemon's path); topics
    are left as they were: call ``assign_topics`` when a fresh map is wanted.
    """
    touched = sorted(set(touched))
    tops: dict[str, set[str]] = {}
    for pid in touched:
        if pid not in index.nodes:
            if pid in graph:
                graph.remove_node(pid)
            continue
        attrs = node_attributes(index.nodes[pid])
        old = graph.nodes[pid] if pid in graph else {}
        attrs["topic"], attrs["topic_label"] = old.get("topic", UNSORTED[0]), old.get("topic_label", UNSORTED[1])
        graph.add_node(pid, **attrs)
        graph.remove_edges_from(list(graph.edges(pid)))
    for pid in touched:
        if pid in index.nodes:
            _relink(graph, index, pid, tops)


def _relink(graph: nx.Graph, index: SimilarityIndex, pid: str, tops: dict[str, set[str]]) -> None:
    """Add ``pid``'s edges: pairs where either side has the other in its top-k."""

    def top(x: str) -> set[str]:
        if x not in tops:
            tops[x] = {b for b, _ in index.top_k(x)}
        return tops[x]

    for other, score in index.above.get(pid, {}).items():
        if other in top(pid) or pid in top(other):
            graph.add_edge(pid, other, weight=round(score, 6))


def assign_topics(graph: nx.Graph) -> None:
    """Set ``topic``/``topic_label`` on every node from seeded Louvain communities.

    Topics are numbered by size (largest first), ties by smallest paper id; a paper with
    no related paper gets topic -1, "Unsorted" (a one-paper topic says nothing).
    """
    import networkx as nx

    linked = nx.Graph()  # canonical order: Louvain's result depends on iteration order
    linked.add_nodes_from(sorted(n for n in graph if graph.degree(n) > 0))
    linked.add_weighted_edges_from(sorted((min(u, v), max(u, v), d["weight"]) for u, v, d in graph.edges(data=True)))
    groups = nx.community.louvain_communities(linked, weight="weight", seed=LOUVAIN_SEED) if linked else []
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    df = _title_word_df(graph)
    for node in graph:
        graph.nodes[node]["topic"], graph.nodes[node]["topic_label"] = UNSORTED
    for number, members in enumerate(ordered):
        label = topic_label(graph, members, df)
        for node in members:
            graph.nodes[node]["topic"], graph.nodes[node]["topic_label"] = number, label


def topic_label(graph: nx.Graph, members: Sequence[str], df: Mapping[str, int]) -> str:
    """Return a topic's label: its dominant tags, then its most telling title words."""
    n = max(graph.number_of_nodes(), 1)
    tags = Counter(t for m in members for t in set(graph.nodes[m].get("tags") or ()))
    dominant = [t for t, c in tags.items() if c * 2 >= len(members)]  # on half the papers or more
    # The most telling first: a tag every paper of the vault carries says nothing.
    dominant.sort(key=lambda t: (-tags[t] * math.log((1 + n) / df.get("#" + t, 1)), t))
    terms = dominant[:MAX_LABEL_TAGS]
    words, forms = _title_words(graph, members)
    ranked = sorted(words, key=lambda w: (-words[w] * math.log((1 + n) / df.get(w, 1)), w))
    said = {stem(part) for t in terms for part in re.split(r"[-/_]", t.lower())}
    for word in ranked:
        if len(terms) >= LABEL_TERMS or (words[word] < 2 and len(members) > 2):
            break
        if word not in said:  # "video-generation" already says "Video"
            said.add(word)
            terms.append(_spelling(forms[word]))
    return " · ".join(terms[:LABEL_TERMS]) or f"Topic of {members[0]}"


def _spelling(forms: Counter[str]) -> str:
    """Return the commonest spelling, preferring fewer capitals ("Benchmark", not "BEnchmark")."""
    return min(forms.items(), key=lambda kv: (-kv[1], sum(ch.isupper() for ch in kv[0]), kv[0]))[0]


def _title_words(graph: nx.Graph, members: Sequence[str]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Return word -> members whose title holds it, and each word's spellings."""
    words: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for m in members:
        seen = set()
        for raw in _WORD.findall(graph.nodes[m].get("title") or ""):
            key = stem(raw.lower())
            if len(raw) < 3 or raw.lower() in EN_STOPWORDS:
                continue
            forms.setdefault(key, Counter())[raw] += 1
            seen.add(key)
        words.update(seen)
    return words, forms


def _title_word_df(graph: nx.Graph) -> Counter[str]:
    """Return how many papers hold each title word (stemmed) and each tag (``#tag``)."""
    df: Counter[str] = Counter()
    for node, attrs in graph.nodes(data=True):
        df.update({stem(w.lower()) for w in _WORD.findall(attrs.get("title") or "")})
        df.update({"#" + t for t in attrs.get("tags") or ()})
    return df
