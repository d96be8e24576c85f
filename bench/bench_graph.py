"""Benchmark the similarity graph on 20,000 synthetic papers (issue 6, "Speed").

Targets on the 2-core machine: full build (index + graph + topics) under 30 s wall and
under 2 GiB peak RSS; updating one paper must cost a small fraction of a full build.

The papers are synthetic and deterministic for a given ``--seed``: made-up method names
and topic words ("Qorvane", "Zentrix"), a shared stock of real ML words, Chinese
commentary built from a character pool, one generic tag per topic.  Topic sizes follow a Zipf
law, like a real vault where a few themes (video generation, RL for LLMs) dominate.
IDs use sequence numbers of 90000 and up, which arXiv has never reached in a month.

Usage: python bench/bench_graph.py [--papers 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultbot.graph import graph_from_index, refresh_graph  # noqa: E402
from vaultbot.similarity import LinkParams, PaperNode, SimilarityIndex, pair_score  # noqa: E402

GENERAL = """Efficient Scalable Unified Learning Models Video Diffusion Agents Reasoning Attention
Reinforcement Generation Benchmark Multimodal Long Context Sparse Latent Language Vision
Memory Policy Optimization Tokenizer Autoregressive World Retrieval Evaluation Inference
Training Alignment Transformer Planning Search Code Audio Speech Editing Control Robust
Adaptive Hierarchical Streaming Parallel Native Open Consistent Dynamic Spatial Temporal
Compression Distillation Reward Exploration Understanding Representation Scaling Fast""".split()
TAGS = """video-generation reinforcement-learning agents llm multimodal world-models rag
diffusion-models computer-vision nlp speech robotics ai-safety embodied-ai efficient-attention
benchmarks reasoning tokenizers code-agents memory""".split()
CATEGORIES = ["cs.CV", "cs.CL", "cs.AI", "cs.LG", "cs.RO", "cs.IR", "cs.SD", "cs.MA"]
SYLLABLES = "qor van zen trix vel mar kai dor lum pex sil gor ten vra nox fel bri sta".split()
CJK_POOL = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000, 3))  # 1000 distinct characters
ZH_FILLER = ["，效果提升明显", "，但是消融实验不够充分", "，个人感觉有点tricky", "，值得借鉴", "，开源了代码和权重"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _topics(rng: random.Random, count: int) -> list[dict]:
    """Return ``count`` synthetic topics: own words, Chinese terms, a tag, a category."""
    return [
        {
            "words": [_word(rng) for _ in range(40)],
            "general": rng.sample(GENERAL, 6),
            "zh": ["".join(rng.sample(CJK_POOL, rng.randint(2, 4))) for _ in range(12)],  # made-up
            "tags": (rng.choice(TAGS),),
            "category": rng.choice(CATEGORIES),
        }
        for _ in range(count)
    ]


def _paper(rng: random.Random, i: int, topic: dict) -> PaperNode:
    """Return synthetic paper ``i`` of ``topic``: a made-up method name, topic words,
    real ML words, and a Chinese + English comment with words of its own."""
    words, general = rng.sample(topic["words"], 6), rng.sample(topic["general"], 2)
    title = f"{_word(rng)}: {words[0]} {general[0]} for {words[1]} {rng.choice(GENERAL)} {general[1]}"
    zh = rng.sample(topic["zh"], 3)
    own = "".join(rng.sample(CJK_POOL, 6))  # words of this paper alone
    comment = (f"{zh[0]}{rng.choice(ZH_FILLER)}，{zh[1]}和{words[2]} {words[3]}{rng.choice(ZH_FILLER)}\n"
               f"{own}，{zh[2]} {words[4]} {_word(rng)} {rng.choice(GENERAL)} {words[5]}")
    return PaperNode(
        paper_id=f"{2000 + i // 9000}.{90000 + i % 9000:05d}", title=title,
        categories=(topic["category"],), tags=topic["tags"], commentary=comment,
        mentions=((f"daily/g{i % 97:03d}/2025-{1 + i % 12:02d}.md", 5 + i % 300),),
    )


def synthetic_papers(count: int, seed: int = 1) -> list[PaperNode]:
    """Return ``count`` deterministic, clearly synthetic papers in Zipf-sized topics."""
    rng = random.Random(seed)
    topics = _topics(rng, max(count // 50, 10))
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(topics))]
    return [_paper(rng, i, topic) for i, topic in enumerate(rng.choices(topics, weights, k=count))]


def cpu_seconds() -> float:
    """Return this process's user + system CPU time: wall time inflates on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def blind_baseline(papers: list[PaperNode], params: LinkParams, sample: int = 800) -> None:
    """Print blocked build vs scoring every pair (the baseline blocking avoids) on a sample."""
    subset = papers[:sample]
    t0 = time.perf_counter()
    index = SimilarityIndex.build(subset, params)
    blocked = time.perf_counter() - t0
    feats = [index.feats[p.paper_id] for p in subset]
    t0 = time.perf_counter()
    for i, a in enumerate(feats):
        for b in feats[i + 1 :]:
            pair_score(a, b, params)
    blind = time.perf_counter() - t0
    scale = (len(papers) / sample) ** 2
    print(f"baseline on {sample} papers: blocked build {blocked:.2f} s, scoring every pair {blind:.2f} s "
          f"({blind / blocked:.0f}x); every pair of {len(papers)} papers would take ~{blind * scale:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    papers = synthetic_papers(args.papers, args.seed)
    params = LinkParams()

    start, cpu_start = time.perf_counter(), cpu_seconds()
    index = SimilarityIndex.build(papers, params)
    indexed, cpu_indexed = time.perf_counter(), cpu_seconds()
    graph = graph_from_index(index)
    built = time.perf_counter()
    full, cpu = built - start, cpu_seconds() - cpu_start
    print(f"papers: {len(papers)}, edges: {graph.number_of_edges()}, "
          f"topics: {len({t for _, t in graph.nodes(data='topic')})}")
    print(f"full build: {full:.2f} s wall (index {indexed - start:.2f} s, graph + Louvain {built - indexed:.2f} s)"
          f" - target < 30 s")
    print(f"CPU time: {cpu:.2f} s (index {cpu_indexed - cpu_start:.2f} s), load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall time counts other processes too")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB - target < 2048 MiB")

    times = []
    for paper in papers[:: max(len(papers) // 20, 1)]:  # 20 papers across topics of every size
        edited = replace(paper, commentary=paper.commentary + "，视频生成 video generation")
        for node in (edited, paper):  # edit one paper, then put it back
            t0 = time.perf_counter()
            refresh_graph(graph, index, index.update(node))
            times.append(time.perf_counter() - t0)
    times.sort()
    median, worst = times[len(times) // 2], times[-1]
    print(f"incremental update of one paper (index + graph): median {median * 1000:.1f} ms, "
          f"worst {worst * 1000:.1f} ms of {len(times)}; the full build takes {full / median:.0f}x the median")
    blind_baseline(papers, params)


if __name__ == "__main__":
    main()
