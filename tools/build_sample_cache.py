"""Build ``sample_vault/.vaultbot/cache.sqlite`` from real paper metadata only (issue 5).

Source: ``tests/data/seed_papers.json``, a verbatim copy of ``../shared/fixtures/seed-papers.json``:
for every paper the seeds link, the title (as a Hugging Face report states it, or as a
public source gave it) and, where a public source gave them, authors and categories.
Nothing is invented: a paper the file lacks is not cached and ``vaultbot resolve
--offline`` reports it as unresolved.  The cache makes the README's main command work
offline; the file is committed, and this script rebuilds it (byte for byte with the same
SQLite version; ``--check`` compares the data and says whether the committed copy is current).

Usage: python tools/build_sample_cache.py [--papers JSON] [--out FILE] [--check]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vaultbot.cache import Cache  # noqa: E402

DEFAULT_PAPERS = REPO / "tests" / "data" / "seed_papers.json"
DEFAULT_OUT = REPO / "sample_vault" / ".vaultbot" / "cache.sqlite"


def build(papers: Path, out: Path) -> int:
    """Write a fresh cache holding the records of ``papers``; return how many."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in (out, out.with_name(out.name + "-wal"), out.with_name(out.name + "-shm")):
        stale.unlink(missing_ok=True)
    with Cache.open(out) as cache:
        count = cache.import_json(papers)
    conn = sqlite3.connect(out)
    try:
        conn.execute("VACUUM")  # a compact file with a layout that depends on the data only
    finally:
        conn.close()
    return count


def _dump(path: Path) -> list[str]:
    """Return the cache's SQL dump: equal dumps mean equal data, whatever the SQLite version."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=Path, default=DEFAULT_PAPERS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when --out differs from a fresh build")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / ".vaultbot" / "cache.sqlite"
            build(args.papers, fresh)
            same = args.out.is_file() and _dump(fresh) == _dump(args.out)
        print(f"{args.out}: {'up to date' if same else 'differs from a fresh build'}")
        return 0 if same else 1
    count = build(args.papers, args.out)
    print(f"{args.out}: {count} papers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
