"""The SQLite metadata cache: round trips, negative cache, one transaction, corruption."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from vaultbot.cache import NOT_FOUND_TTL, Cache, PaperRecord, default_cache_path
from vaultbot.errors import CacheError

SEED_PAPERS = Path(__file__).parent / "data" / "seed_papers.json"
RECORD = PaperRecord(
    paper_id="1605.08386",
    title="Heat-bath random walks with Markov bases",
    authors=("Caprice Stanley", "Tobias Windisch"),
    abstract="Graphs on lattice points are studied",
    primary_category="math.CO",
    categories=("math.CO", "math.ST"),
    published="2016-05-26",
    fetched_at="2026-11-23T00:00:00+00:00",
)


def cache_file(tmp_path: Path) -> Path:
    return default_cache_path(tmp_path)


def test_records_round_trip_and_state_folder_has_its_gitignore(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    with Cache.open(path) as cache:
        cache.put([RECORD])
    with Cache.open(path) as cache:
        assert cache.get_many(["1605.08386", "0000.0000"]) == {"1605.08386": RECORD}
        assert len(cache) == 1
    assert (tmp_path / ".vaultbot" / ".gitignore").is_file()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_configured_path_is_relative_to_the_vault(tmp_path: Path) -> None:
    assert default_cache_path(tmp_path, "state/meta.sqlite") == tmp_path / "state" / "meta.sqlite"
    assert default_cache_path(tmp_path, "/abs/c.sqlite") == Path("/abs/c.sqlite")


def test_negative_cache_is_separate_and_expires(tmp_path: Path) -> None:
    with Cache.open(cache_file(tmp_path)) as cache:
        cache.put_not_found(["2501.99999"], now=1_000.0)
        assert cache.get_many(["2501.99999"]) == {}
        assert cache.not_found(["2501.99999", "1605.08386"], now=1_000.0 + 10) == {"2501.99999"}
        assert cache.not_found(["2501.99999"], now=1_000.0 + NOT_FOUND_TTL + 1) == set()
        cache.put([PaperRecord("2501.99999", "Appeared later")])
        assert cache.not_found(["2501.99999"], now=1_000.0) == set()


def test_one_transaction_per_run_nothing_visible_before_the_end(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    with Cache.open(path) as cache:
        cache.put([RECORD])
        other = sqlite3.connect(path)
        assert other.execute("SELECT count(*) FROM papers").fetchone()[0] == 0  # WAL reader
        other.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM papers").fetchone()[0] == 1


def test_interrupted_run_keeps_complete_rows_only(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with Cache.open(path) as cache:
            cache.put([RECORD])
            raise KeyboardInterrupt
    with Cache.open(path) as cache:
        assert cache.get_many(["1605.08386"]) == {"1605.08386": RECORD}
    integrity = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"


def test_corrupt_cache_is_moved_aside_and_rebuilt_with_a_warning(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"this is not a database, it is a note someone pasted here\n" * 20)
    with pytest.warns(UserWarning, match="corrupt metadata cache"):
        cache = Cache.open(path)
    with cache:
        assert len(cache) == 0
    aside = [p.name for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1


def test_unusable_location_is_a_cache_error_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CacheError, match=str(blocker)):
        Cache.open(blocker / "cache.sqlite")


def test_import_json_of_the_real_seed_papers(tmp_path: Path) -> None:
    papers = json.loads(SEED_PAPERS.read_text(encoding="utf-8"))["papers"]
    with Cache.open(cache_file(tmp_path)) as cache:
        assert cache.import_json(SEED_PAPERS) == len(papers)
        got = cache.get_many([p["id"] for p in papers])
    first = papers[0]
    assert got[first["id"]].title == first["title"]
    assert list(got[first["id"]].authors) == first["authors"]
    assert all(got[p["id"]].title == p["title"] for p in papers)


def test_import_json_rejects_records_without_a_title(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "1605.08386"}]', encoding="utf-8")
    with Cache.open(cache_file(tmp_path)) as cache, pytest.raises(CacheError, match="bad.json"):
        cache.import_json(bad)


def test_shipped_sample_cache_is_what_the_build_script_makes(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).parent.parent
    script = repo / "tools" / "build_sample_cache.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
