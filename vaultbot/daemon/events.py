"""Turn watchdog events into vault-relative paths, and start an observer that works.

watchdog delivers events on its own thread and that thread dies silently when a
handler raises, so the handler catches everything and logs it (issue 8).  When the
inotify watch limit is reached, or the filesystem sends no events at all (network and
FUSE mounts), the observer falls back to polling with a warning.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from vaultbot.vault import is_ignored

log = logging.getLogger("vaultbot.watch")

IGNORED_TYPES = {"opened", "closed_no_write", "attrib"}
LIMIT_ERRNOS = {errno.ENOSPC, errno.EMFILE, errno.ENOMEM}
PROBE_NAME = "events-probe"


class VaultEventHandler(FileSystemEventHandler):
    """Forward each visible changed path to ``on_path``; swallow (and log) any failure."""

    def __init__(
        self,
        root: Path,
        ignore: Iterable[str],
        on_path: Callable[[str], None],
        on_folder: Callable[[], None],
    ) -> None:
        self.root = str(root)
        self.ignore = tuple(ignore)
        self.on_path = on_path
        self.on_folder = on_folder
        self.probe_seen = threading.Event()
        self.events_seen = 0

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._dispatch(event)
        except Exception:  # the observer thread must never die (issue 8)
            log.exception("error while handling the event %s %s", event.event_type, event.src_path)

    def _dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in IGNORED_TYPES:
            return
        self.events_seen += 1
        paths = [_text(event.src_path)]
        if event.event_type == "moved":
            paths.append(_text(event.dest_path))
        if paths[0].endswith(PROBE_NAME):
            self.probe_seen.set()
        visible = [rel for rel in map(self._relative, paths) if rel is not None]
        if event.is_directory:
            if visible and event.event_type != "modified":
                self.on_folder()  # a folder moved, created or deleted: rescan it all
            return
        for rel in visible:
            self.on_path(rel)

    def _relative(self, path: str) -> str | None:
        """Return the vault-relative POSIX path, None for hidden or ignored paths."""
        rel = os.path.relpath(path, self.root)
        if rel == "." or rel.startswith(".."):
            return None
        rel = rel.replace(os.sep, "/")
        if any(part.startswith(".") for part in rel.split("/")):
            return None  # .obsidian, .git, .trash, .vaultbot, editors' temp files
        if self.ignore and is_ignored(rel, self.ignore):
            return None
        return rel


def _text(path: str | bytes) -> str:
    return os.fsdecode(path)


def visible_entries(path: str | None) -> Iterator[os.DirEntry[str]]:
    """List a folder for the polling observer, skipping dot-files as Obsidian does."""
    with os.scandir(path) as entries:
        return iter([e for e in entries if not e.name.startswith(".")])


def polling_observer(interval: float) -> BaseObserver:
    """Return a polling observer that never walks hidden folders like ``.git``."""
    from watchdog.observers.polling import PollingObserverVFS

    return PollingObserverVFS(os.stat, visible_entries, polling_interval=interval)


def start_observer(
    root: Path, handler: VaultEventHandler, *, polling: bool, interval: float, probe_dir: Path
) -> tuple[BaseObserver, str]:
    """Start the native observer, or polling when forced or when native events fail."""
    if not polling:
        try:
            observer = _start(_native(), root, handler)
        except OSError as exc:
            if exc.errno not in LIMIT_ERRNOS:
                raise
            log.warning(
                "cannot watch %s for events (%s): the inotify watch limit is probably reached "
                "(raise fs.inotify.max_user_watches); falling back to polling every %.1f s",
                root,
                exc.strerror or exc,
                interval,
            )
        else:
            if _events_arrive(handler, probe_dir):
                return observer, type(observer).__name__
            log.warning(
                "no file events arrive from %s (a network or FUSE filesystem?); "
                "falling back to polling every %.1f s",
                root,
                interval,
            )
            _stop(observer)
    return _start(polling_observer(interval), root, handler), "polling"


def _native() -> BaseObserver:
    from watchdog.observers import Observer

    return Observer()


def _start(observer: BaseObserver, root: Path, handler: VaultEventHandler) -> BaseObserver:
    observer.daemon = True
    observer.schedule(handler, str(root), recursive=True)
    observer.start()
    return observer


def _events_arrive(handler: VaultEventHandler, probe_dir: Path, timeout: float = 2.0) -> bool:
    """Write a probe file in the state folder and wait for its event."""
    probe = probe_dir / PROBE_NAME
    handler.probe_seen.clear()
    try:
        probe.write_bytes(str(time.time()).encode())
        seen = handler.probe_seen.wait(timeout)
        probe.unlink()
    except OSError as exc:
        log.debug("event probe failed: %s", exc)
        return True
    return seen


def _stop(observer: BaseObserver) -> None:
    observer.stop()
    try:
        observer.join(timeout=1.0)
    except RuntimeError:
        pass
