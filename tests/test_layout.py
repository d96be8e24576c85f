"""Layouts: boxes never overlap, groups hold their members, positions are stable."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from graph_samples import paper_graph, synthetic_graph

from vaultbot.exporters import topics
from vaultbot.layout import Rect, cluster_positions, grid_in_group, pack_groups, pack_rows


def _sizes(count: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    return [(rng.choice((300, 420)), rng.randint(60, 300)) for _ in range(count)]


def test_rect_overlap_and_contains() -> None:
    a = Rect(0, 0, 10, 10)
    assert a.overlaps(Rect(9, 9, 5, 5)) and not a.overlaps(Rect(10, 0, 5, 5))  # touching is fine
    assert a.contains(Rect(1, 1, 9, 9)) and not a.contains(Rect(1, 1, 10, 9))


@pytest.mark.parametrize("count", [1, 2, 5, 17, 64])
def test_grid_in_group_never_overlaps_and_fits_inside(count: int) -> None:
    width, height, rects = grid_in_group(_sizes(count, count), padding=40, gap=30)
    box = Rect(0, 0, width, height)
    assert len(rects) == count
    assert all(box.contains(r) for r in rects)
    assert not [pair for pair in combinations(rects, 2) if pair[0].overlaps(pair[1])]
    assert min(r.x for r in rects) == 40 and min(r.y for r in rects) == 40
    assert max(r.y + r.height for r in rects) + 40 == height  # sized to content


def test_pack_rows_keeps_order_and_never_overlaps() -> None:
    sizes = _sizes(40, 3)
    corners = pack_rows(sizes, gap=50)
    rects = [Rect(x, y, w, h) for (x, y), (w, h) in zip(corners, sizes)]
    assert not [pair for pair in combinations(rects, 2) if pair[0].overlaps(pair[1])]
    rows = sorted({y for _, y in corners})
    assert len(rows) > 1 and corners[0] == (0, 0)
    assert corners == sorted(corners, key=lambda c: (c[1], c[0]))  # reading order


def test_pack_groups_offsets_members_with_their_group() -> None:
    groups = [_sizes(n, n) for n in (3, 9, 1, 20)]
    layouts = pack_groups(groups, padding=40, gap=40, group_gap=160)
    assert [len(g.members) for g in layouts] == [3, 9, 1, 20]
    for layout in layouts:
        assert all(layout.box.contains(m) for m in layout.members)
    assert not [(a, b) for a, b in combinations([g.box for g in layouts], 2) if a.overlaps(b)]


@pytest.mark.parametrize("graph", [paper_graph(), synthetic_graph(900, topics=3)], ids=["seed", "large-clusters"])
def test_cluster_positions_are_stable_and_clusters_apart(graph: object) -> None:
    clusters = [members for _, _, members in topics(graph)]  # type: ignore[arg-type]
    first, placed = cluster_positions(graph, clusters)  # type: ignore[arg-type]
    assert (first, placed) == cluster_positions(graph, clusters)  # type: ignore[arg-type]
    assert set(first) == set(graph)  # type: ignore[call-overload]
    for members, where in zip(clusters, placed):
        for node in members:
            x, y = first[node]
            assert (x - where.x) ** 2 + (y - where.y) ** 2 <= (where.radius + 1) ** 2
    for a, b in combinations(placed, 2):
        assert (a.x - b.x) ** 2 + (a.y - b.y) ** 2 >= (a.radius + b.radius) ** 2
