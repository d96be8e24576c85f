"""``vaultbot sync`` over a whole vault, doing work proportional to what changed (issue 6).

The state a previous real run left (``vaultbot.sync_state``) decides how much to do:
nothing at all when every input is the same (its output is replayed: an already-synced
10,000-note vault costs a scan and a hash per note), else the usual resolve -> link ->
lint over notes parsed once, with resolve skipping notes it left complete and lint
checking only notes whose bytes changed.  Every shortcut yields exactly what a full run
yields (tests/test_sync_state.py compares them).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from vaultbot import sync_state
from vaultbot.config import Config, load_config
from vaultbot.diagnostics import ORDER, Diagnostic
from vaultbot.sync import Progress, SyncReport, _Stage, _timed, _writing, link_step, resolve_step
from vaultbot.sync_state import Inputs, State
from vaultbot.vault import Vault, load_vault


def run_whole(
    root: Path, *, offline: bool, dry_run: bool, config: Config | None, progress: Progress
) -> SyncReport:
    """Resolve, link and lint the vault at ``root``, reusing what the last run left."""
    started = time.perf_counter()
    root = root.resolve()
    config = config or load_config(root)
    progress("sync: reading notes")
    inputs = sync_state.read_inputs(root, config)
    state = sync_state.load(root)
    if state is not None and state.replayable(inputs, offline):
        return _replay(load_vault(root, config, only=()), state, started)
    vault = load_vault(root, config)
    report = SyncReport(vault)
    report.seconds["load"] = time.perf_counter() - started
    digests = {rel: sync_state.note_digest(src.raw) for rel, src in vault.sources.items()}
    settled = state.settled(inputs.settings, inputs.cache, stated_digest(vault), digests, offline) if state else set()
    with _writing(vault.root, dry_run):
        stage = _Stage(vault, report, dry_run)
        t0 = time.perf_counter()
        outcome = resolve_step(stage, report, offline, None, progress, settled)
        report.seconds["resolve"] = time.perf_counter() - t0
        _timed(report, "link", link_step, stage.vault, stage, report, progress)
        t0 = time.perf_counter()
        findings, vault_findings, references = _lint(stage, report, state, inputs, progress)
        report.seconds["lint"] = time.perf_counter() - t0
        stage.finish()
        if not dry_run:
            _remember(stage.vault, inputs, report, outcome, (findings, vault_findings), references, offline)
    return report


def _replay(vault: Vault, state: State, started: float) -> SyncReport:
    """Return the stored output of the last run: no input changed since it changed nothing."""
    from vaultbot.resolve import ResolveSummary

    summary, unresolved, found = state.replayed()
    report = SyncReport(vault)
    report.resolve = ResolveSummary(**summary) if summary is not None else None
    report.unresolved, report.diagnostics = unresolved, found
    report.seconds["replay"] = time.perf_counter() - started
    return report


def _lint(
    stage: _Stage, report: SyncReport, state: State | None, inputs: Inputs, progress: Progress
) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic], dict[str, list[str]]]:
    """Lint the final vault, reusing stored findings of notes whose bytes did not change.

    Returns each note's findings, the vault rules' findings and each note's referenced
    files (what the next run may reuse).
    Vault rules (unreadable-note, orphan-asset) always run, orphan-asset counting the
    stored references of the notes not linted again.
    """
    from vaultbot.lint import lint
    from vaultbot.lint.context import LintContext

    vault = stage.vault
    digests = {rel: sync_state.note_digest(src.raw) for rel, src in vault.sources.items()}
    reuse = state.linted(inputs.settings, inputs.files, digests) if state else set()
    progress(f"lint: checking {len(vault.notes) - len(reuse)} notes")
    view = replace(vault, notes={rel: n for rel, n in vault.notes.items() if rel not in reuse})
    kept = {rel: state.references.get(rel, []) for rel in reuse} if state else {}
    ctx = LintContext(view, True, referenced_elsewhere=lambda: {f for files in kept.values() for f in files})
    found = lint(view, context=ctx)
    findings, rest = _by_note(found, view)
    for rel in reuse:
        findings[rel] = state.note_findings(rel) if state else []
    report.diagnostics = sorted(rest + [d for ds in findings.values() for d in ds], key=ORDER)
    return findings, rest, {**kept, **_references(ctx)}


def _by_note(found: list[Diagnostic], view: Vault) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """Split findings into each note's own (note rules) and the vault rules' ones."""
    from vaultbot.lint.checks import REGISTRY

    per_note: dict[str, list[Diagnostic]] = {rel: [] for rel in view.notes}
    rest: list[Diagnostic] = []
    for d in found:
        check = REGISTRY.get(d.rule)
        if d.path in per_note and check is not None and check.scope == "note":
            per_note[d.path].append(d)
        else:
            rest.append(d)
    return per_note, rest


def _references(ctx: Any) -> dict[str, list[str]]:
    """Return the files each linted note references (orphan-asset's input), note by note."""
    from vaultbot.lint.context import LintContext
    from vaultbot.lint.orphans import referenced_files

    out: dict[str, list[str]] = {}
    for rel, note in ctx.vault.notes.items():
        one = LintContext(replace(ctx.vault, notes={rel: note}), True)
        one._index, one._references, one._resolved = ctx.index, ctx._references, ctx._resolved  # shared memo
        out[rel] = sorted(referenced_files(one))
    return out


def _remember(
    vault: Vault,
    inputs: Inputs,
    report: SyncReport,
    outcome: Any,
    lint: tuple[dict[str, list[Diagnostic]], list[Diagnostic]],
    references: dict[str, list[str]],
    offline: bool,
) -> None:
    """Store what the next run may reuse; the output itself only when this run changed nothing."""
    notes = dict(inputs.notes)
    notes.update({rel: sync_state.note_digest(src.raw) for rel, src in vault.sources.items()})
    summary = outcome.summary
    quiet = not (report.changed or report.skipped or summary.fetched or summary.requests or summary.failed)
    expires = _not_found_expiry(vault, outcome) if quiet else None
    final = Inputs(inputs.settings, sync_state.cache_digest(vault.root, vault.config), inputs.files, notes)
    per_note, rest = lint
    rows = {rel: sync_state.to_rows(found) for rel, found in per_note.items()}
    state = State(final, _complete(vault, report, outcome, ()), findings=rows, references=references)
    state.stated = stated_digest(vault)
    if offline:  # notes waiting only for the network: an offline run leaves them as they are
        state.offline_complete = _complete(vault, report, outcome, ("offline",))
    if quiet:
        state.replay = {
            "resolve": vars(summary),
            "unresolved": sync_state.grouped_rows(report.unresolved),
            "vault": sync_state.grouped_rows(rest),
        }
        state.offline_only = bool(summary.offline_unknown)
        state.expires = expires
    sync_state.save(vault.root, state)


def stated_digest(vault: Vault) -> str:
    """Return a digest of the titles notes state (a report's heading titles its paper vault-wide)."""
    import hashlib

    from vaultbot.resolve import note_mentions

    digest = hashlib.blake2b(digest_size=16)
    for rel in sorted(vault.notes):
        for m in note_mentions(vault.notes[rel]):
            if m.stated_title:
                digest.update(f"{m.paper_id}\0{m.stated_title}\1".encode())
    return digest.hexdigest()


def _complete(vault: Vault, report: SyncReport, outcome: Any, waiting: tuple[str, ...]) -> set[str]:
    """Return the notes resolve left needing nothing (as ``resolve._complete_notes`` decides).

    A paper whose reason holds one of ``waiting`` does not count as pending.
    """
    pending = {
        u.path for u in outcome.unresolved
        if u.reason != "not a valid arXiv ID" and not any(w in u.reason for w in waiting)
    }
    skipped = {rel for rel, _ in report.skipped}
    return {rel for rel in vault.notes if rel not in pending and rel not in skipped}


def _not_found_expiry(vault: Vault, outcome: Any) -> float | None:
    """Return when the first "not found" answer named in the output expires (then: retried)."""
    from vaultbot.cache import Cache, default_cache_path

    ids = {pid for pid, why in outcome.failures.items() if why.startswith("not found")}
    path = default_cache_path(vault.root, vault.config.get("resolve", "cache_path"))
    if not ids or not path.exists():
        return None
    with Cache.open(path) as cache:
        return cache.not_found_expiry(ids)
