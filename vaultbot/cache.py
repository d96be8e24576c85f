"""Persistent paper metadata cache: SQLite in the vault's ``.vaultbot/`` (issue 5).

Why SQLite: one file that travels with the vault, atomic transactions (Ctrl-C leaves it
either before or after a run), WAL mode so a daemon can read while a one-shot run
writes.  A run opens one transaction and commits once at the end.  Papers the API said
do not exist live in a separate negative table, so they are reported without asking the
API again on every run, yet can never be mistaken for metadata.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from vaultbot.config import STATE_DIR
from vaultbot.errors import CacheError
from vaultbot.state import ensure_gitignore

SCHEMA_VERSION = 3  # 2: categories space-separated; 3: done_notes
# A "not found" answer is trusted this long, then asked again (new IDs appear daily).
NOT_FOUND_TTL = 30 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,
    abstract TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    categories TEXT NOT NULL,  -- space-separated (no category code has a space)
    published TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS not_found (
    id TEXT PRIMARY KEY,
    checked_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS done_notes (
    path TEXT PRIMARY KEY,
    digest TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """What vaultbot knows about one paper; ``paper_id`` has no version suffix."""

    paper_id: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    published: str = ""
    fetched_at: str = ""
    source: str = "arxiv"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaperRecord:
        """Build a record from the JSON shape of ``seed-papers.json`` (``id``, ``title``...)."""
        return cls(
            paper_id=str(data["id"]),
            title=str(data["title"]),
            authors=tuple(data.get("authors") or ()),
            abstract=str(data.get("abstract") or ""),
            primary_category=str(data.get("primary_category") or ""),
            categories=tuple(data.get("categories") or ()),
            published=str(data.get("published") or ""),
            fetched_at=str(data.get("fetched_at") or ""),
            source=str(data.get("source") or "import"),
        )


def default_cache_path(vault_root: Path, configured: str = "") -> Path:
    """Return the cache file: ``resolve.cache_path`` (relative to the vault) or the default."""
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else vault_root / path
    return vault_root / ".vaultbot" / "cache.sqlite"


class Cache:
    """An open cache; use as a context manager so the run's transaction is committed once."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._dirty = False

    @classmethod
    def open(cls, path: Path) -> Cache:
        """Open (creating if needed) the cache at ``path``; move a corrupt one aside."""
        _prepare_folder(path.parent)
        try:
            return cls(path, _connect(path))
        except sqlite3.DatabaseError as exc:
            if not path.exists():
                raise CacheError(f"{path}: cannot create the metadata cache: {exc}") from exc
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            os.replace(path, aside)
            warnings.warn(f"{path}: corrupt metadata cache ({exc}); moved to {aside.name} and rebuilt", stacklevel=2)
            try:
                return cls(path, _connect(path))
            except sqlite3.DatabaseError as again:
                raise CacheError(f"{path}: cannot rebuild the metadata cache: {again}") from again

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Commit what the run learnt (also on Ctrl-C: every row is complete), then close."""
        try:
            if self._dirty and not isinstance(exc, sqlite3.Error):
                self._conn.commit()
            else:
                self._conn.rollback()
        finally:
            self._conn.close()

    def get_many(self, ids: Iterable[str], *, light: bool = False) -> dict[str, PaperRecord]:
        """Return the cached records of ``ids`` (missing IDs are simply absent).

        ``light`` leaves out authors and abstract (resolve needs titles and categories
        only, for tens of thousands of papers).
        """
        found: dict[str, PaperRecord] = {}
        columns = _LIGHT if light else "*"
        make = _light_record if light else _record
        for chunk in _chunks(sorted(set(ids)), 900):
            marks = ",".join("?" * len(chunk))
            for row in self._query(f"SELECT {columns} FROM papers WHERE id IN ({marks})", chunk):
                found[row[0]] = make(row)
        return found

    def not_found(self, ids: Iterable[str], now: float | None = None) -> set[str]:
        """Return those ``ids`` the API recently said do not exist."""
        fresh_after = (time.time() if now is None else now) - NOT_FOUND_TTL
        found: set[str] = set()
        for chunk in _chunks(sorted(set(ids)), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM not_found WHERE id IN ({marks}) AND checked_at >= ?"
            found.update(row[0] for row in self._query(sql, [*chunk, fresh_after]))
        return found

    def not_found_expiry(self, ids: Iterable[str]) -> float | None:
        """Return when the first of the "not found" answers for ``ids`` expires (None: none held)."""
        oldest: float | None = None
        for chunk in _chunks(sorted(set(ids)), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(f"SELECT min(checked_at) FROM not_found WHERE id IN ({marks})", chunk)
            if rows and rows[0][0] is not None:
                oldest = rows[0][0] if oldest is None else min(oldest, rows[0][0])
        return None if oldest is None else oldest + NOT_FOUND_TTL

    def put(self, records: Iterable[PaperRecord]) -> int:
        """Store ``records`` (replacing older ones) and forget any "not found" for them."""
        rows = [_row(r) for r in records]
        if rows:
            self._execute_many("INSERT OR REPLACE INTO papers VALUES (?,?,?,?,?,?,?,?,?)", rows)
            self._execute_many("DELETE FROM not_found WHERE id = ?", [(r[0],) for r in rows])
        return len(rows)

    def put_not_found(self, ids: Iterable[str], now: float | None = None) -> None:
        """Remember that the API answered "no such paper" for each of ``ids``."""
        stamp = time.time() if now is None else now
        self._execute_many("INSERT OR REPLACE INTO not_found VALUES (?, ?)", [(i, stamp) for i in ids])

    def store(self, found: Iterable[PaperRecord], missing: Iterable[str]) -> None:
        """Record one API answer: the papers found and the IDs that do not exist."""
        self.put(found)
        self.put_not_found(missing)

    def done_digests(self) -> dict[str, str]:
        """Return note path -> digest of the notes a resolve run left complete."""
        return dict(self._query("SELECT path, digest FROM done_notes", []))

    def set_done(self, digests: dict[str, str]) -> None:
        """Remember notes as complete (``resolve_state``)."""
        self._execute_many("INSERT OR REPLACE INTO done_notes VALUES (?, ?)", list(digests.items()))

    def import_json(self, path: Path) -> int:
        """Store the papers of a JSON file (a list, or ``{"papers": [...]}``); return the count."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CacheError(f"{path}: cannot import paper records: {exc}") from exc
        papers = data.get("papers", []) if isinstance(data, dict) else data
        try:
            return self.put(PaperRecord.from_dict(p) for p in papers)
        except (KeyError, TypeError) as exc:
            raise CacheError(f"{path}: a paper record lacks {exc}; each needs 'id' and 'title'") from exc

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM papers", [])[0][0])

    def _query(self, sql: str, args: list[Any]) -> list[Any]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"{self.path}: metadata cache unreadable: {exc}") from exc

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"{self.path}: cannot write the metadata cache: {exc}") from exc
        self._dirty = True


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10.0)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise sqlite3.DatabaseError(f"schema version {version}, this vaultbot reads {SCHEMA_VERSION}")
        if version == 0:
            conn.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
        conn.execute("SELECT id, title FROM papers LIMIT 1").fetchall()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def _prepare_folder(folder: Path) -> None:
    """Create the state folder and its ``.gitignore`` so a vault in git stays clean."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.name == STATE_DIR:
            ensure_gitignore(folder)
    except OSError as exc:
        raise CacheError(f"{folder}: cannot create the cache folder: {exc}") from exc


def _row(r: PaperRecord) -> tuple[Any, ...]:
    return (
        r.paper_id,
        r.title,
        json.dumps(list(r.authors), ensure_ascii=False),
        r.abstract,
        r.primary_category,
        " ".join(r.categories),
        r.published,
        r.fetched_at,
        r.source,
    )


def _record(row: tuple[Any, ...]) -> PaperRecord:
    return PaperRecord(
        paper_id=row[0],
        title=row[1],
        authors=tuple(json.loads(row[2])),
        abstract=row[3],
        primary_category=row[4],
        categories=tuple(row[5].split()),
        published=row[6],
        fetched_at=row[7],
        source=row[8],
    )


_LIGHT = "id, title, primary_category, categories"


def _light_record(row: tuple[Any, ...]) -> PaperRecord:
    return PaperRecord(row[0], row[1], primary_category=row[2], categories=tuple(row[3].split()))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
