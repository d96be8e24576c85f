"""The background worker that fetches paper metadata, so the network never blocks notes.

Notes are processed from the cache only; IDs missing from it are queued here.  The
worker fetches them in batches (the fetcher batches and rate-limits, issue 5), and when
the network is down it keeps them queued and retries with exponential backoff while the
rest of the daemon goes on (issue 8: "Network down: papers queue and retry").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger("vaultbot.watch")

FIRST_BACKOFF = 2.0  # seconds before the first retry; doubles up to MAX_BACKOFF
MAX_BACKOFF = 300.0

Fetcher = Callable[[list[str]], Iterable[str]]
"""Fetch metadata for IDs into the cache; return the IDs now settled (found or not found).

Raise OSError (or any exception) when the network or the API is unusable."""


class PapersWorker:
    """A thread that drains a set of paper IDs through ``fetch`` with backoff."""

    def __init__(
        self,
        fetch: Fetcher,
        on_settled: Callable[[set[str]], None],
        stop: threading.Event,
        *,
        first_backoff: float | None = None,
        max_backoff: float | None = None,
    ) -> None:
        self.fetch = fetch
        self.on_settled = on_settled
        self.stop = stop
        self.first_backoff = FIRST_BACKOFF if first_backoff is None else first_backoff
        self.max_backoff = MAX_BACKOFF if max_backoff is None else max_backoff
        self._pending: set[str] = set()
        self._failed: set[str] = set()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="vaultbot-papers", daemon=True)

    def start(self) -> None:
        """Start the worker thread (a daemon thread: shutdown never waits on a socket)."""
        self._thread.start()

    def add(self, ids: Iterable[str]) -> None:
        """Queue IDs for fetching; IDs already queued are not duplicated."""
        with self._cond:
            new = set(ids) - self._pending
            if new:
                self._pending |= new
                self._cond.notify_all()

    def wake(self) -> None:
        """Wake the worker (shutdown)."""
        with self._cond:
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._pending)

    def _run(self) -> None:
        backoff = self.first_backoff
        while not self.stop.is_set():
            batch = self._take()
            if not batch:
                continue
            if self._fetch_once(batch, backoff):
                backoff = self.first_backoff
                continue
            self.stop.wait(backoff)  # network down or answers missing: back off
            backoff = min(self.max_backoff, backoff * 2)

    def _fetch_once(self, batch: list[str], backoff: float) -> bool:
        """Fetch one batch; return True when every ID in it was settled."""
        try:
            settled = set(self.fetch(batch))
        except Exception as exc:  # noqa: BLE001 - the IDs stay queued; a transient failure is never "not found"
            log.warning(
                "fetching %d paper(s) failed (%s); retrying in %.0f s", len(batch), exc, backoff
            )
            return False
        with self._cond:
            self._pending -= settled
        if settled:
            self.on_settled(settled)
        missing = set(batch) - settled
        if missing:
            log.info(
                "%d paper(s) not fetched yet (%s); retrying in %.0f s",
                len(missing),
                ", ".join(sorted(missing)[:5]),
                backoff,
            )
        return not missing

    def _take(self) -> list[str]:
        with self._cond:
            if not self._pending:
                self._cond.wait(1.0)
            return sorted(self._pending)
