"""The two locks of a vault: one daemon per vault, one writer per vault.

``.vaultbot/daemon.lock`` names the running ``vaultbot watch`` (JSON: pid, host,
started).  It is held with ``flock`` for the daemon's lifetime, so a crashed daemon
(kill -9) never blocks the next start on this host; the JSON says who holds it, and
records the host because vaults are synced between machines (Syncthing, Dropbox,
iCloud), where ``flock`` does not reach the other machine.

``.vaultbot/write.lock`` serialises writers: every command that rewrites notes
(resolve, link, sync, clean, watch) takes it around its writes; ``lint`` never does.
Both locks are ``fcntl.flock`` locks, which the kernel drops when the process dies.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vaultbot.config import STATE_DIR
from vaultbot.errors import LockError
from vaultbot.state import state_dir

DAEMON_LOCK = "daemon.lock"
WRITE_LOCK = "write.lock"
_POLL = 0.05


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds the daemon lock, as recorded in the lock file."""

    pid: int
    host: str
    started: str
    extra: dict[str, Any]

    @classmethod
    def from_json(cls, text: str) -> LockOwner | None:
        """Return the owner recorded in ``text``, or None when it is not a valid record."""
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data.get("started", "")), data)
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        """Return ``PID 123 on host``, the way error messages name the holder."""
        return f"PID {self.pid} on {self.host}" + (
            f" (since {self.started})" if self.started else ""
        )


def hostname() -> str:
    """Return this machine's name as recorded in the daemon lock."""
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Return True when a process with ``pid`` exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class DaemonLock:
    """The one-daemon-per-vault lock; use ``acquire()``/``release()`` or ``with``."""

    def __init__(self, root: Path, **extra: Any) -> None:
        self.path = state_dir(root) / DAEMON_LOCK
        self.extra = extra
        self._fd: int | None = None
        self.took_over: LockOwner | None = None

    def acquire(self) -> None:
        """Take the lock or raise LockError naming the PID (and host) that holds it."""
        for _ in range(20):  # the holder may unlink the file between our open and lock
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_flock(fd):
                owner = _read_owner(fd)
                os.close(fd)
                raise LockError(_running_message(self.path, owner))
            if _same_file(fd, self.path):
                break
            os.close(fd)
        else:  # pragma: no cover - needs a pathological unlink storm
            raise LockError(f"{self.path}: could not take the lock (it keeps being replaced)")
        try:
            self._check_previous(fd)
        except LockError:
            os.close(fd)
            raise
        self._fd = fd
        self._write_record()

    def _check_previous(self, fd: int) -> None:
        """Refuse a lock recorded by a daemon on another host; note a stale one taken over."""
        owner = _read_owner(fd)
        if owner is None:
            return
        if owner.host != hostname():
            raise LockError(
                f"{self.path}: held by {owner.describe()}; this vault seems to be synced between "
                f"machines and a daemon runs there. Run one daemon per vault; if none runs on "
                f"{owner.host}, delete {self.path}."
            )
        if owner.pid != os.getpid():
            self.took_over = owner  # its process is gone: flock would have failed otherwise

    def _write_record(self) -> None:
        assert self._fd is not None
        record = {"pid": os.getpid(), "host": hostname(), "started": _now_iso(), **self.extra}
        data = (json.dumps(record, indent=2) + "\n").encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)

    def still_held(self) -> bool:
        """Return False when the lock file was deleted or replaced under us."""
        return self._fd is not None and _same_file(self._fd, self.path)

    def acquire_again(self) -> None:
        """Drop a lock whose file vanished and take a fresh one."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.path.parent.mkdir(exist_ok=True)
        self.acquire()

    def release(self) -> None:
        """Remove the lock file and drop the lock (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if _same_file(self._fd, self.path):
                os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def daemon_owner(root: Path) -> LockOwner | None:
    """Return who runs a daemon on this vault, or None when no daemon runs.

    A lock file from another host counts as running (its flock cannot be seen here).
    """
    path = Path(root) / STATE_DIR / DAEMON_LOCK
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        owner = _read_owner(fd)
        if not _try_flock(fd):
            return owner or LockOwner(0, "?", "", {})
        fcntl.flock(fd, fcntl.LOCK_UN)
        if owner is not None and owner.host != hostname():
            return owner
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def vault_write_lock(root: Path, wait: bool | float = True) -> Iterator[None]:
    """Hold the vault's write lock around a block of note writes.

    ``wait=True`` blocks until the lock is free, ``wait=False`` fails at once, and a
    number waits at most that many seconds; a failure raises LockError.  The lock file
    is never deleted, so every writer locks the same inode.
    """
    path = state_dir(root) / WRITE_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _wait_flock(fd, wait, path)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _wait_flock(fd: int, wait: bool | float, path: Path) -> None:
    if wait is True:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + (0.0 if wait is False else float(wait))
    while not _try_flock(fd):
        if time.monotonic() >= deadline:
            raise LockError(
                f"{path}: another vaultbot process is writing to this vault; try again later"
            )
        time.sleep(_POLL)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _read_owner(fd: int) -> LockOwner | None:
    try:
        data = os.pread(fd, 65536, 0)
    except OSError:
        return None
    return LockOwner.from_json(data.decode("utf-8", "replace"))


def _running_message(path: Path, owner: LockOwner | None) -> str:
    who = owner.describe() if owner else "another process"
    pid = f" (kill {owner.pid} to stop it)" if owner and owner.host == hostname() else ""
    return f"a vaultbot daemon already runs on this vault: {who}{pid}; lock file {path}"


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
