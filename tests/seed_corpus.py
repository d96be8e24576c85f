"""Build ``PaperNode``s from the real seed notes and metadata copied into tests/data.

A deliberately small reader of the two seed layouts (dated notes: a bullet with an
arXiv link and its sub-list; reports: one ``## 📄 Title`` section per paper) so the
similarity tests do not depend on the full note parser.  Titles and categories come
only from ``seed_papers.json`` (real metadata), never from here.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from vaultbot.similarity import PaperNode

DATA = Path(__file__).parent / "data"
NOTES = DATA / "seed_notes"
_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|huggingface\.co/papers/)(\d{4}\.\d{4,5})")
_URL = re.compile(r"https?://[^\s)\]>]+")


def seed_meta() -> dict[str, dict]:
    """Return paper id -> the real metadata record of every seed paper."""
    papers = json.loads((DATA / "seed_papers.json").read_text(encoding="utf-8"))["papers"]
    return {p["id"]: p for p in papers}


def _dated_mentions(name: str, lines: list[str]) -> list[tuple[str, int, str]]:
    """Return (paper id, line, commentary) for each bullet holding an arXiv link."""
    out = []
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        found = _ARXIV.search(line)
        if not stripped.startswith("- ") or not found:
            continue
        indent = len(line) - len(stripped)
        parts = [_URL.sub("", stripped[2:])]
        for nxt in lines[i + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            parts.append(_URL.sub("", nxt.strip()))
        out.append((found.group(1), i + 1, "\n".join(parts).strip()))
    return out


def _report_mentions(lines: list[str]) -> list[tuple[str, int, str]]:
    """Return (paper id, link line, section text) for each ``## 📄`` section."""
    out = []
    starts = [i for i, line in enumerate(lines) if line.startswith("## 📄")] + [len(lines)]
    for start, end in zip(starts, starts[1:]):
        body = lines[start + 1 : end]
        link = next(i for i, line in enumerate(body) if "**链接**" in line)
        paper_id = _ARXIV.search(body[link]).group(1)
        text = "\n".join(_URL.sub("", line) for j, line in enumerate(body) if j != link)
        out.append((paper_id, start + 2 + link, text.strip()))
    return out


def seed_nodes() -> list[PaperNode]:
    """Return one node per seed paper mentioned in the seed notes, with its commentary."""
    meta = seed_meta()
    comments: dict[str, list[str]] = defaultdict(list)
    mentions: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for path in sorted(NOTES.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found = _report_mentions(lines) if path.name.startswith("HF") else _dated_mentions(path.name, lines)
        for paper_id, line, text in found:
            comments[paper_id].append(text)
            mentions[paper_id].append((path.name, line))
    return [
        PaperNode(
            paper_id=pid,
            title=meta[pid]["title"],
            categories=tuple(meta[pid].get("categories") or ()),
            commentary="\n\n".join(comments[pid]),
            mentions=tuple(mentions[pid]),
        )
        for pid in sorted(comments)
    ]
