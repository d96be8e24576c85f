"""Generate a large synthetic Obsidian vault shaped like the seed notes (issue 4, "Errors, speed").

Benchmarks need thousands of notes that look like the real ones in ``../shared/seeds``: monthly
dated notes with ``## M.D`` day headings, bullets holding bare arXiv / Hugging Face links that
recur across notes, Chinese + English commentary sub-bullets, pasted images
(``![](asset/Pasted%20image%20….png)``, most of them present), fenced code blocks, some
frontmatter ``sources:`` lists and "Hugging Face Daily Papers Report" files.

Everything is synthetic and deterministic for a given ``--seed``: titles come from word lists,
and every arXiv ID has a sequence number of 90000 or more, which arXiv has never reached in a
month, so no generated title is ever attached to a real paper.  Each note starts with an
Obsidian comment saying so.

Layout::

    OUT/.obsidian/app.json              attachmentFolderPath "./asset" (subfolder of the note's folder)
    OUT/daily/gNNN/YYYY-MM.md           120 monthly notes per group folder
    OUT/daily/gNNN/asset/*.png          their pasted images (~3 % referenced but missing, a few orphans)
    OUT/reports/HF Daily YYYY-MM-DD.md  one report per 20 notes

``--attachments root`` puts every image in ``OUT/asset/`` instead (attachmentFolderPath "asset",
newLinkFormat "absolute", as ``sample_vault/`` has).
The notes write ``asset/…``, so in the default layout Obsidian finds them by its path-suffix rule.

Usage: python bench/generate_vault.py OUT --notes 10000 [--seed 1] [--attachments folder|root]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from tinypng import solid_png  # noqa: E402  (shared with tools/build_sample_vault.py)

T = TypeVar("T")

MONTHS_PER_GROUP = 120  # 2016-01 .. 2025-12
FIRST_YEAR = 2016
REPORT_EVERY = 20  # every 20th note is a Hugging Face report
MISSING_IMAGE_RATE = 0.03
ORPHAN_RATE = 0.01
NOTE_BYTES = 8000  # target size of a dated note; reports come out similar
SEPARATOR = "=" * 60

ADJECTIVES = (
    "Sparse", "Latent", "Scalable", "Unified", "Efficient", "Recursive", "Native", "Hybrid",
    "Contrastive", "Multimodal", "Causal", "Gated", "Adaptive", "Compressed", "Streaming",
    "Self-Supervised", "Hierarchical", "Parallel", "Conditional", "Training-Free",
)
NOUNS = (
    "Diffusion", "Tokenizer", "Attention", "Agents", "Reasoner", "World Model", "Autoencoder",
    "Transformer", "Memory", "Reward Model", "Video Generator", "Router", "Retriever",
    "Policy Optimization", "Position Encoding", "KV Cache", "Benchmark", "Sandbox",
)
TASKS = (
    "Long Context", "Video Editing", "Code Agents", "Image Generation", "Math Reasoning",
    "Embodied Planning", "Speech Synthesis", "Multi-hop QA", "Robot Control", "RLVR",
    "Audio-Visual Generation", "Tool Use", "Data Attribution", "Inference Serving",
)
ZH_SUBJECTS = ("这篇论文", "这个工作", "作者", "该方法", "论文的核心", "实验部分", "这个框架")
ZH_PREDICATES = (
    "提出了一种新的训练方案，先做对齐再做强化学习",
    "在多个基准上都有明显的提升，但是消融实验不够充分",
    "把检索和生成放在同一个框架里，减少了上下文的开销",
    "用稀疏注意力替换了一部分全量注意力，推理速度快了不少",
    "构建了一个新的数据集，并且开源了代码和权重",
    "个人感觉有点tricky，收益主要来自数据而不是架构",
    "值得借鉴的是它的数据筛选流程，可以迁移到我们的任务上",
    "解决了训推不一致的问题，训练更加稳定",
)
EN_COMMENTS = (
    "Key idea: decouple planning from execution and score each step.",
    "Ablations show most of the gain comes from the data mix, not the architecture.",
    "Worth trying on our pipeline; the code is reportedly released.",
    "Compare with the earlier sparse-attention work before citing this.",
    "Training is two-stage: alignment first, then RL with a verifier reward.",
    "Latency numbers look good, but only on a single GPU type.",
)
ZH_LINES = tuple(f"\t- {who}{what}\n" for who in ZH_SUBJECTS for what in ZH_PREDICATES)
EN_LINES = tuple(f"\t- {comment}\n" for comment in EN_COMMENTS)
NESTED_LINES = tuple(f"\t\t- {what}\n" for what in ZH_PREDICATES)
PARAGRAPHS = (
    "生成和理解是否需要放在统一的框架中，目前的方案似乎还没有给出明确的答案。",
    "这一段是读完之后的一些想法：如果把这个方法用在长视频上，显存开销可能会成为瓶颈。",
    "Side note: the appendix has the real details; the main text skips the data filtering.",
    "上图是论文中的主要实验结果，可以看到在长上下文上的提升最明显。",
)
CODE_SNIPPETS = (
    "```python\n# x: [batch_size, hidden_dim]\ndef rms_norm(x, weight):\n"
    "    return x * torch.rsqrt(torch.mean(x ** 2, dim=-1, keepdim=True)) * weight\n```",
    "```python\n(0.1 + 1e20) - 1e20\n>>> 0\n0.1 + (1e20 - 1e20)\n>>> 0.1\n```",
    "```bash\n# not a paper mention: code is masked\ncurl -s https://arxiv.org/abs/1501.99999\n```",
    "~~~python\nscores = q @ k.transpose(-1, -2) / math.sqrt(d)\n"
    "gate = torch.sigmoid(gate_proj(x))\nout = softmax(scores) @ v * gate\n~~~",
)
OTHER_LINKS = (
    "https://github.com/example-lab/{slug}",
    "https://{slug}.github.io/",
    "https://huggingface.co/datasets/example-lab/{slug}",
    "https://zhuanlan.zhihu.com/p/19{num}",
)
REPORT_FIELDS = ("应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果")


class Dice(random.Random):
    """``random.Random`` with float-based ``choice``/``randrange``: about 3x faster, still seeded.

    The generator makes millions of small choices; the stock methods' rejection sampling
    dominated its run time.  Only the forms used here are supported.
    """

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))


class Papers:
    """Synthetic arXiv IDs: a popular pool recurring across the vault plus each month's own."""

    def __init__(self, rng: random.Random, popular: int) -> None:
        self.rng = rng
        self.popular = sorted(self.new_id(rng.randrange(FIRST_YEAR, FIRST_YEAR + 10),
                                          rng.randrange(1, 13)) for _ in range(popular))

    def new_id(self, year: int, month: int) -> str:
        """Return an ID of that month numbered >= 90000, a number arXiv never reached."""
        return f"{year % 100:02d}{month:02d}.9{self.rng.randrange(10000):04d}"

    def pick(self, year: int, month: int) -> str:
        """Return a popular paper already published by then (35 %), else a new one of the month."""
        known = bisect.bisect(self.popular, f"{year % 100:02d}{month:02d}.99999")
        if known and self.rng.random() < 0.35:
            return self.popular[self.rng.randrange(known)]
        return self.new_id(year, month)


def title(paper: str) -> str:
    """Return the same made-up title for a paper wherever it appears."""
    n = int(paper[-4:]) * 7 + int(paper[:4])
    return (f"{ADJECTIVES[n % len(ADJECTIVES)]} {NOUNS[n // 3 % len(NOUNS)]} "
            f"for {TASKS[n // 11 % len(TASKS)]}")


def paper_url(rng: random.Random, paper: str) -> str:
    """Return one of the URL forms users paste for a paper."""
    form = rng.randrange(10)
    if form < 4:
        return f"https://arxiv.org/abs/{paper}"
    if form < 6:
        return f"https://arxiv.org/pdf/{paper}" + (f"v{rng.randrange(1, 4)}" if form == 5 else "")
    if form == 6:
        return f"https://www.arxiv.org/abs/{paper}"
    if form == 7:
        return f"https://arxiv.org/html/{paper}v1"
    return f"https://huggingface.co/papers/{paper}"


def paper_bullet(rng: random.Random, paper: str) -> str:
    """Return a top-level bullet with the link in one of the seeds' styles."""
    url, name, style = paper_url(rng, paper), title(paper), rng.randrange(20)
    if style < 11:
        line = f"- {url}" + (" " if style == 0 else "")  # a trailing space, as pasted
    elif style < 16:
        line = f"- [{name}]({url})"
    elif style < 18:
        line = f"- {name} {url}"
    elif style == 18:
        line = f"- {url} {name}"
    else:
        line = f"- {name}，链接：{url}"
    return line + "\n" + commentary(rng)


def other_bullet(rng: random.Random) -> str:
    """Return a bullet for a non-paper page (project site, repo, dataset, blog)."""
    slug = f"{rng.choice(ADJECTIVES)}-{rng.choice(NOUNS)}".lower().replace(" ", "-")
    url = rng.choice(OTHER_LINKS).format(slug=slug, num=rng.randrange(10**15, 10**16))
    return f"- {url}\n" + commentary(rng)


def commentary(rng: random.Random) -> str:
    """Return 1-4 tab-indented sub-bullets mixing Chinese and English, sometimes nested."""
    lines = []
    for _ in range(rng.randrange(1, 5)):
        lines.append(rng.choice(ZH_LINES if rng.random() < 0.7 else EN_LINES))
        if rng.random() < 0.1:
            lines.append(rng.choice(NESTED_LINES))
    return "".join(lines)


class Images:
    """Names pasted images and remembers which files to write (most, not all)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.present: list[str] = []
        self.orphans: list[str] = []

    def embed(self, day: dt.date) -> str:
        stamp = f"{day:%Y%m%d}{self.rng.randrange(24):02d}{self.rng.randrange(60):02d}" \
                f"{self.rng.randrange(60):02d}"
        name = f"Pasted image {stamp}.png"
        if self.rng.random() >= MISSING_IMAGE_RATE:
            self.present.append(name)
        if self.rng.random() < ORPHAN_RATE:
            self.orphans.append(f"Pasted image {stamp}99.png")
        if self.rng.random() < 0.1:
            return f"![[{name}]]\n"
        return f"![](asset/{name.replace(' ', '%20')})\n"


def day_section(rng: random.Random, day: dt.date, papers: Papers, images: Images) -> str:
    """Return one ``## M.D`` section: paper bullets, images, paragraphs, maybe code."""
    parts = [f"## {day.month}.{day.day}\n\n"]
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.15:
            parts.append(other_bullet(rng))
        else:
            parts.append(paper_bullet(rng, papers.pick(day.year, day.month)))
        if rng.random() < 0.3:
            parts.append("\n" + images.embed(day) + "\n")
        if rng.random() < 0.2:
            parts.append(rng.choice(PARAGRAPHS) + "\n\n")
    if rng.random() < 0.12:
        parts.append(rng.choice(CODE_SNIPPETS) + "\n\n")
    return "".join(parts) + "\n"


def frontmatter(rng: random.Random, papers: Papers, year: int, month: int) -> str:
    """Return a frontmatter block with a ``sources:`` list, as some users keep."""
    sources = "".join(f"  - https://arxiv.org/abs/{papers.pick(year, month)}\n"
                      for _ in range(rng.randrange(1, 4)))
    return f"---\ntags: [reading, papers]\nsources:\n{sources}---\n"


def dated_note(rng: random.Random, year: int, month: int, papers: Papers,
               images: Images, seed: int) -> str:
    """Return a monthly note of about NOTE_BYTES bytes with days in increasing order."""
    head = frontmatter(rng, papers, year, month) if rng.random() < 0.1 else ""
    parts = [head, f"%% synthetic note: bench/generate_vault.py --seed {seed} %%\n\n"]
    size = len(parts[1]) + len(head)
    for day in sorted(rng.sample(range(1, 29), 16)):
        section = day_section(rng, dt.date(year, month, day), papers, images)
        parts.append(section)
        size += len(section.encode())
        if size >= NOTE_BYTES:
            break
    return "".join(parts)


def report_section(rng: random.Random, paper: str) -> str:
    """Return one ``## 📄 Title`` paper section of a Hugging Face Daily Papers report."""
    level = rng.choice(("numbered", "##", "###"))
    parts = [f"## 📄 {title(paper)}\n\n- **链接**: https://huggingface.co/papers/{paper}\n"
             "- **阅读来源**: HTML\n\n"]
    for number, field in enumerate(REPORT_FIELDS, 1):
        body = "".join(f"    *   **要点**：{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_PREDICATES)}。\n"
                       for _ in range(rng.randrange(1, 4)))
        if level == "numbered":
            parts.append(f"{number}. **{field}**：\n{body}\n")
        else:
            parts.append(f"{level} {number}. {field}\n{body.replace('    ', '')}\n")
    return "".join(parts) + f"\n{SEPARATOR}\n\n"


def report_note(rng: random.Random, day: dt.date, papers: Papers, seed: int) -> str:
    """Return a report in the seeds' format with five paper sections."""
    head = (f"# Hugging Face Daily Papers Report\n**Date**: {day:%Y-%m-%d}\n"
            f"**Source URL**: https://huggingface.co/papers/date/{day:%Y-%m-%d}\n\n"
            f"{SEPARATOR}\n\n%% synthetic report: bench/generate_vault.py --seed {seed} %%\n\n")
    return head + "".join(report_section(rng, papers.pick(day.year, day.month)) for _ in range(5))


PNGS = tuple(solid_png(bytes(rgb)) for rgb in ((230, 80, 60), (60, 140, 230), (90, 190, 110),
                                              (240, 200, 60)))


def write_group(out: Path, group: int, count: int, rng: random.Random, papers: Papers,
                seed: int, attachments: str) -> None:
    """Write ``count`` monthly notes of one group folder and their images."""
    folder = out / "daily" / f"g{group:03d}"
    asset = folder / "asset" if attachments == "folder" else out / "asset"
    folder.mkdir(parents=True, exist_ok=True)
    asset.mkdir(parents=True, exist_ok=True)
    images = Images(rng)
    for index in range(count):
        year, month = FIRST_YEAR + index // 12, index % 12 + 1
        text = dated_note(rng, year, month, papers, images, seed)
        (folder / f"{year:04d}-{month:02d}.md").write_text(text, encoding="utf-8", newline="\n")
    for number, name in enumerate(images.present + images.orphans):
        (asset / name).write_bytes(PNGS[number % len(PNGS)])


def write_reports(out: Path, count: int, rng: random.Random, papers: Papers, seed: int) -> None:
    """Write ``count`` reports on consecutive days (one report per date, as HF publishes)."""
    folder = out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    first = dt.date(2020, 1, 1)
    for index in range(count):
        day = first + dt.timedelta(days=index)
        text = report_note(rng, day, papers, seed)
        (folder / f"HF Daily {day:%Y-%m-%d}.md").write_text(text, encoding="utf-8", newline="\n")


def generate(out: Path, notes: int, seed: int = 1, attachments: str = "folder") -> None:
    """Generate a vault of ``notes`` notes under ``out`` (which must not hold a vault yet)."""
    rng = Dice(seed)
    papers = Papers(rng, popular=max(50, notes // 10))
    reports = notes // REPORT_EVERY
    dated = notes - reports
    folder = ".obsidian"
    (out / folder).mkdir(parents=True, exist_ok=True)
    app = {"attachmentFolderPath": "./asset", "newLinkFormat": "relative", "useMarkdownLinks": True}
    if attachments == "root":
        app.update(attachmentFolderPath="asset", newLinkFormat="absolute")
    (out / folder / "app.json").write_text(json.dumps(app, indent=2) + "\n", encoding="utf-8")
    for group, start in enumerate(range(0, dated, MONTHS_PER_GROUP)):
        count = min(MONTHS_PER_GROUP, dated - start)
        write_group(out, group, count, rng, papers, seed, attachments)
    write_reports(out, reports, rng, papers, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder to create the vault in (must be empty)")
    parser.add_argument("--notes", type=int, default=10_000, help="number of notes (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--attachments", choices=("folder", "root"), default="folder",
                        help="images next to each note folder (default) or in one root asset/")
    args = parser.parse_args(argv)
    if args.notes < 1:
        parser.error("--notes must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty; the generator never overwrites a folder")
    start = time.perf_counter()
    generate(args.out, args.notes, args.seed, args.attachments)
    print(f"generated {args.notes} notes in {args.out} ({time.perf_counter() - start:.2f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
