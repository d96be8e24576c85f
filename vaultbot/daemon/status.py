"""The daemon's status file, ``.vaultbot/status.json``, read by ``vaultbot status``.

Whether a daemon runs is decided by the daemon lock (a live ``flock``), never by this
file alone: a daemon killed with -9 leaves a stale status behind.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vaultbot.writer import atomic_write

STATUS_FILE = "status.json"
MAX_ERRORS = 10


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 (seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class DaemonStatus:
    """What the daemon reports about itself; written at most every ``interval`` seconds."""

    folder: Path
    vault: str
    observer: str = ""
    started: str = field(default_factory=now_iso)
    started_at: float = field(default_factory=time.time)
    queue: int = 0
    papers_pending: int = 0
    processed: int = 0
    written: int = 0
    state: str = "starting"
    errors: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))
    interval: float = 1.0
    _last_write: float = 0.0
    _dirty: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, path: str, message: str) -> None:
        """Remember one error (the last few are shown by ``vaultbot status``)."""
        with self._lock:
            self.errors.append({"time": now_iso(), "path": path, "message": message})
            self._dirty = True

    def update(self, **values: Any) -> None:
        """Change some fields; the file is rewritten on the next ``flush``."""
        with self._lock:
            for key, value in values.items():
                if getattr(self, key) != value:
                    setattr(self, key, value)
                    self._dirty = True

    def flush(self, force: bool = False) -> None:
        """Write the file when something changed and the last write is old enough."""
        now = time.monotonic()
        with self._lock:
            if not (force or (self._dirty and now - self._last_write >= self.interval)):
                return
            data = self.to_dict()
            self._dirty, self._last_write = False, now
        self.folder.mkdir(exist_ok=True)
        atomic_write(self.folder / STATUS_FILE, (json.dumps(data, indent=2) + "\n").encode("utf-8"))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of the status file."""
        return {
            "pid": os.getpid(),
            "vault": self.vault,
            "state": self.state,
            "started": self.started,
            "started_at": self.started_at,
            "updated": now_iso(),
            "observer": self.observer,
            "queue": self.queue,
            "papers_pending": self.papers_pending,
            "processed": self.processed,
            "written": self.written,
            "last_errors": list(self.errors),
        }


def read_status(folder: Path) -> dict[str, Any] | None:
    """Return the saved status, None when missing or unreadable."""
    try:
        data = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
