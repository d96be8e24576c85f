"""Which papers each paper lists as related: a capped, symmetric choice among the edges.

``related_map`` decides from scratch: edges are taken best first and one is kept only
while both ends have room (at most ``max_links`` each), so if A lists B, B lists A.
``RelatedBook`` keeps the same decisions up to date while a few edges change (the
daemon, issue 8): whether an edge is kept depends only on the better edges at its two
ends, so after a change only the edges after it at those ends are looked at again,
best first, and only as long as decisions flip.  Every edge is not walked per change.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from vaultbot.handoff import ABSENT

Key = tuple[str, str]
Rank = tuple[float, str, str]  # (-score, a, b): the order edges are taken in


def related_map(edges: Mapping[Key, float], papers: Collection[str], max_links: int) -> dict[str, list[str]]:
    """Return paper -> related papers (best first), symmetric, at most ``max_links`` each.

    Edges are taken best first and one is kept only while both ends have room, so the
    cap never breaks symmetry (if A lists B, B lists A).
    """
    ranked = sorted(
        ((s, a, b) for (a, b), s in edges.items() if a != b and a in papers and b in papers),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    related: dict[str, list[str]] = {}
    for _, a, b in ranked:
        la, lb = related.setdefault(a, []), related.setdefault(b, [])
        if b in la or (max_links and (len(la) >= max_links or len(lb) >= max_links)):
            continue
        la.append(b)
        lb.append(a)
    return related


class RelatedBook:
    """``related_map(edges, papers, max_links)``, kept up to date as edges change.

    ``related`` is the map itself (changed in place by ``update``).  An edge takes part
    when both its ends are among ``papers``; ``kept`` holds the edges the lists show.
    """

    def __init__(self, edges: Mapping[Key, float], papers: Collection[str], max_links: int) -> None:
        self.max_links = max_links
        self.adj: dict[str, set[Key]] = {}  # every edge of ``edges`` at each paper
        self.rank: dict[Key, Rank] = {}  # the edges taking part
        self.inc: dict[str, list[tuple[Rank, Key]]] = {}  # a paper's taking-part edges, best first
        self.kept: set[Key] = set()
        for key in edges:
            self._adjacent(key, True)
        ranked = sorted(((-s, *key), key) for key, s in edges.items() if self._takes_part(key, papers))
        for rank, key in ranked:
            self.rank[key] = rank
            for paper in key:
                self.inc.setdefault(paper, []).append((rank, key))
        for rank, key in ranked:
            if self._allowed(key, rank):
                self.kept.add(key)
        self.related: dict[str, list[str]] = {paper: self._listed(paper) for paper in self.inc}

    def update(
        self, edges: Mapping[Key, float], changed: Iterable[Key], moved: Iterable[str], papers: Collection[str]
    ) -> dict[str, Any]:
        """Bring the map in line with ``edges`` and ``papers``; return the old lists of the
        papers whose list changed (``handoff.ABSENT``: it had none).

        ``changed``: the edges added, removed or rescored since the last call; ``moved``:
        the papers that joined or left ``papers``.
        """
        dirty = set()
        for key in changed:
            self._adjacent(key, key in edges)
            dirty.add(key)
        for paper in moved:
            dirty |= self.adj.get(paper, set())
        heap: list[tuple[Rank, Key]] = []
        touched: set[str] = set()
        for key in dirty:
            old = self.rank.get(key)
            new = (-edges[key], *key) if key in edges and self._takes_part(key, papers) else None
            if old != new:
                touched.update(key)
                self._rerank(key, old, new, heap)
        self._settle(heap, touched)
        return self._relist(touched)

    # -- internals -----------------------------------------------------------------

    @staticmethod
    def _takes_part(key: Key, papers: Collection[str]) -> bool:
        return key[0] != key[1] and key[0] in papers and key[1] in papers

    def _adjacent(self, key: Key, present: bool) -> None:
        if key[0] == key[1]:
            return
        for paper in key:
            if present:
                self.adj.setdefault(paper, set()).add(key)
            elif paper in self.adj:
                self.adj[paper].discard(key)
                if not self.adj[paper]:
                    del self.adj[paper]

    def _rerank(self, key: Key, old: Rank | None, new: Rank | None, heap: list[tuple[Rank, Key]]) -> None:
        """Move ``key`` from rank ``old`` to ``new`` (None: not taking part)."""
        if old is not None:
            for paper in key:
                row = self.inc[paper]
                del row[bisect.bisect_left(row, (old, key))]
                if not row:
                    del self.inc[paper]
            del self.rank[key]
            if key in self.kept:  # the edges after it at its ends may have room now
                self.kept.discard(key)
                self._push_after(key, old, heap)
        if new is not None:
            self.rank[key] = new
            for paper in key:
                bisect.insort(self.inc.setdefault(paper, []), (new, key))
            heapq.heappush(heap, (new, key))

    def _settle(self, heap: list[tuple[Rank, Key]], touched: set[str]) -> None:
        """Decide the queued edges best first; a flip queues the later edges at its ends."""
        while heap:
            rank, key = heapq.heappop(heap)
            if self.rank.get(key) != rank:
                continue  # gone, or queued again at another rank
            allowed = self._allowed(key, rank)
            if allowed != (key in self.kept):
                (self.kept.add if allowed else self.kept.discard)(key)
                touched.update(key)
                self._push_after(key, rank, heap)

    def _push_after(self, key: Key, rank: Rank, heap: list[tuple[Rank, Key]]) -> None:
        for paper in key:
            row = self.inc.get(paper, [])
            for item in row[bisect.bisect_right(row, (rank, key)) :]:
                heapq.heappush(heap, item)

    def _allowed(self, key: Key, rank: Rank) -> bool:
        """Return True when ``key`` is kept given the better edges at its ends (as
        ``related_map`` decides: no pair twice, both ends with room)."""
        a, b = key
        if (b, a) in self.kept and self.rank[(b, a)] < rank:
            return False
        if not self.max_links:
            return True
        return all(self._kept_before(paper, rank) < self.max_links for paper in key)

    def _kept_before(self, paper: str, rank: Rank) -> int:
        count = 0
        for other_rank, other in self.inc.get(paper, ()):
            if other_rank >= rank:
                break
            count += other in self.kept
        return count

    def _listed(self, paper: str) -> list[str]:
        return [b if a == paper else a for _, (a, b) in self.inc[paper] if (a, b) in self.kept]

    def _relist(self, touched: set[str]) -> dict[str, Any]:
        old: dict[str, Any] = {}
        for paper in touched:
            now = self._listed(paper) if paper in self.inc else None
            before = self.related.get(paper, ABSENT)
            if now == (None if before is ABSENT else before):
                continue
            old[paper] = before
            if now is None:
                del self.related[paper]
            else:
                self.related[paper] = now
        return old
