"""Linting a whole vault on two cores (vaultbot.lint.split) finds exactly what one core does."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from vaultbot.diagnostics import ORDER, Diagnostic
from vaultbot.lint import split
from vaultbot.lint.paths import lint_paths
from vaultbot.vault import load_vault

VAULTS = Path(__file__).parent / "vaults"
SAMPLE = Path(__file__).parent.parent / "sample_vault"


def rows(found: list[Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.path, d.line, d.column, d.rule, d.severity, d.message, d.fix) for d in found]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """The assets case plus the sample vault's real notes, an unreadable note, and an
    attachment referenced only by a note the helper process lints."""
    root = tmp_path / "vault"
    shutil.copytree(VAULTS / "assets", root)
    for note in SAMPLE.rglob("*.md"):
        target = root / "notes" / note.relative_to(SAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(note, target)
    (root / "notes" / "binary.md").write_bytes(b"\x00\x01 not text")
    shutil.copyfile(root / "asset" / "unused.png", root / "asset" / "orphan.png")
    helper_notes = load_vault(root, only=()).note_paths[1::2]  # split.lint_vault's halves
    helper_note = next(p for p in helper_notes if p != "notes/binary.md")
    with (root / helper_note).open("a", encoding="utf-8") as handle:
        handle.write("\n![[unused.png]]\n")
    return root


def one_core(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    monkeypatch.setattr(split, "MIN_NOTES", 10**9)
    return split.lint_vault(root)


def pretend_two_cores(monkeypatch: pytest.MonkeyPatch, other_tasks: int = 0) -> None:
    """Make every vault big enough to split, on two cores with ``other_tasks`` running."""
    monkeypatch.setattr(split, "MIN_NOTES", 1)
    monkeypatch.setattr(split.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(split, "_other_runnable", lambda: other_tasks)


def two_cores(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    pretend_two_cores(monkeypatch)
    return split.lint_vault(root)


def test_split_run_finds_the_same_as_one_core(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = one_core(vault, monkeypatch)
    rules = {d.rule for d in alone}
    assert {"missing-asset", "bare-paper-link", "unreadable-note", "orphan-asset"} <= rules
    orphans = [d.path for d in alone if d.rule == "orphan-asset"]
    assert "asset/orphan.png" in orphans and "asset/unused.png" not in orphans  # helper's note
    assert rows(two_cores(vault, monkeypatch)) == rows(alone)


def test_failed_helper_is_redone_here(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = one_core(vault, monkeypatch)
    monkeypatch.setattr(split, "_helper_main", lambda conn, *args: os._exit(3))
    assert rows(two_cores(vault, monkeypatch)) == rows(alone)


def test_busy_cores_keep_the_run_in_one_process(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = one_core(vault, monkeypatch)
    pretend_two_cores(monkeypatch, other_tasks=2)
    monkeypatch.setattr(split, "_Helper", None)  # a split would fail here
    assert rows(split.lint_vault(vault)) == rows(alone)


def test_lint_paths_on_a_vault_root_uses_the_split(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = one_core(vault, monkeypatch)
    pretend_two_cores(monkeypatch)
    started: list[int] = []
    original = split._Helper.__init__

    def counting(self: split._Helper, *args: object) -> None:
        started.append(1)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(split._Helper, "__init__", counting)
    assert rows(lint_paths([vault]).diagnostics) == rows(alone) and started == [1]


def test_a_busy_process_counts_as_another_runnable_task() -> None:
    import subprocess
    import sys
    import time

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        seen = []
        for _ in range(20):
            seen.append(split._other_runnable())
            time.sleep(0.01)
    finally:
        spinner.kill()
        spinner.wait()
    assert max(seen) >= 1


def _claim_one_then_die(conn: object, base: object, chunks: split._Chunks, *rules: object) -> None:
    chunks.claim()  # a chunk this process will never see a result for
    os._exit(3)


def test_chunk_claimed_by_a_dead_helper_is_redone_here(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = one_core(vault, monkeypatch)
    monkeypatch.setattr(split, "CHUNK", 2)  # several chunks, so the helper's one is not all
    monkeypatch.setattr(split, "_helper_main", _claim_one_then_die)
    assert rows(two_cores(vault, monkeypatch)) == rows(alone)


def test_both_processes_share_the_chunks(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = one_core(vault, monkeypatch)
    monkeypatch.setattr(split, "CHUNK", 1)
    from_helper: set[int] = set()
    original = split._Helper.absorb

    def absorb(self: split._Helper, parts: dict[int, list[Diagnostic]], used: set[str]) -> None:
        before = set(parts)
        original(self, parts, used)
        from_helper.update(set(parts) - before)

    parent, lint_notes = os.getpid(), split._lint_notes

    def slow_here(*args: object) -> object:
        if os.getpid() == parent:
            time.sleep(0.05)  # this process lags: the helper must take over chunks
        return lint_notes(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(split._Helper, "absorb", absorb)
    monkeypatch.setattr(split, "_lint_notes", slow_here)
    assert rows(two_cores(vault, monkeypatch)) == rows(alone)
    assert len(from_helper) > 1  # the helper finished several chunks, this process the rest


def test_vault_rule_findings_are_merged_in_as_a_stable_sort_would() -> None:
    rng = random.Random(7)

    def finding(tag: str) -> Diagnostic:
        path = rng.choice(["a.md", "asset/x.png", "b/n.md", "z.md"])
        return Diagnostic(path, rng.randint(1, 3), rng.randint(1, 2), rng.choice(["r1", "r2"]), "warning", tag)

    for _ in range(300):
        notes = sorted((finding("note") for _ in range(rng.randint(0, 30))), key=ORDER)
        vault = sorted((finding("vault") for _ in range(rng.randint(0, 5))), key=ORDER)
        assert split._merged(notes, vault) == sorted(notes + vault, key=ORDER)


def test_helper_pipe_holds_a_whole_chunk_of_findings() -> None:
    import fcntl
    import multiprocessing

    reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
    try:
        split._widen(writer)
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text(encoding="ascii"))
        size = fcntl.fcntl(writer.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032))
        assert size >= min(limit, split.PIPE_BYTES) > 64 * 1024
    finally:
        reader.close()
        writer.close()


@pytest.mark.parametrize("notes", [0, 1, 7, 199, 800, 801, 1000, 10_000, 10_001])
def test_chunks_cover_every_note_once_in_order_smaller_at_the_end(notes: int) -> None:
    starts = split._chunk_starts(notes)
    sizes = [end - start for start, end in zip(starts, starts[1:])]
    assert starts[0] == 0 and starts[-1] == notes and all(0 < size <= split.CHUNK for size in sizes)
    tail = [size for size in sizes[-split.TAIL * 4 :]]
    assert notes < split.TAIL * split.CHUNK or max(tail) <= split.CHUNK // 4
