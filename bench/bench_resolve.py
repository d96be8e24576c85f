"""Benchmark ``vaultbot resolve`` (issue 5, "Speed"); prints figures, asserts nothing.

1. Requests: 2,000 new paper IDs (20 notes of 100 bare links) resolved against the local
   replay server (tests/arxiv_server.py) with zero spacing.  Target: at most
   ceil(2000 / batch_size) requests.  Baseline, same run: one request per ID
   (batch_size 1), which is what a client without batching sends.
   The replay server answers these never-recorded IDs with recorded entries whose ``<id>``
   is rewritten (``clone_entries``); the metadata is only used to time the pipeline.
2. Cached vault: a 10,000-note vault from bench/generate_vault.py, resolved once to fill
   the cache, then timed on a second, fully cached run of the command's core
   (``resolve.resolve_path``: notes left complete are skipped by digest).  Target: under
   5 s wall.  Baseline, same run: merely reading and decoding every note.  For reference
   it also times a pass that parses and resolves every note (split into load_vault and
   the resolve step), which is what the work would cost without the digests.

Usage: python bench/bench_resolve.py [--notes 10000] [--ids 2000] [--batch 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from arxiv_server import ReplayServer  # noqa: E402
from generate_vault import generate  # noqa: E402

from vaultbot.config import load_config  # noqa: E402
from vaultbot.resolve import resolve_path, resolve_vault  # noqa: E402
from vaultbot.vault import load_vault  # noqa: E402
from vaultbot.writer import apply, decode  # noqa: E402


def id_vault(root: Path, count: int) -> None:
    """Write ``count`` distinct bare arXiv links, 100 per note (IDs numbered >= 90000: never real)."""
    (root / "daily").mkdir(parents=True)
    ids = [f"25{m:02d}.{90000 + n:05d}" for m in range(1, 13) for n in range(math.ceil(count / 12))][:count]
    for start in range(0, count, 100):
        lines = [f"- https://arxiv.org/abs/{paper}\n" for paper in ids[start : start + 100]]
        (root / "daily" / f"n{start // 100:03d}.md").write_text("## 1.1\n\n" + "".join(lines), encoding="utf-8")


def overrides(url: str, batch: int) -> dict[str, dict[str, object]]:
    return {"resolve": {"arxiv_url": url, "request_interval": 0.0, "batch_size": batch, "max_requests": 100_000,
                        "total_timeout": 600.0}}


def resolve_once(root: Path, url: str, batch: int) -> tuple[float, int, int, int]:
    """Run the command's core on ``root``; return seconds, requests, edits, notes skipped."""
    started = time.perf_counter()
    result, _ = resolve_path(root, load_config(root, overrides=overrides(url, batch)))
    summary = result.summary
    return time.perf_counter() - started, summary.requests, len(result.edits), summary.notes_unchanged


def full_pass(root: Path, url: str, batch: int) -> tuple[float, float, int]:
    """Parse every note and resolve them all (no skipping); return total and load seconds, edits."""
    started = time.perf_counter()
    vault = load_vault(root, load_config(root, overrides=overrides(url, batch)))
    loaded = time.perf_counter() - started
    result = resolve_vault(vault)
    apply(vault.root, result.edits, vault.sources)
    return time.perf_counter() - started, loaded, len(result.edits)


def bench_requests(work: Path, server: ReplayServer, ids: int, batch: int) -> None:
    for label, size in (("batched", batch), ("baseline, one ID per request", 1)):
        root = work / f"ids-{size}"
        id_vault(root, ids)
        seconds, requests, _, _ = resolve_once(root, server.url, size)
        print(f"  {label:<30} {requests:6d} requests  {seconds:7.2f} s")
        if size == batch:
            batched = requests
    print(f"  target: <= ceil({ids}/{batch}) = {math.ceil(ids / batch)} requests; "
          f"batching sends {ids / batched:.0f}x fewer requests than the baseline")


def bench_cached(work: Path, server: ReplayServer, notes: int, batch: int) -> None:
    root = work / "big"
    generate(root, notes, 1)
    first, requests, edits, _ = resolve_once(root, server.url, batch)
    print(f"  first run (fills the cache)   {first:7.2f} s  {requests} requests, {edits} edits")
    cached, requests, edits, skipped = resolve_once(root, server.url, batch)
    paths = sorted(root.rglob("*.md"))
    started = time.perf_counter()
    for path in paths:
        decode(path.read_bytes())
    baseline = time.perf_counter() - started
    print(f"  fully cached run (vaultbot resolve) {cached:6.2f} s  {requests} requests, {edits} edits, "
          f"{skipped} notes skipped as unchanged  (target < 5 s)")
    print(f"  baseline: read+decode {len(paths)} notes {baseline:5.2f} s  -> cached resolve = {cached / baseline:.1f}x")
    total, loaded, edits = full_pass(root, server.url, batch)
    print(f"  for reference, a pass that parses every note: {total:6.2f} s ({edits} edits): "
          f"load_vault {loaded:6.2f} s + resolve_vault and writer {total - loaded:5.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--ids", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="work in this (empty) folder and keep it")
    args = parser.parse_args(argv)
    os.environ.setdefault("VAULTBOT_STATE_DIR", tempfile.mkdtemp(prefix="vaultbot-bench-state-"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="vaultbot-bench-"))
    server = ReplayServer(clone_entries=True).start()
    try:
        print(f"resolve {args.ids} new IDs (batch size {args.batch}, zero spacing, local replay server):")
        bench_requests(work, server, args.ids, args.batch)
        print(f"fully cached vault of {args.notes} notes:")
        bench_cached(work, server, args.notes, args.batch)
    finally:
        server.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
