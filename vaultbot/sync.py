"""``vaultbot sync``: resolve + link + lint in one pass over notes parsed once (issue 6).

The vault is scanned and parsed once.  Each writing step returns Edits; they are applied
(or, under ``dry_run``, spliced in memory) and only the notes they changed are re-parsed
(``Vault.with_note``) before the next step reads them, so link sees resolved titles and
lint sees the final text.  A dry run therefore shows exactly the diff a real run writes.
Every write happens under the vault's write lock, through ``vaultbot.writer``.

``run_link``/``run_clean``/``run_sync`` are the library entries; the CLI and the daemon
call them (the daemon passes the notes that changed and the Vault it keeps in memory).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vaultbot.config import Config
from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.vault import Vault, load_vault
from vaultbot.writer import Source, encode, splice, unified_diff

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """Report nothing (the default when not on a terminal)."""


@dataclass
class SyncReport:
    """What a run did (or, dry, would do): per-step counts, files, diff, findings."""

    vault: Vault
    resolve: Any = None  # resolve.ResolveSummary of the resolve step, when it ran
    unresolved: list[Diagnostic] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    changed: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step (bench/)

    @property
    def errors(self) -> int:
        """Return how many findings are errors."""
        return sum(1 for d in self.diagnostics if d.severity == "error")

    def summary(self, dry_run: bool = False) -> str:
        """Return the one-line summary printed at the end of a run."""
        verb = "would change" if dry_run else "changed"
        parts = []
        if self.resolve is not None:
            r = self.resolve
            parts.append(f"{r.resolved} of {r.papers} papers resolved ({r.links_rewritten} links titled, "
                         f"{len(self.unresolved)} unresolved)")
        parts.append(f"{self.links_added} links added, {self.links_removed} removed")
        parts.append(f"{len(self.changed)} notes {verb}")
        parts.append(f"{len(self.diagnostics)} problems found ({self.errors} errors)")
        return "sync: " + ", ".join(parts)


class _Stage:
    """Applies one step's edits: for real through the writer, or in memory when dry."""

    def __init__(self, vault: Vault, report: SyncReport, dry_run: bool) -> None:
        self.vault = vault
        self.report = report
        self.dry_run = dry_run
        self.original = {p: n.text for p, n in vault.notes.items()}

    def apply(self, edits: list[Edit]) -> None:
        """Apply ``edits``, then re-parse exactly the notes they changed."""
        if not edits:
            return
        if self.dry_run:
            self.vault = in_memory(self.vault, edits)
            self.report.changed |= {e.path for e in edits if self.vault.notes[e.path].text != self.original[e.path]}
            return
        from vaultbot.writer import apply

        result = apply(self.vault.root, edits, self.vault.sources)
        self.report.skipped.extend(result.skipped)
        self.report.written |= set(result.written)
        self.report.changed |= set(result.written)
        for rel in result.written:
            self.vault = self.vault.with_note(rel)

    def finish(self) -> None:
        """Record the whole-run diff (original text against final text) and the vault."""
        for rel in sorted(self.report.changed):
            if rel in self.vault.notes:
                self.report.diff.append(unified_diff(rel, self.original[rel], self.vault.notes[rel].text))
        self.report.vault = self.vault


def in_memory(vault: Vault, edits: Iterable[Edit]) -> Vault:
    """Return ``vault`` with ``edits`` spliced into its notes and those notes re-parsed."""
    from vaultbot.parser import parse

    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    notes, sources = dict(vault.notes), dict(vault.sources)
    for rel, mine in by_path.items():
        note, source = vault.notes[rel], vault.sources[rel]
        text = splice(note.text, mine, source.newline)
        notes[rel] = parse(rel, text, bom=source.bom)
        sources[rel] = Source(raw=encode(text, source.bom), bom=source.bom, newline=source.newline)
    return replace(vault, notes=notes, sources=sources)


@contextlib.contextmanager
def _writing(root: Path, dry_run: bool) -> Iterator[None]:
    """Hold the vault write lock for a real run (a dry run writes nothing)."""
    if dry_run:
        yield
        return
    from vaultbot.locks import vault_write_lock

    with vault_write_lock(root):
        yield


# -- steps ------------------------------------------------------------------------------


def related_edges(vault: Vault, *, remember: bool = True) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """Return the related-paper edges of the vault and the titles known for its papers.

    Reuses the edges of the previous run when nothing they depend on changed
    (``vaultbot.related_cache``); ``remember=False`` (a dry run) never writes them.
    """
    from vaultbot import related_cache
    from vaultbot.similarity import LinkParams, related

    digest = related_cache.fingerprint(vault)
    known = related_cache.load(vault, digest)
    if known is not None:
        return known
    nodes = paper_nodes(vault)
    edges = related(nodes, LinkParams.from_config(vault.config))
    titles = {n.paper_id: n.title for n in nodes if n.title}
    if remember:
        related_cache.store(vault, digest, edges, titles)
    return edges, titles


def paper_nodes(
    vault: Vault, only: Collection[str] | None = None, *, records: Mapping[str, Any] | None = None
) -> list[Any]:
    """Return one PaperNode per paper: cached metadata, tags and the user's commentary.

    ``vaultbot graph`` builds its nodes with this too, so the related lines and the
    exported map show the same relations.  ``only`` (paper ids) gives just those
    papers' nodes, reading just their records (the daemon's per-note path);
    ``records`` are the cached records when the caller has read them already.
    """
    from vaultbot.graph import paper_nodes as build_nodes
    from vaultbot.resolve import Knowledge
    from vaultbot.tags import load_tag_rules
    from vaultbot.topic_map import cached_records

    if records is None:
        records = cached_records(vault, only)
    rules = load_tag_rules(vault.root, vault.config.get("resolve", "tag_rules"))
    knowledge = Knowledge(records, {}, rules, {})

    def tags_of(pid: str, _record: Any) -> list[str]:
        return knowledge.paper_tags(pid, "")

    return build_nodes(vault.notes, records, tags_of, only=only)


def link_step(vault: Vault, stage: _Stage, report: SyncReport, progress: Progress) -> None:
    """Compute related links on the current vault and apply them."""
    from vaultbot.link import link  # not ``from vaultbot import link``: that is the function

    progress("link: scoring related papers")
    edges, titles = related_edges(stage.vault, remember=not stage.dry_run)
    result = link(stage.vault, edges, titles)
    report.links_added += result.links_added
    report.links_removed += result.links_removed
    progress(f"link: {result.links_added} links to add, {result.links_removed} to remove")
    stage.apply(result.edits)


def resolve_step(stage: _Stage, report: SyncReport, offline: bool, only: set[str] | None, progress: Progress,
                 settled: set[str] | None = None) -> Any:
    """Resolve bare paper links on the current vault, apply the edits; return the outcome.

    ``settled`` notes are known to need no resolve edit (``sync_state``) and are not planned.
    """
    from vaultbot.resolve import resolve_vault

    def show(done: int, total: int, requests: int) -> None:
        progress(f"resolve: {done}/{total} papers, {requests} requests")

    outcome = resolve_vault(stage.vault, offline=offline, progress=show, settled=settled or set())
    report.resolve = outcome.summary
    report.unresolved = [u.to_diagnostic() for u in outcome.unresolved if only is None or u.path in only]
    stage.apply([e for e in outcome.edits if only is None or e.path in only])
    return outcome


def lint_step(stage: _Stage, report: SyncReport, only: set[str] | None, progress: Progress) -> None:
    """Lint the final state of the vault (only the changed notes when ``only`` is given)."""
    from vaultbot.lint import lint

    progress("lint: checking notes")
    diags = lint(stage.vault)
    report.diagnostics = [d for d in diags if only is None or d.path in only]


# -- entries ----------------------------------------------------------------------------


def run_sync(
    root: str | Path,
    *,
    offline: bool = False,
    dry_run: bool = False,
    vault: Vault | None = None,
    changed: Iterable[str] | None = None,
    config: Config | None = None,
    progress: Progress = _quiet,
) -> SyncReport:
    """Resolve, link and lint the vault at ``root``; return what was done.

    The daemon passes its in-memory ``vault`` and the notes that ``changed``: those are
    re-read, resolved and linted; link always looks at the whole vault, because one
    changed note can change related lines anywhere.  Without them the run is
    ``sync_whole.run_whole``: it remembers each finished run and does work
    proportional to what changed since (``vaultbot.sync_state``).
    """
    if vault is None and changed is None:
        from vaultbot.sync_whole import run_whole

        return run_whole(Path(root), offline=offline, dry_run=dry_run, config=config, progress=progress)
    only = set(changed) if changed is not None else None
    started = time.perf_counter()
    if vault is None:
        vault = load_vault(root, config)
    else:
        for rel in sorted(only or ()):
            vault = vault.with_note(rel)
    report = SyncReport(vault)
    report.seconds["load"] = time.perf_counter() - started
    with _writing(vault.root, dry_run):
        stage = _Stage(vault, report, dry_run)
        _timed(report, "resolve", resolve_step, stage, report, offline, only, progress)
        _timed(report, "link", link_step, stage.vault, stage, report, progress)
        _timed(report, "lint", lint_step, stage, report, only, progress)
        stage.finish()
    return report


def _timed(report: SyncReport, name: str, step: Callable[..., None], *args: Any) -> None:
    started = time.perf_counter()
    step(*args)
    report.seconds[name] = time.perf_counter() - started


def run_link(root: str | Path, *, dry_run: bool = False, config: Config | None = None,
             progress: Progress = _quiet) -> SyncReport:
    """Run ``vaultbot link`` alone: related lines and block IDs for the whole vault."""
    vault = load_vault(root, config)
    report = SyncReport(vault)
    with _writing(vault.root, dry_run):
        stage = _Stage(vault, report, dry_run)
        link_step(vault, stage, report, progress)
        stage.finish()
    return report


def run_clean(root: str | Path, *, dry_run: bool = False, config: Config | None = None) -> SyncReport:
    """Run ``vaultbot clean``: remove every related line, block ID and key link wrote."""
    from vaultbot.link import clean

    vault = load_vault(root, config)
    report = SyncReport(vault)
    with _writing(vault.root, dry_run):
        stage = _Stage(vault, report, dry_run)
        result = clean(vault)
        report.links_removed = result.links_removed
        stage.apply(result.edits)
        stage.finish()
    return report
