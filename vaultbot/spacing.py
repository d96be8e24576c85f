"""Space API requests across every vaultbot process of one user (issue 5).

arXiv asks for at most one request every 3 seconds.  A daemon and a one-shot run (or runs
on two vaults) must share that allowance, so the time of the next free slot lives in a
small file in the user's cache folder, updated under an ``fcntl`` lock.  A process takes
the lock only for the instant it needs to reserve a slot, then sleeps without holding it:
no run ever blocks another beyond the shared spacing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

STATE_ENV = "VAULTBOT_STATE_DIR"
SLOT_FILE = "arxiv-next-slot"


class OutOfTime(Exception):
    """The next free request slot lies beyond the run's deadline."""


def user_state_dir() -> Path:
    """Return vaultbot's per-user cache folder.

    ``$VAULTBOT_STATE_DIR`` wins (tests point it at a temp folder), then the platform's
    cache folder: ``$XDG_CACHE_HOME/vaultbot`` or ``~/.cache/vaultbot`` on Linux,
    ``~/Library/Caches/vaultbot`` on macOS, ``%LOCALAPPDATA%\\vaultbot`` on Windows.
    (The same rules as platformdirs' ``user_cache_dir``, which is no dependency of ours
    for these five lines.)
    """
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "vaultbot"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "vaultbot"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "vaultbot"


class RequestSpacer:
    """Hand out request slots at least ``interval`` seconds apart, shared between processes."""

    def __init__(self, interval: float, state_dir: Path | None = None) -> None:
        self.interval = interval
        self._state_dir = state_dir
        self._next_local = 0.0

    def wait(self, deadline: float) -> None:
        """Sleep until this process may send a request; ``deadline`` is a monotonic time.

        Raises OutOfTime (without reserving) when the slot would come after ``deadline``.
        """
        if self.interval <= 0:
            return
        delay = self._reserve(deadline)
        if delay > 0:
            time.sleep(delay)
            self._confirm()

    def _reserve(self, deadline: float) -> float:
        """Reserve the next slot; return how long to sleep until it."""
        budget = deadline - time.monotonic()
        try:
            return self._reserve_shared(budget)
        except (OSError, ImportError):
            return self._reserve_local(budget)  # no fcntl, or an unwritable cache folder

    def _reserve_shared(self, budget: float) -> float:
        import fcntl

        folder = self._state_dir or user_state_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / SLOT_FILE, "a+", encoding="ascii") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.seek(0)
            now = time.time()
            slot = max(now, _parse_float(handle.read()), self._next_local)
            if slot - now > budget:
                raise OutOfTime(f"next arXiv request slot is {slot - now:.1f}s away, beyond the time budget")
            handle.seek(0)
            handle.truncate()
            handle.write(f"{slot + self.interval:.6f}\n")
            handle.flush()
        self._next_local = slot + self.interval
        return slot - now

    def _confirm(self) -> None:
        """Move the next slot to ``interval`` after *now*, when the request really leaves.

        A process that overslept its slot (a busy machine) must not let the next request,
        reserved against the earlier slot, follow it too closely.
        """
        import contextlib

        earliest = time.time() + self.interval
        self._next_local = max(self._next_local, earliest)
        with contextlib.suppress(OSError, ImportError):
            import fcntl

            with open((self._state_dir or user_state_dir()) / SLOT_FILE, "r+", encoding="ascii") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                if _parse_float(handle.read()) < earliest:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(f"{earliest:.6f}\n")

    def _reserve_local(self, budget: float) -> float:
        now = time.time()
        slot = max(now, self._next_local)
        if slot - now > budget:
            raise OutOfTime(f"next arXiv request slot is {slot - now:.1f}s away, beyond the time budget")
        self._next_local = slot + self.interval
        return slot - now


def _parse_float(text: str) -> float:
    try:
        value = float(text.strip() or 0.0)
    except ValueError:
        return 0.0
    # A slot far in the future (clock jumped back, corrupt file) must not stall every run.
    return value if value < time.time() + 3600 else 0.0
