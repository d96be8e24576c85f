"""Processing due paths for the daemon: notes through the pipeline, attachments, writes.

Split from ``vaultbot.watch`` (which owns the lifecycle: lock, observer, loop, signals).
Everything here runs on the daemon's main thread, except the pipeline computation,
which runs on a helper thread so that a stop request never waits for it, and
``papers_settled``, which the papers worker calls.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from vaultbot import writer
from vaultbot.config import Config
from vaultbot.daemon.obsidian import ActiveNote
from vaultbot.daemon.pipeline import Outcome, Pipeline
from vaultbot.daemon.queue import DebounceQueue
from vaultbot.daemon.state import FileStamp, WatchState, digest
from vaultbot.daemon.status import DaemonStatus
from vaultbot.daemon.worker import Fetcher, PapersWorker
from vaultbot.diagnostics import ORDER, Edit
from vaultbot.errors import LockError, VaultbotError
from vaultbot.locks import state_dir, vault_write_lock
from vaultbot.model import Note
from vaultbot.vault import NOTE_SUFFIX, Vault, _load_one

if TYPE_CHECKING:
    from vaultbot.watch import WatchOptions

log = logging.getLogger("vaultbot.watch")
T = TypeVar("T")

WRITE_LOCK_WAIT = 2.0  # a one-shot run holding the write lock longer: requeue, retry later
SAVE_EVERY = 5.0  # seconds between saves of the watch state while busy
CHUNK = 500  # notes per pipeline call (a first start checks the whole vault in chunks)


class Abandoned(Exception):
    """A stop request arrived while the pipeline was computing; nothing was written."""


class VaultGone(VaultbotError):
    """The vault folder was removed or unmounted under the running daemon."""


class NoteProcessor:
    """The daemon's in-memory vault and saved state, and what it does with due paths."""

    def __init__(
        self,
        root: Path,
        config: Config,
        options: WatchOptions,
        pipeline: Pipeline,
        fetcher: Fetcher | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.root, self.config, self.options, self.pipeline = root, config, options, pipeline
        self.stop = stop_event or threading.Event()
        self.folder = state_dir(root)
        self.queue = DebounceQueue(options.debounce)
        self.forced: set[str] = set()
        self._read: dict[str, tuple[bytes, FileStamp | None]] = {}
        self.active = ActiveNote(root)
        self.status = DaemonStatus(self.folder, str(root))
        self.worker = PapersWorker(fetcher, self._papers_settled, self.stop) if fetcher else None
        self.mentions: dict[str, set[str]] = {}
        self.vault: Vault | None = None
        self.state = WatchState(self.folder)
        self._saved_at = time.monotonic()
        self._state_dirty = False

    def _report(self, force: bool = False) -> None:
        papers = len(self.worker) if self.worker is not None else 0
        if not force:
            self.status.update(queue=len(self.queue))
        self.status.update(papers_pending=papers)
        try:
            self.status.flush(force)
        except OSError as exc:
            log.warning("cannot write the status file: %s", exc)

    # -- reconcile ---------------------------------------------------------------------

    def _reconcile(self) -> None:
        """Queue whatever changed since the saved state (everything on a first start)."""
        assert self.vault is not None
        raws = {rel: src.raw for rel, src in self.vault.sources.items()}
        changes = self.state.diff(self.root, self.vault.files, raws)
        if self.state.fresh:  # nothing to compare attachments with: take them as they are
            self.state.assets = set(self.vault.files) - set(self.vault.note_paths)
            changes = dataclasses.replace(changes, assets=())
        for rel in (*changes.notes, *changes.removed_notes, *changes.assets):
            self.queue.touch(rel, 0.0)

    def _rescan(self) -> None:
        """Rescan the vault's file list (a folder moved or the observer restarted)."""
        assert self.vault is not None
        self.vault = self.vault.with_files()
        raws = {rel: src.raw for rel, src in self.vault.sources.items()}
        changes = self.state.diff(self.root, self.vault.files, raws)
        for rel in (*changes.notes, *changes.removed_notes, *changes.assets):
            self.queue.touch(rel)

    # -- one batch of due paths ----------------------------------------------------------

    def _handle_batch(self, rels: list[str]) -> None:
        """Sort due paths into notes to process and attachments; process notes in chunks."""
        todo: list[str] = []
        self.status.update(queue=len(self.queue) + len(rels))  # in flight counts as queued
        self._report(force=True)
        for rel in rels:
            if self.stop.is_set():
                return  # unrecorded: the next start reconciles these
            try:
                if not rel.lower().endswith(NOTE_SUFFIX):
                    self._handle_asset(rel)
                elif self._prepare_note(rel):
                    todo.append(rel)
            except VaultGone:
                raise
            except Exception as exc:  # noqa: BLE001
                self._failed(rel, exc)
        for start in range(0, len(todo), CHUNK):
            if self.stop.is_set():
                for rel in todo[start:]:
                    self.queue.touch(rel, 0.0)  # unfinished; the next start reconciles it anyway
                return
            try:
                self._process(todo[start : start + CHUNK])
            except Abandoned as exc:
                log.info("%s", exc)
                return

    def _process(self, rels: list[str]) -> None:
        """Run the pipeline on ``rels``; when it fails, find the culprit note by note."""
        try:
            written = self._run_pipeline(rels)
        except (VaultGone, Abandoned):
            raise
        except Exception as exc:  # noqa: BLE001
            if len(rels) == 1:
                self._failed(rels[0], exc)
                return
            log.debug("processing %d notes together failed (%s); one by one now", len(rels), exc)
            for rel in rels:
                self._process([rel])
            return
        for rel in rels:
            raw, before = self._read.pop(rel, (None, None))
            if rel not in written and raw is not None:
                self._record(rel, raw, before)

    def _failed(self, rel: str, exc: Exception) -> None:
        """Log a note's failure with its file; it is retried when it changes again."""
        log.error(
            "%s: error while processing this note; skipped until it changes",
            rel,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        self.status.error(rel, f"{type(exc).__name__}: {exc}")
        raw, before = self._read.pop(rel, (None, None))
        self._record(rel, raw, before)

    def _prepare_note(self, rel: str) -> bool:
        """Re-read a due note; return True when the pipeline must see it."""
        assert self.vault is not None
        path = self.root / rel
        if not path.is_file():
            return self._note_removed(rel)
        if self._hold_active(rel, path):
            return False
        forced = rel in self.forced
        self.forced.discard(rel)
        before = _stamp(path)  # taken before reading: a save after it changes the stamp
        if not forced and self.state.is_current(rel, before, None):
            return False  # vaultbot's own write, or nothing changed
        if not self._parsed_is_current(rel, path):
            self._reload(rel)
        if rel in self.vault.unreadable:
            self._note_unreadable(rel)
            return False
        raw = self.vault.sources[rel].raw
        if not forced and self.state.is_current(rel, before, raw):
            self._record(rel, raw, before)  # touched, or saved with identical bytes
            return False
        self._read[rel] = (raw, before)
        self._index_mentions({rel: self.vault.notes[rel]})
        return True

    def _reload(self, rel: str) -> None:
        """Re-read and re-parse one note in memory.

        ``Vault.with_note`` also rebuilds the sorted file index; for a note already in
        the index that costs more than the parse on a big vault (80k files), so only the
        note's own entries are replaced then.
        """
        assert self.vault is not None
        if not (self.root / rel).is_file():
            return  # gone: the removal is handled when its event (or the requeue) is due
        if rel not in self.vault.files:
            self.vault = self.vault.with_note(rel)
            return
        notes, sources, unreadable = {}, {}, {}  # type: ignore[var-annotated]
        _load_one(self.root, rel, self.config, notes, sources, unreadable)
        self.vault = dataclasses.replace(
            self.vault,
            notes=_replaced(self.vault.notes, rel, notes),
            sources=_replaced(self.vault.sources, rel, sources),
            unreadable=_replaced(self.vault.unreadable, rel, unreadable),
        )

    def _parsed_is_current(self, rel: str, path: Path) -> bool:
        """Return True when the note in memory was parsed from the bytes now on disk."""
        assert self.vault is not None
        source = self.vault.sources.get(rel)
        if source is None:
            return False
        try:
            return path.read_bytes() == source.raw
        except OSError:
            return False

    def _note_removed(self, rel: str) -> bool:
        assert self.vault is not None
        if rel not in self.vault.files and rel not in self.state.notes:
            return False
        log.info("%s: removed", rel)
        self.vault = self.vault.with_note(rel)
        self.mentions.pop(rel, None)
        self.state.record(rel, None)
        self._state_dirty = True
        self._recheck_referrers(rel)
        return True

    def _note_unreadable(self, rel: str) -> None:
        assert self.vault is not None
        error = self.vault.unreadable[rel]
        log.warning("%s:%d: unreadable-note %s", rel, error.line, error.reason)
        self.status.error(rel, error.reason)
        self._record(rel)

    def _handle_asset(self, rel: str) -> None:
        """An attachment appeared or went away: update the index, re-check its referrers."""
        assert self.vault is not None
        exists = (self.root / rel).is_file()
        files = set(self.vault.files)
        if exists == (rel in files):
            return
        (files.add if exists else files.discard)(rel)
        (self.state.assets.add if exists else self.state.assets.discard)(rel)
        self._state_dirty = True
        self.vault = dataclasses.replace(self.vault, files=tuple(sorted(files)))
        log.info("%s: %s", rel, "added" if exists else "removed")
        self._recheck_referrers(rel)

    def _recheck_referrers(self, rel: str) -> None:
        """Queue every note whose links name ``rel``'s file (Obsidian resolves by name)."""
        assert self.vault is not None
        name = rel.rsplit("/", 1)[-1].casefold()
        stem = name[: -len(NOTE_SUFFIX)] if name.endswith(NOTE_SUFFIX) else None
        for note_rel, note in self.vault.notes.items():
            for link in note.links:
                target = link.path.rsplit("/", 1)[-1].casefold()
                if target and (target == name or target == stem):
                    self.forced.add(note_rel)
                    self.queue.touch(note_rel, 0.0)
                    break

    def _hold_active(self, rel: str, path: Path) -> bool:
        """Leave the note open in Obsidian's active pane alone until it has been idle."""
        if self.active.current() != rel:
            return False
        try:
            since_save = time.time() - path.stat().st_mtime
        except OSError:
            return False
        idle = min(since_save, self.queue.quiet_for(rel))
        if idle >= self.options.active_idle:
            return False
        wait = self.options.active_idle - idle
        log.debug("%s: open in Obsidian's active pane; waiting %.1f s more", rel, wait)
        self.queue.defer(rel, time.monotonic() + wait)
        return True

    # -- pipeline and writes -----------------------------------------------------------

    def _run_pipeline(self, rels: list[str]) -> set[str]:
        """Run the pipeline on ``rels``; return the notes written."""
        assert self.vault is not None
        started = time.monotonic()
        outcome = self._compute(rels)
        log.debug(
            "processed %d note(s) in %.0f ms: %s",
            len(rels),
            (time.monotonic() - started) * 1000,
            ", ".join(rels[:3]) + (" ..." if len(rels) > 3 else ""),
        )
        self.status.update(processed=self.status.processed + len(rels))
        for diag in sorted(outcome.diagnostics, key=ORDER):
            log.info("%s:%d:%d: %s %s", diag.path, diag.line, diag.column, diag.rule, diag.message)
        if outcome.papers and self.worker is not None:
            self.worker.add(outcome.papers)
        return self._write(outcome) if outcome.edits else set()

    def _compute(self, rels: list[str]) -> Outcome:
        """Run the pipeline on a helper thread, so a stop request never waits for it.

        On SIGTERM the computation is abandoned (nothing was written yet; the notes are
        reconciled on the next start) and the daemon exits within its 2 s promise.
        """
        assert self.vault is not None
        box: dict[str, object] = {}
        vault = self.vault

        def compute() -> None:
            try:
                box["outcome"] = self.pipeline(vault, rels)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
                box["error"] = exc

        thread = threading.Thread(target=compute, name="vaultbot-pipeline", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.05)
            if self.stop.is_set() and thread.is_alive():
                raise Abandoned(f"stopping: abandoned the work on {len(rels)} note(s)")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["outcome"]  # type: ignore[return-value]

    def _write(self, outcome: Outcome) -> set[str]:
        """Apply the edits under the vault write lock, file by file; return the notes written.

        A stop request is honoured between files (never inside one): the rest is
        abandoned unrecorded, so the next start reconciles it.
        """
        by_path: dict[str, list[Edit]] = {}
        for edit in outcome.edits:
            by_path.setdefault(edit.path, []).append(edit)
        held = {rel for rel in by_path if self._is_held(rel)}
        written: set[str] = set()
        try:
            with vault_write_lock(self.root, wait=WRITE_LOCK_WAIT):
                for rel in sorted(set(by_path) - held):
                    if self.stop.is_set():
                        raise Abandoned("stopping: abandoned the remaining writes")
                    if self._write_one(rel, by_path[rel]):
                        written.add(rel)
        except LockError:
            log.info("another vaultbot process is writing; retrying later")
            self._requeue(set(by_path) - held - written)
        self.status.update(written=self.status.written + len(written))
        return written

    def _write_one(self, rel: str, edits: list[Edit]) -> bool:
        """Write one note; requeue it when it changed since it was read (or right after)."""
        assert self.vault is not None
        source = self.vault.sources[rel]
        ours = writer.encode(
            writer.splice(writer.decode(source.raw)[0], edits, source.newline), source.bom
        )
        result = writer.apply(self.root, edits, self.vault.sources)
        for path, reason in result.skipped:
            log.info("%s: not written (%s)", path, reason)
            self._requeue({path})
        if not result.written:
            return False
        log.info("%s: updated", rel)
        stamp = _stamp(self.root / rel)
        self._reload(rel)
        now = self.vault.sources.get(rel)
        if stamp is None or now is None or now.raw != ours:  # moved, deleted or saved meanwhile
            self._requeue({rel})
            return True
        self._record(rel, ours, stamp)
        return True

    def _is_held(self, rel: str) -> bool:
        """Return True (and requeue) when ``rel`` is the active note and not idle yet."""
        path = self.root / rel
        if self._hold_active(rel, path):
            self.forced.add(rel)
            return True
        return False

    def _requeue(self, paths: set[str]) -> None:
        for rel in paths:
            self.forced.add(rel)
            self.queue.touch(rel)

    # -- papers ------------------------------------------------------------------------

    def _index_mentions(self, notes: Mapping[str, Note]) -> None:
        for rel, note in notes.items():
            self.mentions[rel] = {m.paper_id for m in note.mentions}

    def _papers_settled(self, ids: set[str]) -> None:
        """Called by the worker thread: requeue the notes that mention these papers."""
        for rel, mentioned in list(self.mentions.items()):
            if mentioned & ids:
                self.forced.add(rel)
                self.queue.touch(rel, 0.0)

    # -- state -------------------------------------------------------------------------

    def _record(self, rel: str, raw: bytes | None = None, stamp: FileStamp | None = None) -> None:
        """Remember ``rel`` as processed: its stamp (now, unless given) and content hash."""
        stamp = stamp or _stamp(self.root / rel)
        if stamp is not None and raw is not None:
            stamp = FileStamp(stamp.size, stamp.mtime_ns, digest(raw))
        self.state.record(rel, stamp)
        self._state_dirty = True

    def _save_state(self, force: bool = False) -> None:
        if not self._state_dirty or (
            not force and time.monotonic() - self._saved_at < SAVE_EVERY and len(self.queue)
        ):
            return
        try:
            self.state.save()
        except OSError as exc:
            log.warning("cannot save the watch state in %s: %s", self.folder, exc)
            return
        self._saved_at, self._state_dirty = time.monotonic(), False


def _stamp(path: Path) -> FileStamp | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return FileStamp(st.st_size, st.st_mtime_ns)


def _replaced(table: Mapping[str, T], rel: str, new: Mapping[str, T]) -> dict[str, T]:
    """Return a copy of ``table`` whose entry for ``rel`` is ``new``'s (or none)."""
    out = dict(table)
    out.pop(rel, None)
    out.update(new)
    return out
