"""Deterministic layouts for the topic maps: boxes packed in rows, clusters per topic.

The canvas needs a guarantee (no two cards overlap, a group encloses its cards), which a
grid gives by construction; the HTML map wants related papers near each other, which
networkx's seeded spring layout gives within each topic.  Both return integer
coordinates so the same graph always gives the same file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned box; ``x``/``y`` is the top-left corner."""

    x: int
    y: int
    width: int
    height: int

    def overlaps(self, other: Rect) -> bool:
        """Return True when the two boxes share interior area (touching edges do not count)."""
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )

    def contains(self, other: Rect) -> bool:
        """Return True when ``other`` lies entirely inside this box."""
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.x + other.width <= self.x + self.width
            and other.y + other.height <= self.y + self.height
        )


@dataclass(frozen=True, slots=True)
class GroupLayout:
    """One group's box and the boxes of its members, in the order they were given."""

    box: Rect
    members: tuple[Rect, ...]


def grid_in_group(sizes: Sequence[tuple[int, int]], padding: int, gap: int) -> tuple[int, int, list[Rect]]:
    """Place boxes in a near-square grid; return the group's width, height and member boxes.

    Columns are as wide as the widest box and each row as tall as its tallest box, so no
    two boxes overlap whatever their sizes.
    """
    columns = max(1, math.ceil(math.sqrt(len(sizes))))
    col_width = max((w for w, _ in sizes), default=0)
    rects: list[Rect] = []
    y = padding
    for start in range(0, len(sizes), columns):
        row = sizes[start : start + columns]
        for i, (w, h) in enumerate(row):
            rects.append(Rect(padding + i * (col_width + gap), y, w, h))
        y += max(h for _, h in row) + gap
    used_cols = min(columns, len(sizes))
    width = 2 * padding + used_cols * col_width + max(0, used_cols - 1) * gap
    height = max(y - gap + padding, 2 * padding)
    return width, height, rects


def pack_rows(sizes: Sequence[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Shelf-pack boxes left to right in rows about as wide as the whole is tall.

    Returns each box's top-left corner, in input order; boxes in a row never overlap
    and each row starts below the tallest box of the row before.
    """
    area = sum((w + gap) * (h + gap) for w, h in sizes)
    row_width = max(max((w for w, _ in sizes), default=0), int(math.sqrt(area) * 1.4))
    corners: list[tuple[int, int]] = []
    x = y = row_height = 0
    for w, h in sizes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0, y + row_height + gap, 0
        corners.append((x, y))
        x += w + gap
        row_height = max(row_height, h)
    return corners


def pack_groups(groups: Sequence[Sequence[tuple[int, int]]], padding: int, gap: int, group_gap: int) -> list[GroupLayout]:
    """Lay out groups of boxes: a grid inside each group, the groups packed in rows."""
    inner = [grid_in_group(sizes, padding, gap) for sizes in groups]
    corners = pack_rows([(w, h) for w, h, _ in inner], group_gap)
    layouts = []
    for (gx, gy), (w, h, rects) in zip(corners, inner):
        members = tuple(Rect(gx + r.x, gy + r.y, r.width, r.height) for r in rects)
        layouts.append(GroupLayout(Rect(gx, gy, w, h), members))
    return layouts


SPRING_LIMIT = 150  # spring layout is O(n^2) per step: beyond this a topic gets a spiral


@dataclass(frozen=True, slots=True)
class Cluster:
    """Where one cluster was put: its centre and radius (for a label above it)."""

    x: int
    y: int
    radius: int


def cluster_positions(
    graph: nx.Graph, clusters: Sequence[Sequence[Any]], spacing: int = 40
) -> tuple[dict[Any, tuple[int, int]], list[Cluster]]:
    """Return integer positions: each cluster laid out on its own, clusters packed in rows.

    Small clusters use networkx's spring layout (seeded, so stable); large ones a
    sunflower spiral with the best-connected papers in the middle, which is linear time.
    """
    local = [_cluster_layout(graph, nodes, spacing) for nodes in clusters]
    diameters = [2 * radius + 2 * spacing for radius, _ in local]
    corners = pack_rows([(d, d) for d in diameters], spacing * 2)
    positions: dict[Any, tuple[int, int]] = {}
    placed = []
    for (cx, cy), d, (radius, points) in zip(corners, diameters, local):
        centre = (cx + d // 2, cy + d // 2)
        placed.append(Cluster(centre[0], centre[1], radius))
        for node, (x, y) in points.items():
            positions[node] = (centre[0] + x, centre[1] + y)
    return positions, placed


def _cluster_layout(graph: nx.Graph, nodes: Sequence[Any], spacing: int) -> tuple[int, dict[Any, tuple[int, int]]]:
    radius = int(spacing * (math.sqrt(len(nodes)) + 0.5))
    if len(nodes) <= 1:
        return radius, {n: (0, 0) for n in nodes}
    if len(nodes) <= SPRING_LIMIT:
        unit = _spring(graph, nodes)
    else:
        unit = _sunflower(graph, nodes)
    return radius, {n: (round(x * radius), round(y * radius)) for n, (x, y) in unit.items()}


def _spring(graph: nx.Graph, nodes: Sequence[Any]) -> dict[Any, tuple[float, float]]:
    import networkx as nx

    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from((u, v, d) for u, v, d in graph.subgraph(nodes).edges(data=True))
    pos = nx.spring_layout(sub, seed=7, weight="weight", iterations=60)
    scale = max((math.hypot(x, y) for x, y in pos.values()), default=1.0) or 1.0
    return {n: (float(x) / scale, float(y) / scale) for n, (x, y) in pos.items()}


def _sunflower(graph: nx.Graph, nodes: Sequence[Any]) -> dict[Any, tuple[float, float]]:
    ranked = sorted(nodes, key=lambda n: (-graph.degree(n), str(n)))
    golden = math.pi * (3 - math.sqrt(5))
    count = len(ranked)
    return {
        n: (math.sqrt(i / count) * math.cos(i * golden), math.sqrt(i / count) * math.sin(i * golden))
        for i, n in enumerate(ranked)
    }
