"""Benchmark ``vaultbot sync`` on an already-synced vault (issue 6, "Speed"); prints figures.

1. A 10,000-note vault from ``bench/generate_vault.py`` is brought to the synced state by
   one ``run_sync(offline=True)`` (timed too: it builds the related-paper graph).
2. ``run_sync`` with nothing to do but no stored state (``.vaultbot/sync-state.json``
   deleted): a full run, per step (load, resolve, link, lint).  It stores the state.
3. Target: ``vaultbot sync VAULT --offline`` (the CLI, in a subprocess, as a user runs it)
   on that vault, with nothing to do, in under 5 s wall.  Best of ``--repeat`` runs.
4. One note edited, then ``run_sync``: the partial run (resolve and lint only what
   changed), and the run after it.
5. Two baselines: merely reading + decoding every note, and ``load_vault`` (read +
   parse), so the figures can be compared across machines.

Nothing is asserted: the figures are printed (GUIDE.md, "Quality bar").

Usage: python bench/bench_sync.py [--notes 10000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_vault import generate  # noqa: E402

from vaultbot.sync import run_sync  # noqa: E402
from vaultbot.vault import load_vault  # noqa: E402
from vaultbot.writer import decode  # noqa: E402


def best_of(repeat: int, work: object) -> float:
    """Return the best wall time of ``repeat`` calls of ``work``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def cli_sync(root: Path) -> None:
    """Run ``vaultbot sync ROOT --offline`` the way a user does; fail loudly if it fails."""
    vaultbot = Path(sys.executable).with_name("vaultbot")
    command = [str(vaultbot) if vaultbot.exists() else sys.executable, "sync", str(root), "--offline"]
    if not vaultbot.exists():
        command[1:1] = ["-m", "vaultbot"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"vaultbot sync failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = done.stdout.rstrip().rsplit("\n", 1)[-1]
    if " 0 notes changed" not in summary:
        raise SystemExit(f"the synced vault was not unchanged: {summary}")


def timed(report: object) -> str:
    """Return a report's per-step wall times and how many notes it changed."""
    seconds = report.seconds  # type: ignore[attr-defined]
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())
    return f"{sum(seconds.values()):6.2f} s ({steps}); {len(report.changed)} notes changed"  # type: ignore[attr-defined]


def one_note_edited(root: Path) -> object:
    """Append a line to one dated note (as a user does) and sync; return the report."""
    note = min((root / "daily").rglob("*.md"))
    with note.open("a", encoding="utf-8") as out:
        out.write(f"\n- a thought added at {time.time():.0f}\n")
    return run_sync(root, offline=True)


def read_all(root: Path) -> int:
    """Read and decode every note: what any tool pays to look at the vault."""
    paths = [p for p in root.rglob("*.md") if ".vaultbot" not in p.parts]
    for path in paths:
        decode(path.read_bytes())
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it; a vault a previous "
                        "--keep run left there is reused (no generation, no first sync)")
    args = parser.parse_args(argv)
    os.environ.setdefault("VAULTBOT_STATE_DIR", tempfile.mkdtemp(prefix="vaultbot-bench-state-"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="vaultbot-bench-sync-"))
    root = work / "vault"
    try:
        if not root.exists():
            generate(root, args.notes, 1)
            started = time.perf_counter()
            first = run_sync(root, offline=True)
            print(f"first sync of {args.notes} notes (builds the graph): {time.perf_counter() - started:7.2f} s, "
                  f"{first.links_added} links added in {len(first.changed)} notes")
        state = root / ".vaultbot" / "sync-state.json"
        state.unlink(missing_ok=True)
        second = run_sync(root, offline=True)
        print(f"run_sync with nothing to do, without a stored state (full run): {timed(second)}")
        cli = best_of(args.repeat, lambda: cli_sync(root))
        print(f"vaultbot sync --offline, already synced: {cli:7.2f} s  (target < 5 s; best of {args.repeat})")
        edited = one_note_edited(root)
        print(f"run_sync after one note was edited (partial run): {timed(edited)}")
        settle = run_sync(root, offline=True)
        print(f"run_sync right after that (nothing to do; stores the output): {timed(settle)}")
        count = read_all(root)
        reading = best_of(args.repeat, lambda: read_all(root))
        parsing = best_of(1, lambda: load_vault(root))
        print(f"baseline: read+decode {count} notes {reading:5.2f} s -> sync = {cli / reading:.1f}x; "
              f"load_vault (read+parse) {parsing:5.2f} s -> sync = {cli / parsing:.1f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
