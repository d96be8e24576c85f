"""Related lists: the capped symmetric choice, and the daemon's book of it kept up to date.

The book must give exactly what ``related_map`` gives from scratch after every change:
edges added, removed and rescored (ties included), papers joining and leaving, caps that
bind so one change ripples along full lists.
"""

from __future__ import annotations

import random

import pytest

from vaultbot.handoff import ABSENT, Earlier
from vaultbot.related_lists import RelatedBook, related_map


def _random_edges(rng: random.Random, papers: list[str], count: int) -> dict[tuple[str, str], float]:
    edges = {}
    for _ in range(count):
        a, b = sorted(rng.sample(papers, 2))
        edges[(a, b)] = rng.choice([0.5, 0.6, 0.7, round(rng.random(), 6)])  # ties break by ids
    return edges


@pytest.mark.parametrize(("max_links", "seed"), [(2, 1), (3, 2), (1, 3), (0, 4), (12, 5)])
def test_the_book_equals_a_fresh_map_after_every_change(max_links: int, seed: int) -> None:
    rng = random.Random(seed)
    papers = [f"p{i:02d}" for i in range(30)]
    edges = _random_edges(rng, papers, 90)
    members = set(rng.sample(papers, 26))
    book = RelatedBook(edges, members, max_links)
    assert book.related == related_map(edges, members, max_links)
    for _ in range(150):
        before = {p: list(v) for p, v in book.related.items()}
        changed: set[tuple[str, str]] = set()
        moved: set[str] = set()
        for _ in range(rng.randint(1, 4)):
            what = rng.random()
            if what < 0.3 and edges:  # removed
                key = rng.choice(sorted(edges))
                del edges[key]
                changed.add(key)
            elif what < 0.7:  # added or rescored
                key = tuple(sorted(rng.sample(papers, 2)))
                edges[key] = rng.choice([0.5, 0.6, round(rng.random(), 6)])  # type: ignore[index]
                changed.add(key)  # type: ignore[arg-type]
            else:  # a paper joins or leaves
                paper = rng.choice(papers)
                (members.discard if paper in members else members.add)(paper)
                moved.add(paper)
        old = book.update(edges, changed, moved, members)
        assert book.related == related_map(edges, members, max_links)
        assert dict(Earlier(book.related, old)) == before  # the old lists, for the plan before
        assert all(old[p] != book.related.get(p, ABSENT) for p in old)  # only lists that changed


def test_one_change_ripples_along_full_lists() -> None:
    # a-b, b-c, c-d, d-e, best first, one link each: a-b, c-d kept.  A better b-c
    # takes b and c, so a and d lose theirs and d-e comes in.
    edges = {("a", "b"): 0.9, ("b", "c"): 0.8, ("c", "d"): 0.7, ("d", "e"): 0.6}
    papers = set("abcde")
    book = RelatedBook(edges, papers, 1)
    assert book.related == {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": []}
    edges[("b", "c")] = 0.95
    old = book.update(edges, [("b", "c")], [], papers)
    assert book.related == {"a": [], "b": ["c"], "c": ["b"], "d": ["e"], "e": ["d"]} == related_map(edges, papers, 1)
    assert set(old) == set("abcde")


def test_a_pair_listed_in_both_orders_counts_once() -> None:
    edges = {("a", "b"): 0.9, ("b", "a"): 0.8, ("a", "c"): 0.7}
    book = RelatedBook(edges, {"a", "b", "c"}, 2)
    assert book.related == related_map(edges, {"a", "b", "c"}, 2) == {"a": ["b", "c"], "b": ["a"], "c": ["a"]}
    del edges[("a", "b")]
    book.update(edges, [("a", "b")], [], {"a", "b", "c"})
    assert book.related == related_map(edges, {"a", "b", "c"}, 2)
