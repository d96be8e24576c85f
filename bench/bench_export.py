"""Export a 20,000-paper graph in every format; each must take under 10 s (issue 7).

Prints one line per format: seconds, output size, papers drawn (HTML and Mermaid cap by
default and say so), and the ratio to a baseline measured in the same run: plain
``json.dumps`` of networkx's node-link data for the same graph, the least work any
export can do.  Run: ``python bench/bench_export.py [--papers N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from typing import Any

import networkx as nx

from vaultbot.exporters import FORMATS, ExportOptions, export

LIMIT_SECONDS = 10.0


def synthetic_graph(papers: int, topics: int = 40, seed: int = 7) -> nx.Graph:
    """Return a graph shaped like ``vaultbot.graph``'s: ~2.5 weighted links per paper.

    Ids are in arXiv's 9901 block and titles say "Synthetic paper", so nothing here
    passes for real metadata.
    """
    rng = random.Random(seed)
    words = ["diffusion", "attention", "agents", "video", "reasoning", "tokenizer", "world", "models",
             "scaling", "sparse", "multimodal", "retrieval", "alignment", "benchmark"]  # fmt: skip
    graph = nx.Graph(name="vaultbot")
    for i in range(papers):
        topic = i % topics
        graph.add_node(
            f"9901.{i:05d}",
            title=f"Synthetic paper {i}: {' '.join(rng.sample(words, 4)).capitalize()}",
            categories=["cs.LG", "cs.CL"], tags=["llm", f"topic-{topic}"], abstract="",
            notes=[f"daily/20{20 + i % 6}-{1 + i % 12:02d}.md"], topic=topic, topic_label=f"Topic {topic}",
        )  # fmt: skip
    ids = list(graph.nodes)
    for i, pid in enumerate(ids):
        for _ in range(3):
            j = (i + topics * rng.randint(1, 50)) % papers if rng.random() < 0.8 else rng.randrange(papers)
            if j != i:
                graph.add_edge(pid, ids[j], weight=round(rng.uniform(0.45, 1.0), 4))
    return graph


def timed(func: Any) -> tuple[float, Any]:
    """Return wall-clock seconds and the value; CPU seconds go to ``timed.cpu``."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    timed.cpu = time.process_time() - cpu  # type: ignore[attr-defined]
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20_000)
    args = parser.parse_args(argv)
    graph = synthetic_graph(args.papers)
    print(f"graph: {graph.number_of_nodes()} papers, {graph.number_of_edges()} links, 40 topics;"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time suffers when busy)")  # fmt: skip
    base_s, base = timed(lambda: json.dumps(nx.node_link_data(graph, edges="links")).encode())
    print(f"baseline json.dumps(node_link_data): {base_s:.2f} s, {len(base) / 1e6:.1f} MB")
    failures = 0
    print(f"{'format':<8} {'seconds':>8} {'cpu s':>6} {'MB':>7} {'papers':>7} {'left out':>8} {'x baseline':>10}")
    for fmt in FORMATS:
        stream = io.BytesIO()
        seconds, selection = timed(lambda fmt=fmt, stream=stream: export(graph, fmt, stream, ExportOptions()))
        ok = seconds < LIMIT_SECONDS
        failures += not ok
        print(f"{fmt:<8} {seconds:>8.2f} {timed.cpu:>6.2f} {len(stream.getvalue()) / 1e6:>7.2f} {selection.graph.number_of_nodes():>7}"
              f" {selection.capped_out:>8} {seconds / base_s:>10.1f}{'' if ok else '  OVER 10 s'}")  # fmt: skip
    for fmt in ("html", "mermaid"):
        stream = io.BytesIO()
        seconds, selection = timed(lambda fmt=fmt, stream=stream: export(graph, fmt, stream, ExportOptions(max_nodes=0)))
        print(f"{fmt} uncapped (--max-nodes 0): {seconds:.2f} s, {len(stream.getvalue()) / 1e6:.2f} MB,"
              f" {selection.graph.number_of_nodes()} papers")  # fmt: skip
    print("all formats under 10 s" if not failures else f"{failures} formats over 10 s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
