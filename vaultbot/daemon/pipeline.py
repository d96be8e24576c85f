"""The per-note work of the daemon: one callable ``(vault, rels) -> Outcome``.

The daemon machinery (events, debounce, locks, writes) does not know what processing a
note means; it is handed one pipeline, called with the batch of notes that became due
together (one note while the user types; the whole vault on a first start, in chunks).
``rels`` may name notes that are gone (deleted or renamed away): steps then drop
what they knew about them.  The default chains the features that exist:
lint (findings go to the log), resolve from the cache (IDs missing from it go to the
papers worker) and link.  Steps see the vault as the previous steps left it, and their
edits to one note are merged into one, so a note is written once per round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.vault import Vault
from vaultbot.writer import decode, splice

log = logging.getLogger("vaultbot.watch")


@dataclass
class Outcome:
    """What processing one note produced: findings, edits (any notes), IDs to fetch."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    papers: set[str] = field(default_factory=set)


Pipeline = Callable[[Vault, Sequence[str]], Outcome]
Step = Callable[[Vault, Sequence[str]], Outcome]


def chain(steps: Sequence[Step]) -> Pipeline:
    """Return a pipeline running ``steps`` in order on a batch of notes.

    When several steps edit the same note, later steps see the earlier edits (the note
    is re-parsed in memory) and the result is one edit per note against its file bytes.
    """

    def run(vault: Vault, rels: Sequence[str]) -> Outcome:
        total = Outcome()
        current, editing_steps = vault, 0
        for step in steps:
            out = step(current, rels)
            total.diagnostics += out.diagnostics
            total.papers |= out.papers
            if out.edits:
                current = _apply_in_memory(current, out.edits)
                total.edits += out.edits
                editing_steps += 1
        if editing_steps > 1:
            total.edits = merged_edits(vault, current, {e.path for e in total.edits})
        return total

    return run


def _apply_in_memory(vault: Vault, edits: Iterable[Edit]) -> Vault:
    """Return ``vault`` whose edited notes are re-parsed from their edited text."""
    from vaultbot.parser import parse

    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    notes = dict(vault.notes)
    for rel, group in by_path.items():
        note = notes[rel]
        notes[rel] = parse(rel, splice(note.text, group, note.newline), bom=note.bom)
    return replace(vault, notes=notes)


def merged_edits(before: Vault, after: Vault, paths: Iterable[str]) -> list[Edit]:
    """Return one edit per note turning its file text into its final text.

    The edit spans only the changed middle (common prefix and suffix left out), so the
    writer never re-encodes line endings of untouched user text.
    """
    edits = []
    for rel in sorted(paths):
        old, _ = decode(before.sources[rel].raw)
        new = after.notes[rel].text
        if old == new:
            continue
        start = _common_prefix(old, new)
        end = _common_suffix(old[start:], new[start:])
        edits.append(
            Edit(
                rel, start, len(old) - end, old[start : len(old) - end], new[start : len(new) - end]
            )
        )
    return edits


def _common_prefix(a: str, b: str, chunk: int = 4096) -> int:
    """Return the length of the common prefix (chunked: a 10 MB paste stays fast)."""
    n, i = min(len(a), len(b)), 0
    while i + chunk <= n and a[i : i + chunk] == b[i : i + chunk]:
        i += chunk
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    """Return the length of the common suffix."""
    return _common_prefix(a[::-1], b[::-1])
