"""One writer per vault: writing commands wait for the vault's write lock; lint does not."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vaultbot.locks import vault_write_lock

ROOT = Path(__file__).resolve().parent.parent
VAULTS = Path(__file__).parent / "vaults"


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vaultbot", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


@pytest.mark.parametrize(
    ("source", "args"),
    [
        (ROOT / "sample_vault", ("resolve", "--offline")),
        (VAULTS / "assets", ("lint", "--fix")),
    ],
    ids=["resolve", "lint-fix"],
)
def test_writing_commands_wait_for_the_write_lock(tmp_path: Path, source: Path, args: tuple[str, ...]) -> None:
    root = tmp_path / "v"
    shutil.copytree(source, root)
    before = _snapshot(root)
    with vault_write_lock(root):
        proc = _start(*args, str(root))
        time.sleep(2.0)
        assert proc.poll() is None, "the command did not wait for the lock"
        assert _snapshot(root) == before, "a note was written while another writer held the lock"
    proc.communicate(timeout=60)
    assert _snapshot(root) != before


def test_lint_never_waits_for_the_write_lock(tmp_path: Path) -> None:
    root = tmp_path / "v"
    shutil.copytree(ROOT / "sample_vault", root)
    with vault_write_lock(root):
        proc = _start("lint", str(root))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "missing-asset" in out
