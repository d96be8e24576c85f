"""The real seed papers as the similarity graph sees them in a user's vault.

The five real seed notes (tests/data/seed_notes, byte-for-byte copies of the seeds) are
parsed by the note parser, and ``graph.paper_nodes`` joins each paper's commentary with
its real metadata from ``tests/data/seed_papers.json`` (as the metadata cache would).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import tomllib

from vaultbot.cache import PaperRecord
from vaultbot.graph import paper_nodes
from vaultbot.model import Note
from vaultbot.parser import parse
from vaultbot.similarity import PaperNode

DATA = Path(__file__).parent / "data"
NOTES = DATA / "seed_notes"


def seed_meta() -> dict[str, PaperRecord]:
    """Return paper id -> the real metadata record of every seed paper."""
    papers = json.loads((DATA / "seed_papers.json").read_text(encoding="utf-8"))["papers"]
    return {p["id"]: PaperRecord.from_dict(p) for p in papers}


@cache
def seed_notes() -> dict[str, Note]:
    """Return vault path -> parsed note for the seed notes (daily/ and reports/ as in sample_vault)."""
    notes = {}
    for path in sorted(NOTES.glob("*.md")):
        rel = ("reports/" if path.name.startswith("HF") else "daily/") + path.name
        notes[rel] = parse(rel, path.read_text(encoding="utf-8"))
    return notes


def seed_nodes(tagged: bool = False) -> list[PaperNode]:
    """Return one node per paper mentioned in the seed notes, with its commentary.

    ``tagged`` adds each paper's tags from the shipped tag rules, the way ``vaultbot
    sync`` and ``vaultbot graph`` build their nodes.
    """
    if not tagged:
        return paper_nodes(seed_notes(), seed_meta())
    from vaultbot.resolve import Knowledge
    from vaultbot.tags import load_tag_rules

    knowledge = Knowledge(seed_meta(), {}, load_tag_rules(), {})
    return paper_nodes(seed_notes(), seed_meta(), lambda pid, _record: knowledge.paper_tags(pid, ""))


def labelled_pairs() -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """Return the (related, unrelated) pairs of tests/data/relatedness.toml."""
    data = tomllib.loads((DATA / "relatedness.toml").read_text(encoding="utf-8"))
    return ({frozenset(p[:2]) for p in data["related"]}, {frozenset(p[:2]) for p in data["unrelated"]})
