"""``vaultbot watch``: keep a vault resolved, linked and valid while Obsidian is open.

watchdog events -> per-file debounce queue -> one pipeline call per note -> the writer.
The loop runs on the main thread and is the only place that writes; watchdog's thread
only records paths, and the papers worker only fills the cache, then requeues notes.
Never clobber the user (issue 8): the note open in Obsidian's active pane waits for
``active_idle``; the writer re-reads each file right before replacing it and skips it
when it changed (the note is then processed again); vaultbot's own writes are
recognised by their content hash, so they never start another round.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from watchdog.observers.api import BaseObserver

from vaultbot.config import Config, load_config
from vaultbot.daemon.events import VaultEventHandler, start_observer
from vaultbot.daemon.pipeline import Pipeline
from vaultbot.daemon.processor import Abandoned, NoteProcessor, VaultGone
from vaultbot.daemon.state import WatchState
from vaultbot.daemon.worker import Fetcher
from vaultbot.locks import DaemonLock
from vaultbot.vault import load_vault

__all__ = ["Abandoned", "Daemon", "VaultGone", "WatchOptions", "watch"]

log = logging.getLogger("vaultbot.watch")

TICK = 0.5  # seconds between health checks when nothing is due
BIG_BATCH = 100  # after a batch this large, freeze the heap again (see _start)


@dataclass(frozen=True)
class WatchOptions:
    """The daemon's knobs (``[watch]`` config section, overridden by CLI options)."""

    debounce: float = 3.0
    active_idle: float = 30.0
    polling: bool = False
    offline: bool = False

    @classmethod
    def from_config(cls, config: Config, offline: bool = False) -> WatchOptions:
        """Return the options of the ``[watch]`` section."""
        section = config["watch"]
        return cls(
            float(section["debounce"]),
            float(section["active_idle"]),
            bool(section["polling"]),
            offline,
        )


def watch(
    root: str | Path,
    config: Config | None = None,
    *,
    options: WatchOptions | None = None,
    pipeline: Pipeline | None = None,
    fetcher: Fetcher | None = None,
    stop_event: threading.Event | None = None,
) -> Daemon:
    """Run the daemon on ``root`` until ``stop_event`` is set (library entry point).

    ``pipeline`` is the per-note work (default: the features that exist, see
    ``vaultbot.daemon.steps``); ``fetcher`` fetches paper metadata in the background.
    """
    root = Path(root).expanduser().resolve()
    if not root.is_dir():
        raise VaultGone(f"{root}: no such folder (a vault is a folder)")
    config = config or load_config(root)
    options = options or WatchOptions.from_config(config)
    if pipeline is None:
        from vaultbot.daemon.steps import default_pipeline

        pipeline, default_fetcher = default_pipeline(root, config, offline=options.offline)
        fetcher = fetcher if fetcher is not None else default_fetcher
    daemon = Daemon(
        root, config, options, pipeline, None if options.offline else fetcher, stop_event
    )
    daemon.run()
    return daemon  # the caller decides when to free it (a 10k-note vault takes ~1 s)


class Daemon(NoteProcessor):
    """One running daemon: the lock, the observer and the loop around a NoteProcessor."""

    def __init__(
        self,
        root: Path,
        config: Config,
        options: WatchOptions,
        pipeline: Pipeline,
        fetcher: Fetcher | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        super().__init__(root, config, options, pipeline, fetcher, stop_event)
        self.observer: BaseObserver | None = None
        self._rescan_wanted = threading.Event()
        self.lock = DaemonLock(root, vault=str(root))
        self._warm = False  # the pipeline ran once (its vault-wide state is built)

    # -- lifecycle ---------------------------------------------------------------------

    def run(self) -> None:
        """Hold the daemon lock, reconcile, then handle events until stopped."""
        lock = self.lock
        lock.acquire()
        if lock.took_over:
            log.warning(
                "took over a stale daemon lock from %s (not running)", lock.took_over.describe()
            )
        try:
            self._start()
            self._loop()
        finally:
            self._shutdown()
            lock.release()

    def _start(self) -> None:
        started = time.monotonic()
        self.status.flush(force=True)
        self.state = WatchState.load(self.folder)
        self.vault = load_vault(self.root, self.config)
        self._index_mentions(self.vault.notes)
        self._reconcile()
        log.info(
            "watching %s: %d notes, %d to check (startup took %.2f s)",
            self.root,
            len(self.vault.notes),
            len(self.queue),
            time.monotonic() - started,
        )
        self._start_observer()
        if self.worker is not None:
            self.worker.start()
        # "running" once the pipeline has run (``_warm_up``): a caller waiting for it knows
        # the first save will not pay for building the pipeline's vault-wide state
        self.status.update(state="warming up", queue=len(self.queue))
        self.status.flush(force=True)
        gc.freeze()  # the parsed vault lives all day: keep full collections from rescanning it

    def _start_observer(self) -> None:
        handler = VaultEventHandler(
            self.root, self.config.get("vault", "ignore"), self.queue.touch, self._request_rescan
        )
        interval = min(2.0, max(0.5, self.options.debounce))
        self.observer, kind = start_observer(
            self.root,
            handler,
            polling=self.options.polling,
            interval=interval,
            probe_dir=self.folder,
        )
        self.status.update(observer=kind)
        log.info("observer: %s", kind)

    def _shutdown(self) -> None:
        self.stop.set()
        if self.worker is not None:
            self.worker.wake()
        observer = self.observer
        if observer is not None:  # its threads are daemon threads: no long join needed
            observer.stop()
            observer.join(timeout=0.2)
        self._save_state(force=True)
        self.status.update(state="stopped")
        try:
            self.status.flush(force=True)
        except OSError:
            pass
        log.info("stopped")

    # -- the loop ----------------------------------------------------------------------

    def _loop(self) -> None:
        while not self.stop.is_set():
            self.queue.wait(TICK)
            if self.stop.is_set():
                break
            self._check_health()
            due = self.queue.pop_due()
            if due:
                self._handle_batch(due)
                if len(due) > BIG_BATCH:
                    gc.freeze()  # notes re-parsed on a first start are long-lived too
            elif not self._warm and len(self.queue) == 0:
                self._warm_up()
            self._save_state()
            self._report()

    def _warm_up(self) -> None:
        """Run the pipeline once on no note while nothing is queued after start-up.

        Its vault-wide state (the link step's similarity graph: ~20 s on 10,000 notes)
        is then built before the user's first save instead of during it, so that save
        is handled in milliseconds (issue 8: debounce + under 0.5 s).  A save arriving
        meanwhile waits for it, as it would have for the build.
        """
        self._warm = True
        started = time.monotonic()
        try:
            self._run_pipeline([])
        except Abandoned as exc:
            log.info("%s", exc)
            return
        except VaultGone:
            raise
        except Exception as exc:  # noqa: BLE001 - the first real note builds it again, and reports
            log.warning(
                "warming up the pipeline failed (%s: %s); continuing", type(exc).__name__, exc
            )
        else:
            log.info("pipeline ready (warm-up took %.2f s)", time.monotonic() - started)
        gc.freeze()  # the graph lives all day too
        self.status.update(state="running")
        self.status.flush(force=True)

    def _check_health(self) -> None:
        """Stop on a vanished vault; restart a dead observer and catch up by rescanning."""
        if not self.root.is_dir():
            raise VaultGone(f"{self.root}: the vault folder was removed or unmounted; stopping")
        if not self.lock.still_held():
            self._recreate_lock()
        observer = self.observer
        if observer is not None and not observer.is_alive():
            log.error(
                "the file observer stopped unexpectedly; restarting it and rescanning the vault"
            )
            self._start_observer()
            self._rescan()
        if self._rescan_wanted.is_set():
            self._rescan_wanted.clear()
            self._rescan()

    def _request_rescan(self) -> None:
        """Called on watchdog's thread when a folder moved: the loop rescans (it owns the vault)."""
        self._rescan_wanted.set()
        self.queue.wake()

    def _recreate_lock(self) -> None:
        """``.vaultbot/`` was deleted under the daemon: take the lock again, save state anew."""
        log.warning("%s was deleted; recreating the daemon lock and the saved state", self.folder)
        try:
            self.lock.acquire_again()
        except FileNotFoundError as exc:
            if not self.root.is_dir():
                raise VaultGone(
                    f"{self.root}: the vault folder was removed or unmounted; stopping"
                ) from exc
            raise
        self._state_dirty = True
