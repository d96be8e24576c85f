"""Benchmark ``vaultbot lint`` on a large synthetic vault against merely reading its files.

Issue 4's targets: on a 10,000-note vault, ``vaultbot lint`` (a fresh process, no cache left
by an earlier run) takes under 3 s wall on a 2-core machine and no more than 10x the time
of reading the files.  Both are measured here in the same run, as fresh processes, after
one warm-up read so both see the same OS page cache; each is repeated and the best kept.

Usage: python bench/bench_lint.py [--notes 10000] [--seed 1] [--repeat 3] [--vault DIR] [--profile]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
READ_ALL = """
import os, sys
total = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as handle:
                total += len(handle.read())
print(total)
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Return (wall, CPU) seconds of one fresh process running ``command``.

    CPU time (user + system of the child) is printed too: on a shared, busy machine it
    says what the run costs, where wall time also says how busy the machine was.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_of(repeat: int, command: list[str], vault: Path) -> tuple[float, float]:
    """Return the best (wall, CPU) of ``repeat`` runs, each without a vaultbot cache."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(vault / ".vaultbot", ignore_errors=True)
        runs.append(timed(command))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def generate(vault: Path, notes: int, seed: int) -> None:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate_vault.py"),
            str(vault),
            "--notes",
            str(notes),
            "--seed",
            str(seed),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {notes:,} notes in {time.perf_counter() - start:.1f} s")


def phases(vault: Path) -> None:
    """Print where one in-process, one-core run spends its time: index, notes, output.

    "notes" is parsing and linting chunk after chunk (``vaultbot.lint.split``), the part
    a second core shares; index and output are the serial parts around it.
    """
    import gc

    from vaultbot.lint import split
    from vaultbot.lint.context import LintContext
    from vaultbot.report import render
    from vaultbot.vault import load_vault

    gc.disable()
    start = time.perf_counter()
    index = load_vault(vault, only=())
    base = LintContext(index, True)
    _ = base.index
    indexed = time.perf_counter()
    found, _used = split._lint_notes(base, index.note_paths, None, None)
    linted = time.perf_counter()
    render("text", found)
    done = time.perf_counter()
    gc.enable()
    notes = len(index.note_paths)
    print(
        f"phases (in-process, one core): index {indexed - start:.2f} s, "
        f"parse+lint {linted - indexed:.2f} s ({(linted - indexed) / notes * 1e6:.0f} us a note), "
        f"output {done - linted:.2f} s ({len(found):,} findings)"
    )


def profile(vault: Path) -> None:
    """Print the hot path of one in-process lint run (cProfile, top 20 by own time)."""
    import cProfile
    import gc
    import pstats

    from vaultbot.lint.paths import lint_paths

    gc.disable()
    profiler = cProfile.Profile()
    profiler.runcall(lint_paths, [vault])
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--vault", type=Path, help="reuse (or create) the vault here instead of a temp dir"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one lint run"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vaultbot-bench-") as tmp:
        vault = args.vault or Path(tmp) / "vault"
        if not (vault / ".obsidian").is_dir():
            generate(vault, args.notes, args.seed)
        notes = sum(1 for _ in vault.rglob("*.md"))
        size = sum(p.stat().st_size for p in vault.rglob("*.md"))
        read_cmd = [sys.executable, "-c", READ_ALL, str(vault)]
        lint_cmd = [sys.executable, "-m", "vaultbot", "lint", str(vault)]
        timed(read_cmd)  # warm the page cache for both measurements
        read = best_of(args.repeat, read_cmd, vault)
        lint = best_of(args.repeat, lint_cmd, vault)
        print(
            f"vault: {notes:,} notes, {size / 1e6:.1f} MB of Markdown; load average {os.getloadavg()[0]:.1f}"
        )
        print(f"read all notes (fresh process): {read[0]:.2f} s wall, {read[1]:.2f} s CPU")
        print(
            f"vaultbot lint  (fresh process): {lint[0]:.2f} s wall, {lint[1]:.2f} s CPU   target < 3 s wall"
        )
        print(
            f"ratio lint / read: {lint[0] / read[0]:.1f}x wall, {lint[1] / read[1]:.1f}x CPU   target <= 10x"
        )
        print(f"throughput: {notes / lint[0]:,.0f} notes/s, {size / 1e6 / lint[0]:.1f} MB/s (wall)")
        phases(vault)
        if args.profile:
            profile(vault)
    return 0


if __name__ == "__main__":
    sys.exit(main())
