"""Lint a whole vault in chunks; a large one on two cores, a forked helper taking half.

Parsing is most of a cold ``vaultbot lint`` (issue 4: 10,000 notes in under 3 s on two
cores), and notes parse independently.  Each process parses and lints its notes a chunk
at a time and keeps only the findings and the files the notes reference (orphan-asset
must see every note's references): holding every parsed note at once cost ~450 MB and
a page fault per fresh 4 KB, ~20% of the run (bench/bench_lint.py).  A parsed ``Note``
costs as much to unpickle as to parse, so the helper sends back only plain data.  The
helper is forked (Linux), so it starts in milliseconds with the file index in memory.
If it fails in any way, this process lints its half too: same findings, just slower.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from vaultbot.diagnostics import ORDER, Diagnostic
from vaultbot.lint import lint
from vaultbot.lint.context import LintContext
from vaultbot.lint.orphans import referenced_files
from vaultbot.vault import load_vault

MIN_NOTES = 1000  # below this a second process saves less than it costs (bench_lint.py)
CHUNK = 200  # notes parsed and linted at a time: big enough to amortise, small enough to reuse memory

Half = tuple[list[tuple[Any, ...]], set[str]]  # findings as tuples, referenced files


def lint_vault(
    root: Path, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Diagnostic]:
    """Return the findings of every note and vault rule of the vault at ``root``."""
    index = load_vault(root, only=())  # the file index and settings; no note parsed yet
    paths = index.note_paths
    base = LintContext(index, True)
    if not _worth_splitting(len(paths)):
        found, used = _lint_notes(base, paths, select, ignore)
        base.referenced_elsewhere = lambda: used
        found.extend(lint(index, select, ignore, context=base))  # vault rules
        return sorted(found, key=ORDER)
    _ = base.index  # built before the fork: the helper inherits it instead of rebuilding it
    helper = _Helper(base, paths[1::2], select, ignore)
    try:
        found, used = _lint_notes(base, paths[0::2], select, ignore)
        base.referenced_elsewhere = lambda: used | helper.referenced()
        found.extend(lint(index, select, ignore, context=base))
        found.extend(helper.findings())
    finally:
        helper.close()
    return sorted(found, key=ORDER)


def _lint_notes(
    base: LintContext,
    paths: Sequence[str],
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
) -> tuple[list[Diagnostic], set[str]]:
    """Parse and lint ``paths`` a chunk at a time (note rules only, vault rules stay quiet).

    Return the findings and the vault files the notes reference.  Only one chunk of
    parsed notes is alive at a time, so memory is reused instead of grown.
    """
    found: list[Diagnostic] = []
    used: set[str] = set()
    for at in range(0, len(paths), CHUNK):
        ctx = base.sharing(base.vault.parsed(paths[at : at + CHUNK]))
        ctx.whole_vault = False
        found.extend(lint(ctx.vault, select, ignore, context=ctx))
        used |= referenced_files(ctx)
    return found, used


def _worth_splitting(notes: int) -> bool:
    """Return True for a big vault on a Linux machine with a second core to spare.

    A core busy with other work gives no speed-up, only the helper's ~10% extra CPU
    (measured on a shared 2-core machine), so the run stays in one process unless a
    core is idle now.  "Now" is the kernel's count of runnable tasks, not the load
    average: that lags a minute behind, so a lint run just before (pre-commit, a
    benchmark) would keep the next one on one core.
    """
    if notes < MIN_NOTES or sys.platform != "linux":
        return False
    cores = len(os.sched_getaffinity(0))
    return cores >= 2 and _other_runnable() < cores - 0.5


def _other_runnable() -> float:
    """Return how many other tasks want a CPU now (``/proc/loadavg``), else the load average."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0]
    return running - 1  # this process is one of them


def _lint_half(
    base: LintContext,
    paths: Sequence[str],
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
) -> Half:
    """Lint ``paths`` (note rules only); return plain findings and referenced files."""
    found, used = _lint_notes(base, paths, select, ignore)
    rows = [(d.path, d.line, d.column, d.rule, d.severity, d.message, d.fix) for d in found]
    return rows, used


def _helper_main(conn: Connection, *args: Any) -> None:
    """Run in the forked helper: send ``_lint_half``'s result, or None when it failed."""
    try:
        result: Half | None = _lint_half(*args)
    except BaseException:  # noqa: BLE001 - the parent redoes the half and reports the error
        result = None
    conn.send(result)
    conn.close()
    os._exit(0)  # skip the interpreter's teardown: the parent's join() would wait for it


class _Helper:
    """The forked helper process linting half of the notes, and its result once received."""

    def __init__(
        self,
        base: LintContext,
        paths: Sequence[str],
        select: Iterable[str] | None,
        ignore: Iterable[str] | None,
    ) -> None:
        import multiprocessing

        self._args = (base, paths, select, ignore)
        self._result: Half | None = None
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_helper_main, args=(child_end, *self._args), daemon=True
        )
        self._process.start()
        child_end.close()

    def referenced(self) -> set[str]:
        """Return the files the helper's notes reference (waits for the helper)."""
        return self._received()[1]

    def findings(self) -> list[Diagnostic]:
        """Return the helper's findings (waits for the helper)."""
        new = tuple.__new__  # the rows are whole Diagnostic field tuples
        return [new(Diagnostic, row) for row in self._received()[0]]

    def close(self) -> None:
        """Stop the helper if it still runs (this process failed first) and reap it."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._conn.close()

    def _received(self) -> Half:
        if self._result is None:
            try:
                self._result = self._conn.recv()
            except (EOFError, OSError):
                self._result = None
            if self._result is None:  # the helper failed: do its half here
                self._result = _lint_half(*self._args)
        return self._result
