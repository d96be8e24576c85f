"""``.vaultbot/`` keeps a vault in git clean: only the metadata cache is ever shown."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vaultbot.locks import vault_write_lock
from vaultbot.state import GITIGNORE, state_dir
from vaultbot.sync import run_sync

VAULTS = Path(__file__).parent / "vaults"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture()
def vault_in_git(tmp_path: Path) -> Path:
    root = tmp_path / "v"
    shutil.copytree(VAULTS / "link_small", root)
    _git(root, "init", "-q")
    return root


def test_transient_state_is_ignored_and_the_cache_is_not(vault_in_git: Path) -> None:
    root = vault_in_git
    with vault_write_lock(root):
        pass
    run_sync(root, offline=True)
    folder = root / ".vaultbot"
    for transient in ("vaultbot.log", "status.json", "watch-state.json", "cache.sqlite-wal", "new-file"):
        (folder / transient).write_text("x", encoding="utf-8")
    (folder / "cache.sqlite").write_bytes(b"")
    shown = {line[3:] for line in _git(root, "status", "--porcelain", "-uall").splitlines()}
    in_state = {p for p in shown if p.startswith(".vaultbot/")}
    assert in_state == {".vaultbot/.gitignore", ".vaultbot/cache.sqlite"}


def test_an_existing_gitignore_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / ".vaultbot"
    folder.mkdir()
    (folder / ".gitignore").write_text("mine\n", encoding="utf-8")
    assert state_dir(tmp_path) == folder
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "mine\n"


def test_a_new_state_folder_gets_the_gitignore(tmp_path: Path) -> None:
    state_dir(tmp_path)
    assert (tmp_path / ".vaultbot" / ".gitignore").read_text(encoding="utf-8") == GITIGNORE
