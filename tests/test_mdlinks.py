"""The link scanner's fast paths find exactly what its careful paths find.

``vaultbot.mdlinks`` matches the common markdown link ``[text](dest)`` with one regex
and falls back to the careful bracket and destination scan for everything else (issue 4
"speed").  These tests parse real seed notes, tricky lines and random Markdown soup both
ways (the fast regex disabled) and require identical links.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from vaultbot import mdlinks
from vaultbot.model import Link
from vaultbot.parser import parse

NOTES = Path(__file__).parent / "data" / "notes"
SEED_FILES = sorted([*NOTES.glob("dated-*.md"), *NOTES.glob("report-*.md")])
NEVER = re.compile(r"(?!)")

TRICKY = [
    "[a](b)",
    "[a]()",
    "[a](<b c>)",
    "[a]( b )",
    '[a](b "title")',
    "[a](b 'title')",
    "[a](b (title))",
    "[a](b(c)d)",
    "[a](b\\)c)",
    "[a\\]b](c)",
    "[[a] b](c)",
    "[a [b] c](d)",
    "[a\nb](c)",
    "[a\n\nb](c)",
    "[a](b\n)",
    "[a](\nb)",
    "![](asset/Pasted%20image%2020260104183643.png)",
    "![x](<asset/a b.png>)",
    "[![img](a.png)](https://arxiv.org/abs/2512.24880)",
    "[`x`](y)",
    "[a](b)(c)",
    "[a](b\tc)",
    "[a](b\x01)",
    "[a](b)]",
    "\\[a](b)",
    "[a](b#sub%20x)",
    "- [JavisGPT](https://www.arxiv.org/abs/2512.22905) ",
    "[" + "x" * 3998 + "](y)",
    "[" + "x" * 3999 + "](y)",
    "[" + "x" * 4000 + "](y)",
    "[a](https://huggingface.co/papers/2602.05258)，接着",
]


def links_both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[Link, ...], ...]:
    fast = parse("n.md", text).links
    with monkeypatch.context() as patch:
        patch.setattr(mdlinks, "_SIMPLE_MARKDOWN", NEVER)
        careful = parse("n.md", text).links
    return fast, careful


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_links_fast_equals_careful(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, careful = links_both_ways(text, monkeypatch)
    assert fast == careful


def test_fast_path_is_taken_for_plain_links(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = mdlinks._destination
    monkeypatch.setattr(mdlinks, "_destination", lambda *a: calls.append(1) or original(*a))
    links = parse("n.md", "![](asset/x.png) and [t](https://arxiv.org/abs/2512.24880)").links
    assert [link.path for link in links] == ["asset/x.png", "https://arxiv.org/abs/2512.24880"]
    assert calls == []


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_notes_fast_equals_careful(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, careful = links_both_ways(path.read_text(encoding="utf-8"), monkeypatch)
    assert fast == careful and len(fast) > 5


SOUP = ["[", "]", "(", ")", "<", ">", "!", "\\", " ", "\n", "a", "b.png", "https://x.org/p", '"t"']


@pytest.mark.parametrize("seed", range(3))
def test_random_soup_fast_equals_careful(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        text = "".join(rng.choice(SOUP) for _ in range(rng.randint(0, 30)))
        fast, careful = links_both_ways(text, monkeypatch)
        assert fast == careful, text
