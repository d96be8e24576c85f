"""Benchmark ``vaultbot watch`` (issue 8, "Speed and footprint"); prints figures, asserts nothing.

The real daemon runs as a subprocess (offline, cache from sample_vault so pasted links
resolve) on a vault from bench/generate_vault.py:

1. first start (no saved state: every note goes through the pipeline, in chunks);
2. start-up reconcile with saved state and nothing changed.  Baseline, same run:
   ``load_vault`` alone (scan + read + parse every note), the floor of any start-up;
3. latency from a save (a bare arXiv link pasted) to the updated file on disk.
   Target: debounce + under 0.5 s;
4. time to process one changed note incrementally (the daemon's own per-batch timing).
   Target: under 100 ms;
5. idle CPU over 10 s.  Target: ~0;
6. RSS after 1,000 edits, against RSS after start-up.  Target: no growth.

Usage: python bench/bench_watch.py [--notes 10000] [--debounce 0.5] [--steps resolve,lint]
       [--vault DIR]  (``--steps resolve,link,lint`` adds the related-links step)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_vault import generate  # noqa: E402

from vaultbot.vault import load_vault  # noqa: E402

CACHE = HERE.parent / "sample_vault" / ".vaultbot" / "cache.sqlite"
CACHED_IDS = ["2512.24880", "2601.10355", "2512.03036", "2601.08521", "2512.02556"]
RUNNER = """
import sys
from vaultbot.daemon import steps
wanted = sys.argv.pop(1).split(",")
steps.FACTORIES = tuple(sorted((f for f in steps.FACTORIES if f[0] in wanted), key=lambda f: wanted.index(f[0])))
from vaultbot.cli import main
main()
"""
PROCESSED = re.compile(r"processed (\d+) note\(s\) in (\d+) ms")


class Daemon:
    """The daemon subprocess, its status file and its /proc figures."""

    def __init__(self, vault: Path, debounce: float, steps: str, log: Path) -> None:
        self.vault, self.log = vault, log
        cmd = [
            sys.executable,
            "-c",
            RUNNER,
            steps,
            "watch",
            str(vault),
            "--offline",
            "-v",
            "--debounce",
            str(debounce),
            "--active-idle",
            "0",
        ]
        with log.open("ab") as err:
            self.proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
        self.started = time.monotonic()

    def status(self) -> dict[str, object]:
        try:
            data = json.loads((self.vault / ".vaultbot" / "status.json").read_text())
        except (OSError, ValueError):
            return {}
        return data if data.get("pid") == self.proc.pid else {}

    def wait_idle(self, timeout: float = 3600, states: tuple[str, ...] = ("running",)) -> float:
        """Wait until the daemon is in one of ``states`` with an empty queue; return
        seconds since start ("warming up": reconciled, the pipeline's graph still building)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if st.get("state") in states and st.get("queue") == 0:
                return time.monotonic() - self.started
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace").splitlines()[-20:]
                raise SystemExit("daemon died:\n" + "\n".join(tail))
            time.sleep(0.05)
        raise SystemExit("daemon did not settle")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> float:
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        return time.monotonic() - began


def paste(note: Path, paper_id: str, n: int) -> None:
    """Append a bare arXiv link the way a user pastes one (in-place save)."""
    with note.open("a", encoding="utf-8") as handle:
        handle.write(f"\n- pasted {n} https://arxiv.org/abs/{paper_id}\n")


def latency(daemon: Daemon, notes: list[Path], debounce: float) -> list[float]:
    """Return save -> updated-file latencies for pasted links, one note at a time."""
    figures = []
    for n, note in enumerate(notes):
        paste(note, CACHED_IDS[n % len(CACHED_IDS)], n)
        saved, size = time.monotonic(), note.stat().st_size
        while note.stat().st_size == size and time.monotonic() - saved < 30:
            time.sleep(0.005)
        figures.append(time.monotonic() - saved)
        time.sleep(debounce * 2)
    return figures


def edits(daemon: Daemon, notes: list[Path], rounds: int, per_round: int, start: int) -> None:
    """Make ``rounds * per_round`` same-size edits (a trailing line rewritten), so memory
    is measured on a vault that does not grow; wait for the daemon after each round."""
    for r in range(rounds):
        for i in range(per_round):
            note = notes[(r * per_round + i) % len(notes)]
            text = note.read_text(encoding="utf-8")
            body = (
                text[: text.rfind("\n- bench edit ")]
                if "\n- bench edit " in text
                else text.rstrip("\n")
            )
            note.write_text(
                f"{body}\n- bench edit {start + r * per_round + i:06d}\n", encoding="utf-8"
            )
        time.sleep(0.2)
        daemon.wait_idle()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--debounce", type=float, default=0.5)
    parser.add_argument("--steps", default="resolve,lint")
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--vault", type=Path, help="reuse (a copy of) this generated vault")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vaultbot-bench-watch-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    vault = work / "vault"
    started = time.monotonic()
    if args.vault:
        shutil.copytree(args.vault, vault, ignore=shutil.ignore_patterns(".vaultbot"))
    else:
        generate(vault, args.notes)
    (vault / ".vaultbot").mkdir(exist_ok=True)
    shutil.copy2(CACHE, vault / ".vaultbot" / "cache.sqlite")
    print(
        f"vault: {args.notes:,} notes ({time.monotonic() - started:.1f} s to prepare); "
        f"pipeline: {args.steps}; debounce {args.debounce} s"
    )
    began = time.monotonic()
    baseline = load_vault(vault)
    load_s = time.monotonic() - began
    note_paths = [vault / rel for rel in sorted(baseline.notes)]
    del baseline
    print(f"baseline load_vault (scan + read + parse all notes): {load_s:.2f} s")
    log = work / "daemon.log"

    first = Daemon(vault, args.debounce, args.steps, log)
    print(
        f"first start (no saved state, whole vault through the pipeline): {first.wait_idle():.2f} s"
    )
    print(f"stop on SIGTERM: {first.stop():.2f} s")

    daemon = Daemon(vault, args.debounce, args.steps, log)
    reconcile = daemon.wait_idle(states=("warming up", "running"))
    ready = daemon.wait_idle()
    print(
        f"start-up reconcile, saved state, nothing changed: {reconcile:.2f} s "
        f"(ratio to baseline load: {reconcile / load_s:.2f}); "
        f"ready, pipeline warmed up: {ready:.2f} s"
    )
    try:
        measure(daemon, note_paths, args, log)
    finally:
        daemon.stop()


def measure(daemon: Daemon, notes: list[Path], args: argparse.Namespace, log: Path) -> None:
    mark = log.stat().st_size
    lat = latency(daemon, notes[:: max(1, len(notes) // 20)][:20], args.debounce)
    print("latencies:", " ".join(f"{x:.2f}" for x in lat))
    print(
        f"save -> updated file: median {statistics.median(lat):.3f} s, max {max(lat):.3f} s "
        f"(debounce {args.debounce} s; over debounce: median {statistics.median(lat) - args.debounce:.3f} s)"
    )
    ones = [
        int(ms) for n, ms in PROCESSED.findall(log.read_text(errors="replace")[mark:]) if n == "1"
    ]
    if ones:
        print(
            f"one changed note through the pipeline: median {statistics.median(ones)} ms, "
            f"max {max(ones)} ms ({len(ones)} samples)"
        )
    daemon.wait_idle()
    time.sleep(2)
    cpu0, t0 = daemon.cpu_seconds(), time.monotonic()
    time.sleep(10)
    idle = (daemon.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    print(f"idle CPU over 10 s: {idle * 100:.2f} % of one core")
    rss0 = daemon.rss_mb()
    half = args.edits // 2
    edits(daemon, notes, max(1, half // 100), 100, 0)
    rss1 = daemon.rss_mb()
    edits(daemon, notes, max(1, (args.edits - half) // 100), 100, half)
    rss2 = daemon.rss_mb()
    print(
        f"RSS: {rss0:.0f} MB after start-up, {rss1:.0f} MB after {half} edits, "
        f"{rss2:.0f} MB after {args.edits} edits (growth over the second half: {rss2 - rss1:+.0f} MB)"
    )


if __name__ == "__main__":
    main()
