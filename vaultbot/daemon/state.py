"""What the daemon last saw of each file, kept in ``.vaultbot/watch-state.json``.

On start the daemon compares the vault with this record to find what changed while it
was not running (issue 8: "reconciles everything that changed").  A note whose size
and mtime match is trusted; when only the mtime differs the content hash decides, so
``touch`` or a sync tool that rewrites identical bytes costs no processing.  The record
is rebuilt (with a warning) when it is missing, corrupt or from another format.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from vaultbot.writer import atomic_write

log = logging.getLogger("vaultbot.watch")

STATE_FILE = "watch-state.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class FileStamp:
    """A file's size, mtime and (for notes) the hash of the bytes last processed."""

    size: int
    mtime_ns: int
    digest: str = ""


@dataclass(frozen=True, slots=True)
class Changes:
    """What differs between the saved record and the vault on disk."""

    notes: tuple[str, ...] = ()
    removed_notes: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()


def digest(data: bytes) -> str:
    """Return the content hash the record keeps (blake2b: fast, and collisions do not matter here)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stamp_of(path: Path, data: bytes | None = None) -> FileStamp | None:
    """Return the current stamp of ``path`` (hashing ``data`` when given), None when gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return FileStamp(st.st_size, st.st_mtime_ns, digest(data) if data is not None else "")


@dataclass
class WatchState:
    """The saved record: note stamps and the set of other files (attachments)."""

    path: Path
    notes: dict[str, FileStamp] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)
    fresh: bool = True

    @classmethod
    def load(cls, folder: Path) -> WatchState:
        """Read the record, or start an empty one with a warning when it is unusable."""
        path = folder / STATE_FILE
        state = cls(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            log.info("no saved state in %s: every note is checked once", path)
            return state
        except OSError as exc:
            log.warning("%s: cannot read (%s); rebuilding it", path, exc)
            return state
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            state.notes = {k: FileStamp(*v) for k, v in data["notes"].items()}
            state.assets = set(data["assets"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: corrupt saved state (%s); rebuilding it", path, exc)
            return cls(path)
        state.fresh = False
        return state

    def save(self) -> None:
        """Write the record atomically (a crash leaves the old or the new record)."""
        data = {
            "format": FORMAT,
            "notes": {k: [v.size, v.mtime_ns, v.digest] for k, v in sorted(self.notes.items())},
            "assets": sorted(self.assets),
        }
        self.path.parent.mkdir(exist_ok=True)
        atomic_write(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"))

    def is_current(self, rel: str, stamp: FileStamp | None, raw: bytes | None) -> bool:
        """Return True when note ``rel`` is exactly what was last processed."""
        known = self.notes.get(rel)
        if known is None or stamp is None:
            return False
        if (known.size, known.mtime_ns) == (stamp.size, stamp.mtime_ns):
            return True
        return raw is not None and known.size == len(raw) and known.digest == digest(raw)

    def diff(self, root: Path, files: tuple[str, ...], raw_of: dict[str, bytes]) -> Changes:
        """Return what changed on disk since the record was saved."""
        notes = [f for f in files if f.lower().endswith(".md")]
        changed = [
            rel for rel in notes if not self.is_current(rel, stamp_of(root / rel), raw_of.get(rel))
        ]
        present = set(notes)
        removed = sorted(set(self.notes) - present)
        assets_now = set(files) - present
        return Changes(tuple(changed), tuple(removed), tuple(sorted(assets_now ^ self.assets)))

    def record(self, rel: str, stamp: FileStamp | None) -> None:
        """Remember note ``rel`` as processed in this state (or forget it when gone)."""
        if stamp is None:
            self.notes.pop(rel, None)
        else:
            self.notes[rel] = stamp
