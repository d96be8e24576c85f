"""Lint a whole vault in chunks; a large one on two cores, with a forked helper.

Parsing is most of a cold ``vaultbot lint`` (issue 4: 10,000 notes in under 3 s on two
cores), and notes parse independently.  The sorted notes are cut into chunks of
``CHUNK``; this process and the helper each claim the next unclaimed chunk (a counter
shared across the fork) until none is left, so both finish together however the work
is spread and whatever else the machine is doing.  Each chunk is parsed, linted and
dropped, keeping only its findings and the files its notes reference (orphan-asset must
see every note's references): holding every parsed note at once cost ~450 MB and a
page fault per fresh 4 KB.  A parsed ``Note`` costs as much to unpickle as to parse, so
the helper sends back plain rows, a chunk at a time.  It is forked (Linux), so it
starts in milliseconds with the file index in memory.  If it fails in any way, this
process lints the chunks it has no result for: same findings, just slower.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_right
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
# notes parsed and linted at a time: big enough to amortise, small enough to reuse memory
CHUNK = 200
TAIL = 4  # chunks' worth of notes at the end cut into quarter chunks (see _chunk_starts)
PIPE_BYTES = 1 << 20  # the helper's pipe buffer: a chunk's findings fit without blocking

Found = tuple[list[Diagnostic], set[str]]  # findings, and the vault files the notes reference


def lint_vault(
    root: Path, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Diagnostic]:
    """Return the findings of every note and vault rule of the vault at ``root``."""
    index = load_vault(root, only=())  # the file index and settings; no note parsed yet
    paths = index.note_paths
    base = LintContext(index, True)
    if _worth_splitting(len(paths)):
        found, used = _lint_on_two_cores(base, paths, select, ignore)
    else:
        found, used = _lint_notes(base, paths, select, ignore)
    base.referenced_elsewhere = lambda: used
    return _merged(found, lint(index, select, ignore, context=base))  # + the vault rules


def _merged(ordered: list[Diagnostic], extra: list[Diagnostic]) -> list[Diagnostic]:
    """Return ``ordered`` (sorted) with the sorted ``extra`` merged in, as a stable sort would.

    The notes' findings arrive sorted chunk by chunk; the vault rules add a few (orphan
    files, unreadable notes).  Finding their places is cheaper than sorting ~160k again.
    """
    merged: list[Diagnostic] = []
    at = 0
    for diag in extra:
        cut = bisect_right(ordered, ORDER(diag), lo=at, key=ORDER)
        merged += ordered[at:cut]
        merged.append(diag)
        at = cut
    merged += ordered[at:]
    return merged


def _lint_on_two_cores(
    base: LintContext,
    paths: Sequence[str],
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
) -> Found:
    """Lint ``paths`` here and in a forked helper, sharing the chunks; return everything."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    chunks = _Chunks(paths, context.Value("i", 0))
    _ = base.index  # built before the fork: the helper inherits it instead of rebuilding it
    helper = _Helper(context, base, chunks, select, ignore)
    parts: dict[int, list[Diagnostic]] = {}  # findings by chunk: in chunk order, sorted
    used: set[str] = set()

    def lint_here(number: int) -> None:
        parts[number], referenced = _lint_notes(base, chunks[number], select, ignore)
        used.update(referenced)

    try:
        while (number := chunks.claim()) is not None:
            lint_here(number)
            helper.absorb(parts, used)
        helper.finish(parts, used)
        for number in set(range(chunks.count)) - set(parts):  # claimed by a failed helper
            lint_here(number)
    finally:
        helper.close()
    return [d for number in range(chunks.count) for d in parts[number]], used


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


class _Chunks:
    """The sorted notes cut into chunks, each claimed once by one of the two processes."""

    def __init__(self, paths: Sequence[str], counter: Any) -> None:
        self.paths = paths
        self._starts = _chunk_starts(len(paths))
        self.count = len(self._starts) - 1
        self._next = counter  # a multiprocessing.Value: shared memory survives the fork

    def claim(self) -> int | None:
        """Return the number of the next unclaimed chunk, or None when all are taken."""
        with self._next.get_lock():
            number = int(self._next.value)
            if number >= self.count:
                return None
            self._next.value = number + 1
        return number

    def __getitem__(self, number: int) -> Sequence[str]:
        return self.paths[self._starts[number] : self._starts[number + 1]]


def _chunk_starts(notes: int) -> list[int]:
    """Return where each chunk starts (and, last, the end): ``CHUNK`` notes, then smaller.

    The last ``TAIL`` chunks' worth of notes come in quarter chunks, so the process that
    finishes first waits for at most a quarter chunk of the other's (~25 ms, not ~100).
    """
    tail = min(notes, TAIL * CHUNK)
    starts = list(range(0, notes - tail, CHUNK))
    starts += range(notes - tail, notes, max(1, CHUNK // 4))
    return [*starts, notes]


def _helper_main(conn: Connection, base: LintContext, chunks: _Chunks, *rules: Any) -> None:
    """Run in the forked helper: lint chunks while any is left, sending each result."""
    try:
        while (number := chunks.claim()) is not None:
            found, used = _lint_notes(base, chunks[number], *rules)
            conn.send((number, [tuple(d) for d in found], used))  # plain tuples pickle faster
    except BaseException:  # noqa: BLE001 - the parent redoes every chunk it has no result for
        pass
    conn.close()
    os._exit(0)  # skip the interpreter's teardown: the parent's join() would wait for it


def _widen(conn: Connection) -> None:
    """Give the pipe a buffer that holds a whole chunk's findings (~0.8 MB), if allowed.

    With the default 64 KB the helper's send blocks until the reader thread here has
    taken each 64 KB, and that thread waits for the GIL (up to the 5 ms switch interval)
    every time: the helper spent ~15% of its time blocked (bench/bench_lint.py).
    """
    import fcntl

    try:
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text(encoding="ascii"))
        fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), min(limit, PIPE_BYTES))
    except (OSError, ValueError):
        pass  # an older kernel or a lower limit: the default buffer still works


class _Helper:
    """The forked helper process, and a thread here that reads its results off the pipe.

    The thread only moves bytes (a pipe read releases the GIL), so the helper never
    blocks on a full pipe while this process is busy with a chunk; the results are
    unpickled here between chunks (``absorb``) and at the end (``finish``).
    """

    def __init__(self, context: Any, base: LintContext, chunks: _Chunks, *rules: Any) -> None:
        import threading

        self._received: list[bytes] = []
        self._conn, child_end = context.Pipe(duplex=False)
        _widen(child_end)
        self._process = context.Process(
            target=_helper_main, args=(child_end, base, chunks, *rules), daemon=True
        )
        self._process.start()
        child_end.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Collect the helper's messages until it closes its end (finished or dead)."""
        try:
            while True:
                self._received.append(self._conn.recv_bytes())
        except (EOFError, OSError):
            pass

    def absorb(self, parts: dict[int, list[Diagnostic]], used: set[str]) -> None:
        """Add the results received so far: findings by chunk, and referenced files."""
        import pickle

        new = tuple.__new__  # the rows are whole Diagnostic field tuples
        while self._received:
            number, rows, referenced = pickle.loads(self._received.pop(0))
            parts[number] = [new(Diagnostic, row) for row in rows]
            used |= referenced

    def finish(self, parts: dict[int, list[Diagnostic]], used: set[str]) -> None:
        """Wait for the helper to end (finished or failed) and add its last results."""
        self._reader.join()
        self.absorb(parts, used)

    def close(self) -> None:
        """Stop the helper if it still runs (this process failed first) and reap it."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._reader.join(timeout=1)
        self._conn.close()
