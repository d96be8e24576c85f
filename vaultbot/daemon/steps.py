"""The default per-note pipeline: the features that exist, chained (lint -> resolve -> link).

Each step adapts one feature's library API to ``(vault, rel) -> Outcome``.  A feature
that is not installed (or not built yet) is left out with a debug message, so the
daemon machinery works with whatever the checkout provides.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vaultbot.config import Config
from vaultbot.daemon.pipeline import Outcome, Pipeline, Step, chain
from vaultbot.daemon.worker import Fetcher
from vaultbot.vault import Vault

if TYPE_CHECKING:
    from vaultbot.link import LinkPlan
    from vaultbot.similarity import SimilarityIndex

log = logging.getLogger("vaultbot.watch")


def only(vault: Vault, rels: Sequence[str]) -> Vault:
    """Return a view of ``vault`` whose parsed notes are just ``rels`` (file index kept)."""
    notes = {rel: vault.notes[rel] for rel in rels if rel in vault.notes}
    return dataclasses.replace(vault, notes=notes, unreadable={})


class LintStep:
    """Lint the batch (findings go to the daemon's log); never edits.

    ``lint()`` indexes every file of the vault on each call (200 ms at 80k files); the
    daemon lints one note at a time, so it keeps the index while the file list is the
    same and hands it to the lint context.
    """

    def __init__(self) -> None:
        self._files: tuple[str, ...] | None = None
        self._index: object | None = None

    def __call__(self, vault: Vault, rels: Sequence[str]) -> Outcome:
        from vaultbot.lint import load_rules, selection_for
        from vaultbot.lint.checks import REGISTRY
        from vaultbot.lint.context import LintContext
        from vaultbot.lint.engine import run

        view = only(vault, rels)
        if not view.notes:
            return Outcome()
        rules = load_rules()
        selection, sources = selection_for(view, None, None)
        selection.validate(rules, sources)
        ctx = LintContext(view, False)
        ctx._index = self._file_index(vault.files)  # type: ignore[assignment]
        return Outcome(diagnostics=run(ctx, selection.effective(rules), REGISTRY))

    def _file_index(self, files: tuple[str, ...]) -> object:
        from vaultbot.resolver import FileIndex

        if self._index is None or (files is not self._files and files != self._files):
            self._files, self._index = files, FileIndex(files)
        return self._index


lint_step = LintStep()


StepFactory = Callable[[Path, Config, bool], "Step | None"]


def _lint_factory(root: Path, config: Config, offline: bool) -> Step | None:
    return LintStep() if _available("vaultbot.lint", "lint") else None


def default_pipeline(
    root: Path, config: Config, *, offline: bool
) -> tuple[Pipeline, Fetcher | None]:
    """Return the chained steps of every available feature, and the papers fetcher."""
    steps: list[Step] = []
    for name, factory in FACTORIES:
        step = factory(root, config, offline)
        if step is None:
            log.debug("pipeline: %s is not available; skipped", name)
        else:
            steps.append(step)
    log.debug("pipeline: %d steps", len(steps))
    fetcher = (
        None
        if offline or _resolve_factory(root, config, offline) is None
        else arxiv_fetcher(root, config)
    )
    return chain(steps), fetcher


def _available(module: str, attr: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False


# -- resolve ----------------------------------------------------------------------------

OFFLINE_REASON = "offline"


def resolve_step(vault: Vault, rels: Sequence[str]) -> Outcome:
    """Title the notes' bare paper links from the cache; queue IDs the cache lacks.

    Runs offline by design: the network is the papers worker's job, so a slow or dead
    API never holds back the next note (issue 8).
    """
    from vaultbot.resolve import resolve_vault

    view = only(vault, rels)
    if not view.notes:
        return Outcome()
    result = resolve_vault(view, offline=True)
    wanted = {pid for pid, why in result.failures.items() if OFFLINE_REASON in why}
    return Outcome(
        diagnostics=[u.to_diagnostic() for u in result.unresolved if u.paper_id not in wanted],
        edits=list(result.edits),
        papers=wanted,
    )


def arxiv_fetcher(root: Path, config: Config) -> Fetcher:
    """Return the worker's fetcher: the real arXiv client, results stored in the cache."""

    def fetch(ids: list[str]) -> set[str]:
        from vaultbot.arxiv_client import ArxivClient, ClientSettings
        from vaultbot.cache import Cache, default_cache_path

        section = config["resolve"]
        client = ArxivClient(ClientSettings.from_config(section))  # fresh budget per batch
        outcome = client.fetch(ids)
        with Cache.open(default_cache_path(root, section["cache_path"])) as cache:
            cache.put(outcome.found.values())
            cache.put_not_found(outcome.not_found)
        if outcome.failed and not (outcome.found or outcome.not_found):
            reasons = sorted(set(outcome.failed.values()))
            raise OSError("; ".join(reasons)[:200])
        return set(outcome.found) | set(outcome.not_found)

    return fetch


def _resolve_factory(root: Path, config: Config, offline: bool) -> Step | None:
    return resolve_step if _available("vaultbot.resolve", "resolve_vault") else None


# -- link -------------------------------------------------------------------------------


class LinkStep:
    """Keep related lines current, doing work proportional to the change (issue 8).

    The index is built once (on the first call) and then updated paper by paper
    (``SimilarityIndex.update``/``remove``), so a changed note costs the papers it
    mentions, not a rebuild.  The vault-wide link plan is redone (cheap), compared
    with the previous one, and only the changed notes plus the notes the difference
    touches (``link.affected_notes``: those holding a paper whose related list, or a
    listed paper's target or title, changed) are rendered; the rest would get the
    same edits as last time, which were written.
    """

    def __init__(self) -> None:
        self.index: SimilarityIndex | None = None
        self.papers_of: dict[str, set[str]] = {}
        self.plan: LinkPlan | None = None
        self.edges: EdgeBook
        self.titles: dict[str, str] = {}
        self.last_only: set[str] | None = None  # the notes the last call rendered (None: all)
        self.pending: set[str] = set()  # the notes the last call gave edits
        self.notes_of: dict[str, set[str]] = {}  # paper -> notes mentioning it

    def __call__(self, vault: Vault, rels: Sequence[str]) -> Outcome:
        try:
            return self._run(vault, rels)
        except BaseException:
            self.index = self.plan = None  # half-updated: the next call starts afresh
            raise

    def _run(self, vault: Vault, rels: Sequence[str]) -> Outcome:
        from vaultbot.link import affected_notes, link_edits, plan_links

        if self.index is None:
            self._build(vault)
        else:
            self._update(vault, rels)
        previous = self.plan
        changed = self.edges.take_changed()
        plan = plan_links(vault, self.edges.edges, self.titles, previous, changed_edges=changed)
        only = None if previous is None else affected_notes(previous, plan, rels) | set(rels) | self.pending
        edits = list(link_edits(plan, only).edits)
        # Notes just given edits are rendered again next time: if a write was dropped
        # (the note changed, a later step failed), this heals it; if not, it costs little.
        self.plan, self.last_only, self.pending = plan, only, {e.path for e in edits}
        return Outcome(edits=edits)

    def _build(self, vault: Vault) -> SimilarityIndex:
        from vaultbot.similarity import LinkParams, SimilarityIndex
        from vaultbot.sync import paper_nodes

        nodes = paper_nodes(vault)
        self.index = SimilarityIndex.build(nodes, LinkParams.from_config(vault.config))
        self.papers_of, self.notes_of = {}, {}
        for rel, note in vault.notes.items():
            self._note_papers(rel, _paper_ids(note))
        self.edges = EdgeBook(self.index)
        self.titles = {pid: node.title for pid, node in self.index.nodes.items() if node.title}
        return self.index

    def _update(self, vault: Vault, rels: Sequence[str]) -> SimilarityIndex:
        """Rebuild the nodes of the papers the changed notes mention (or mentioned) only.

        A node joins a paper's commentary from every note holding it, so those notes
        are read, but only for the changed papers; their records come from the cache
        now (the resolve step or the papers worker may just have added them).
        """
        from vaultbot.sync import paper_nodes

        changed: set[str] = set()
        for rel in rels:
            now = _paper_ids(vault.notes[rel]) if rel in vault.notes else set()
            changed |= now | self.papers_of.get(rel, set())
            self._note_papers(rel, now)
        holders = {rel for pid in changed for rel in self.notes_of.get(pid, ())}
        view = dataclasses.replace(
            vault, notes={rel: vault.notes[rel] for rel in holders if rel in vault.notes}
        )
        nodes = {n.paper_id: n for n in paper_nodes(view, changed)}
        index = self.index
        assert index is not None
        touched: set[str] = set()
        titles: dict[str, str | None] = {}
        for pid in sorted(changed):
            if pid in nodes:
                touched |= index.update(nodes[pid])
            elif pid in index.nodes:
                touched |= index.remove(pid)
            node = index.nodes.get(pid)
            titles[pid] = node.title if node is not None and node.title else None
        self.edges.refresh(index, touched)
        if any(self.titles.get(pid) != title for pid, title in titles.items()):
            self.titles = dict(self.titles)  # a new table: the last plan keeps the one it was given
            for pid, title in titles.items():
                _put(self.titles, pid, title)
        return index

    def _note_papers(self, rel: str, papers: set[str]) -> None:
        """Record that note ``rel`` now mentions ``papers`` (both directions)."""
        for pid in self.papers_of.pop(rel, set()) - papers:
            holders = self.notes_of[pid]
            holders.discard(rel)
            if not holders:
                del self.notes_of[pid]
        if papers:
            self.papers_of[rel] = papers
            for pid in papers:
                self.notes_of.setdefault(pid, set()).add(rel)


class EdgeBook:
    """The index's related-paper edges (``SimilarityIndex.edges``), kept up to date.

    An edge ``(a, b)`` exists when ``b`` is in ``a``'s top-k list or ``a`` in ``b``'s, so
    only edges at papers whose top-k list changed (what ``update``/``remove`` return)
    can change: those are dropped and recomputed, instead of walking every paper.
    """

    def __init__(self, index: SimilarityIndex) -> None:
        self.edges = index.edges()
        self.changed: set[tuple[str, str]] = set()  # edges added, dropped or rescored since taken
        self.at: dict[str, set[str]] = {}
        for a, b in self.edges:
            self.at.setdefault(a, set()).add(b)
            self.at.setdefault(b, set()).add(a)

    def refresh(self, index: SimilarityIndex, touched: set[str]) -> None:
        """Recompute the edges at ``touched`` papers."""
        for paper in touched:
            for other in self.at.pop(paper, set()):
                key = (paper, other) if paper < other else (other, paper)
                self.edges.pop(key, None)
                self.changed.add(key)
                self.at.get(other, set()).discard(paper)
        for paper in touched & index.nodes.keys():
            for other, score in index.top_k(paper):
                self._add(paper, other, score)
            for other in index.above.get(paper, {}):
                for b, score in index.top_k(other):
                    if b == paper:
                        self._add(other, paper, score)

    def take_changed(self) -> set[tuple[str, str]]:
        """Return the edges added, dropped or rescored since the last call."""
        changed, self.changed = self.changed, set()
        return changed

    def _add(self, a: str, b: str, score: float) -> None:
        key = (a, b) if a < b else (b, a)
        self.edges[key] = round(score, 6)
        self.changed.add(key)
        self.at.setdefault(a, set()).add(b)
        self.at.setdefault(b, set()).add(a)


def _put(table: dict[str, str], key: str, value: str | None) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def _paper_ids(note: object) -> set[str]:
    return {m.paper_id for m in getattr(note, "mentions", ()) if not m.in_frontmatter}


def _link_factory(root: Path, config: Config, offline: bool) -> Step | None:
    ok = _available("vaultbot.link", "link") and _available(
        "vaultbot.similarity", "SimilarityIndex"
    )
    return LinkStep() if ok and _available("vaultbot.sync", "paper_nodes") else None


# Order matters: resolve titles links first, link reads the titles, lint sees the result.
FACTORIES: tuple[tuple[str, StepFactory], ...] = (
    ("resolve", _resolve_factory),
    ("link", _link_factory),
    ("lint", _lint_factory),
)
