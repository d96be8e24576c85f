"""The related line format, short titles, block IDs and link's frontmatter key (issue 6)."""

from __future__ import annotations

import pytest

from vaultbot import regions
from vaultbot.parser import parse
from vaultbot.writer import splice

# Real titles of seed papers (tests/data/seed_papers.json / the seed reports).
TITLES = [
    ("CoPE: Clipped RoPE as A Scalable Free Lunch for Long Context LLMs", "CoPE"),
    ("Multi-hop Reasoning via Early Knowledge Alignment", "Multi-hop Reasoning via Early Knowledge Alignment"),
    ("mHC: Manifold-Constrained Hyper-Connections", "mHC"),
    ("JavisGPT: A Unified Multi-modal LLM for Sounding-Video Comprehension and Generation", "JavisGPT"),
    ("Recursive Language Models", "Recursive Language Models"),
    ("A: short head keeps the whole title", "A: short head keeps the whole title"),
    ("Pipes | and [brackets]: escaped", "Pipes / and (brackets)"),
    ("100%% sure: comment markers", "100% sure"),
    ("视频生成：中文冒号", "视频生成"),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_short_title_takes_the_name_before_the_colon(title: str, expected: str) -> None:
    assert regions.short_title(title) == expected


def test_short_title_cuts_long_titles_at_a_word() -> None:
    title = ("Accelerating Diffusion via Hybrid Data-Pipeline Parallelism Based on Conditional "
             "Guidance Scheduling")
    short = regions.short_title(title)
    assert short == "Accelerating Diffusion via Hybrid Data-Pipeline…"
    assert len(short) <= regions.SHORT_TITLE_MAX


def test_wikilink_and_markdown_link_shapes() -> None:
    target = regions.Target("HF Daily 2026-02-07", "arxiv-2602-05258", "CoPE: Clipped RoPE")
    assert regions.render_link(target, markdown=False) == "[[HF Daily 2026-02-07#^arxiv-2602-05258|CoPE]]"
    assert regions.render_link(target, markdown=True) == "[CoPE](HF%20Daily%202026-02-07.md#^arxiv-2602-05258)"


def test_related_line_round_trips_through_the_finder() -> None:
    targets = [regions.Target("2025-12", "arxiv-2512-02556", "DeepSeek-V3.2: Pushing"),
               regions.Target("reports/HF Daily 2025-12-25", "arxiv-2512-20144", "Multi-hop Reasoning")]
    line = regions.render_related("\t", targets, markdown=False)
    assert line == ("\t- related: [[2025-12#^arxiv-2512-02556|DeepSeek-V3.2]] · "
                    "[[reports/HF Daily 2025-12-25#^arxiv-2512-20144|Multi-hop Reasoning]] %%vaultbot%%")
    note = parse("n.md", f"- paper\n{line}\n- other\n")
    found = regions.find_related_lines(note)
    assert [(r.line, r.indent, r.text) for r in found] == [(2, "\t", line)]
    assert found[0].block_ids == ("arxiv-2512-02556", "arxiv-2512-20144")


def test_a_user_line_that_merely_looks_similar_is_not_owned() -> None:
    note = parse("n.md", "- related: my own words\n- related: x %%vaultbot%% and more\n")
    assert regions.find_related_lines(note) == []
    assert not regions.is_related_line("- related: my own words")


@pytest.mark.parametrize(
    ("line", "expected"),
    [("- [T](https://arxiv.org/abs/2512.24880) ^arxiv-2512-24880", "arxiv-2512-24880"),
     ("- https://arxiv.org/abs/2512.24880 ^f3a9c1 ", "f3a9c1"),
     ("- https://arxiv.org/abs/2512.24880", None),
     ("- a^b", None)],
)
def test_block_id_at_line_end(line: str, expected: str | None) -> None:
    assert regions.block_id_of(line) == expected


def test_link_path_shortest_unless_ambiguous() -> None:
    names = regions.name_counts(["daily/2025-12.md", "old/2025-12.md", "reports/HF Daily 2026-02-07.md"])
    assert regions.link_path("reports/HF Daily 2026-02-07.md", names, absolute=False) == "HF Daily 2026-02-07"
    assert regions.link_path("daily/2025-12.md", names, absolute=False) == "daily/2025-12"
    assert regions.link_path("reports/HF Daily 2026-02-07.md", names, absolute=True) == "reports/HF Daily 2026-02-07"


@pytest.mark.parametrize(
    "text",
    ["- a\n", "- a", "---\ntitle: x\n---\n- a\n", "---\r\ntitle: x\r\n---\r\n- a\r\n", "---\n---\n- a\n",
     "---\ntitle: x # comment\ntags:\n  - t\n---\nbody"],
)
def test_frontmatter_key_is_added_and_removed_byte_for_byte(text: str) -> None:
    note = parse("n.md", text)
    newline = "\r\n" if "\r\n" in text else "\n"
    edit = regions.set_recorded_block_ids(note, ["arxiv-2512-24880", "arxiv-2512-02556"])
    assert edit is not None
    added = splice(text, [edit], newline)
    again = parse("n.md", added)
    assert regions.recorded_block_ids(again) == ("arxiv-2512-02556", "arxiv-2512-24880")
    assert regions.set_recorded_block_ids(again, ["arxiv-2512-02556", "arxiv-2512-24880"]) is None
    removal = regions.set_recorded_block_ids(again, [])
    assert removal is not None
    assert splice(added, [removal], newline) == text


def test_block_id_append_and_strip_restore_the_line() -> None:
    text = "- [JavisGPT](https://www.arxiv.org/abs/2512.22905) \n\t- comment\n"
    note = parse("n.md", text)
    added = splice(text, [regions.append_block_id(note, 1, "arxiv-2512-22905")])
    assert added.splitlines()[0] == "- [JavisGPT](https://www.arxiv.org/abs/2512.22905)  ^arxiv-2512-22905"
    again = parse("n.md", added)
    assert regions.find_block_line(again, "arxiv-2512-22905") == 1
    strip = regions.strip_block_id(again, 1, "arxiv-2512-22905")
    assert strip is not None and splice(added, [strip]) == text


@pytest.mark.parametrize("text", ["- a\n- b\n", "- a\n- b", "- a\r\n- b\r\n"])
def test_inserted_line_is_removed_byte_for_byte(text: str) -> None:
    newline = "\r\n" if "\r\n" in text else "\n"
    note = parse("n.md", text)
    line = "\t- related: [[x#^arxiv-1|x]] %%vaultbot%%"
    added = splice(text, [regions.insert_after_line(note, 2, line)], newline)
    again = parse("n.md", added)
    (found,) = regions.find_related_lines(again)
    assert found.line == 3 and found.text == line
    assert splice(added, [regions.remove_line(again, 3)], newline) == text
