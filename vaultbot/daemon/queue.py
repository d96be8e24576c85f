"""Per-file debounce: a path is due once it has been quiet for its delay.

Obsidian autosaves every couple of seconds while the user types, and a save may arrive
as several events (write, rename, attrib).  Each event pushes the path's deadline
back, so a burst becomes one unit of work (issue 8: "bursts coalesce").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class DebounceQueue:
    """Thread-safe map path -> deadline; watchdog threads add, the daemon loop takes."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay = delay
        self.clock = clock
        self._deadlines: dict[str, float] = {}
        self._last_event: dict[str, float] = {}
        self._cond = threading.Condition()

    def touch(self, rel: str, delay: float | None = None) -> None:
        """Record an event for ``rel``: it becomes due ``delay`` seconds from now."""
        now = self.clock()
        with self._cond:
            self._deadlines[rel] = now + (self.delay if delay is None else delay)
            self._last_event[rel] = now
            self._cond.notify_all()

    def defer(self, rel: str, until: float) -> None:
        """Hold ``rel`` back until ``until`` without counting it as a new event."""
        with self._cond:
            self._deadlines[rel] = max(until, self._deadlines.get(rel, 0.0))
            self._cond.notify_all()

    def quiet_for(self, rel: str) -> float:
        """Return seconds since the last event for ``rel`` (infinite when none seen)."""
        with self._cond:
            last = self._last_event.get(rel)
        return float("inf") if last is None else self.clock() - last

    def pop_due(self) -> list[str]:
        """Remove and return every path whose deadline has passed, oldest first."""
        now = self.clock()
        with self._cond:
            due = sorted((d, p) for p, d in self._deadlines.items() if d <= now)
            for _, rel in due:
                del self._deadlines[rel]
        return [rel for _, rel in due]

    def wait(self, timeout: float) -> None:
        """Sleep until the next deadline, a new event, or ``timeout``, whichever is first."""
        with self._cond:
            upcoming = min(self._deadlines.values(), default=None)
            if upcoming is not None:
                timeout = min(timeout, max(0.0, upcoming - self.clock()))
            if timeout > 0:
                self._cond.wait(timeout)

    def wake(self) -> None:
        """Wake a waiting loop (used on shutdown)."""
        with self._cond:
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._deadlines)

    def __contains__(self, rel: object) -> bool:
        with self._cond:
            return rel in self._deadlines
