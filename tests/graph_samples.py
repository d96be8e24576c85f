"""Small paper graphs in the shape ``vaultbot.graph`` builds, made from real seed data.

Titles and categories come from ``tests/data/seed_papers.json`` (real metadata); the
notes a paper sits in are found by searching the real seed notes for its id.  Topics,
tags and edge weights are assigned by a fixed rule here, because the exporters only
draw them: what matters is that they are deterministic and varied.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

DATA = Path(__file__).parent / "data"
TOPICS = {"cs.CL": (0, "Language models"), "cs.CV": (1, "Vision & video"), "cs.AI": (2, "Agents"), "cs.LG": (2, "Agents")}


def seed_papers() -> list[dict]:
    """Return the real metadata records of the seed papers, in file order."""
    return json.loads((DATA / "seed_papers.json").read_text(encoding="utf-8"))["papers"]


def _notes_mentioning() -> dict[str, list[str]]:
    texts = {
        ("daily/" if name[0].isdigit() else "reports/") + name: (DATA / "seed_notes" / name).read_text(encoding="utf-8")
        for name in sorted(p.name for p in (DATA / "seed_notes").glob("*.md"))
    }
    papers = seed_papers()
    return {p["id"]: [path for path, text in texts.items() if p["id"] in text] for p in papers}


def paper_graph(limit: int | None = None) -> nx.Graph:
    """Return a graph of the first ``limit`` seed papers (all by default) with edges by rule."""
    papers = seed_papers()[:limit]
    notes = _notes_mentioning()
    graph = nx.Graph()
    for paper in papers:
        cats = paper.get("categories") or []
        topic, label = TOPICS.get(paper.get("primary_category") or "", (3, "Other"))
        graph.add_node(
            paper["id"],
            title=paper["title"],
            categories=list(cats),
            tags=sorted({c.lower().replace(".", "-") for c in cats}),
            abstract="",
            notes=notes[paper["id"]],
            topic=topic,
            topic_label=label,
        )
    ids = [p["id"] for p in papers]
    for i, u in enumerate(ids):
        for j in range(i + 1, len(ids)):
            if (i * 7 + j * 3) % 61 == 0 or j == i + 1 and i % 4 == 0:
                graph.add_edge(u, ids[j], weight=round(0.4 + ((i + 2 * j) % 6) / 10, 2))
    return graph


def synthetic_graph(papers: int, topics: int = 12, seed: int = 1) -> nx.Graph:
    """Return a large graph with made-up ids and neutral titles, for layout and speed.

    Titles say what they are ("Synthetic paper 17"), so nothing passes for real metadata.
    """
    import random

    rng = random.Random(seed)
    graph = nx.Graph()
    for i in range(papers):
        topic = i % topics
        graph.add_node(
            f"9901.{i:05d}",
            title=f"Synthetic paper {i} on topic {topic}",
            categories=["cs.LG"],
            tags=[f"topic-{topic}", "synthetic"],
            abstract="",
            notes=[f"daily/2025-{1 + i % 12:02d}-{1 + i % 28:02d}.md"],
            topic=topic,
            topic_label=f"Topic {topic}",
        )
    ids = list(graph.nodes)
    for i, u in enumerate(ids):
        for _ in range(2):
            j = (i + topics * rng.randint(1, 20)) % papers if rng.random() < 0.85 else rng.randrange(papers)
            if j != i:
                graph.add_edge(u, ids[j], weight=round(rng.uniform(0.45, 1.0), 3))
    return graph
