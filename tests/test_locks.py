"""The daemon lock and the vault write lock, held by real separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vaultbot.errors import LockError
from vaultbot.locks import DaemonLock, daemon_owner, hostname, vault_write_lock

HOLD_DAEMON = """
import sys, time
from pathlib import Path
from vaultbot.locks import DaemonLock
lock = DaemonLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""

HOLD_WRITE = """
import sys, time
from pathlib import Path
from vaultbot.locks import vault_write_lock
with vault_write_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(script: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_daemon_is_refused_naming_the_pid(tmp_path: Path) -> None:
    proc = _holder(HOLD_DAEMON, str(tmp_path))
    try:
        with pytest.raises(LockError, match=f"PID {proc.pid} on {hostname()}"):
            DaemonLock(tmp_path).acquire()
        owner = daemon_owner(tmp_path)
        assert owner is not None and owner.pid == proc.pid
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_killed_daemon_is_taken_over(tmp_path: Path) -> None:
    proc = _holder(HOLD_DAEMON, str(tmp_path))
    proc.kill()  # kill -9: the file stays, the flock goes
    proc.wait()
    assert (tmp_path / ".vaultbot" / "daemon.lock").exists()
    assert daemon_owner(tmp_path) is None
    lock = DaemonLock(tmp_path)
    lock.acquire()
    try:
        assert lock.took_over is not None and lock.took_over.pid == proc.pid
        record = json.loads((tmp_path / ".vaultbot" / "daemon.lock").read_text())
        assert record["pid"] == os.getpid() and record["host"] == hostname()
    finally:
        lock.release()
    assert not (tmp_path / ".vaultbot" / "daemon.lock").exists()


def test_stale_lock_file_of_dead_pid_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / ".vaultbot").mkdir()
    dead = _dead_pid()
    record = {"pid": dead, "host": hostname(), "started": "2026-01-01T00:00:00+00:00"}
    (tmp_path / ".vaultbot" / "daemon.lock").write_text(json.dumps(record))
    with DaemonLock(tmp_path) as lock:
        assert lock.took_over is not None and lock.took_over.pid == dead


def test_lock_from_another_host_is_respected(tmp_path: Path) -> None:
    (tmp_path / ".vaultbot").mkdir()
    record = {"pid": 4242, "host": "laptop-elsewhere", "started": "2026-01-01T00:00:00+00:00"}
    (tmp_path / ".vaultbot" / "daemon.lock").write_text(json.dumps(record))
    with pytest.raises(LockError, match="PID 4242 on laptop-elsewhere.*synced between machines"):
        DaemonLock(tmp_path).acquire()
    owner = daemon_owner(tmp_path)
    assert owner is not None and owner.host == "laptop-elsewhere"
    assert json.loads((tmp_path / ".vaultbot" / "daemon.lock").read_text()) == record


def test_corrupt_lock_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / ".vaultbot").mkdir()
    (tmp_path / ".vaultbot" / "daemon.lock").write_bytes(b"\x00garbage{")
    with DaemonLock(tmp_path, vault=str(tmp_path)):
        record = json.loads((tmp_path / ".vaultbot" / "daemon.lock").read_text())
        assert record["pid"] == os.getpid() and record["vault"] == str(tmp_path)


def test_write_lock_timeout_and_wait(tmp_path: Path) -> None:
    proc = _holder(HOLD_WRITE, str(tmp_path), "1.0")
    try:
        with pytest.raises(LockError, match="another vaultbot process is writing"):
            with vault_write_lock(tmp_path, wait=False):
                pass
        started = time.monotonic()
        with vault_write_lock(tmp_path, wait=True):
            waited = time.monotonic() - started
        assert waited > 0.3  # it really waited for the other writer to finish
    finally:
        proc.wait(timeout=10)


def test_write_lock_is_released_after_its_block(tmp_path: Path) -> None:
    with vault_write_lock(tmp_path, wait=0.5):
        pass
    with vault_write_lock(tmp_path, wait=0.5):
        assert (tmp_path / ".vaultbot" / "write.lock").exists()
