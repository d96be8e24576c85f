"""The pre-commit hooks, installed with the real ``pre-commit`` tool into a throwaway git repo.

pre-commit clones the hook repository at a commit and pip-installs it into its own
virtualenv, exactly as a user's machine does.  The hook repository is a snapshot of this
checkout's tracked files (as they are on disk), so the test exercises the code under
test, not whatever was last committed.  One environment is built per test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from checkout_snapshot import copy_checkout

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def snapshot_checkout(dest: Path) -> str:
    """Copy the checkout's tracked files into a new git repo at ``dest``; return its commit."""
    copy_checkout(dest)
    init_repo(dest)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return git(dest, "rev-parse", "HEAD").stdout.strip()


def init_repo(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@example.invalid")
    git(path, "config", "user.name", "vaultbot test")
    git(path, "config", "commit.gpgsign", "false")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    base = tmp_path_factory.mktemp("precommit")
    sha = snapshot_checkout(base / "vaultbot-hooks")
    return base / "vaultbot-hooks", sha, base / "pre-commit-home"


def make_vault_repo(
    path: Path, hook_repo: tuple[Path, str, Path], hook_ids: list[str]
) -> dict[str, str]:
    repo, sha, home = hook_repo
    init_repo(path)
    hooks = "".join(f"      - id: {hid}\n" for hid in hook_ids)
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {sha}\n    hooks:\n{hooks}", encoding="utf-8"
    )
    (path / ".obsidian").mkdir()
    (path / ".obsidian" / "app.json").write_text(
        '{"attachmentFolderPath": "asset"}\n', encoding="utf-8"
    )
    (path / "asset").mkdir()
    (path / "asset" / "Pasted image 1.png").write_bytes(PNG)
    (path / "2026-01.md").write_text(
        "## 1.2\n\n- idea\n\n![](asset/Pasted%20image%201.png)\n", encoding="utf-8"
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=path,
        check=True,
        capture_output=True,
        env=env,
    )
    git(path, "add", "-A")
    return env


def commit(path: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    """Run ``git commit`` (the hook's report goes to git's stderr)."""
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_broken_image_fails_the_commit_and_a_clean_one_passes(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    vault = tmp_path / "notes"
    env = make_vault_repo(vault, hook_repo, ["vaultbot-lint"])
    first = commit(vault, env, "clean vault")
    assert first.returncode == 0, first.stdout + first.stderr

    note = vault / "2026-01.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\n![](asset/Pasted%20image%202.png)\n", encoding="utf-8"
    )
    git(vault, "add", "2026-01.md")
    broken = commit(vault, env, "broken image")
    assert broken.returncode != 0
    assert (
        "2026-01.md:7:5: missing-asset 'asset/Pasted%20image%202.png' not found: looked for "
        "'asset/Pasted image 2.png' from the vault root, then as the end of any vault path"
    ) in broken.stdout + broken.stderr
    assert git(vault, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    (vault / "asset" / "Pasted image 2.png").write_bytes(PNG)
    git(vault, "add", "-A")
    fixed = commit(vault, env, "image added")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert git(vault, "rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_whole_vault_hook_catches_a_deleted_image(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    """The trade-off: only vaultbot-lint-vault sees a commit that just deletes an image."""
    files_only, vault_wide = tmp_path / "files-only", tmp_path / "vault-wide"
    for path, hook in ((files_only, "vaultbot-lint"), (vault_wide, "vaultbot-lint-vault")):
        env = make_vault_repo(path, hook_repo, [hook])
        assert commit(path, env, "clean vault").returncode == 0
        git(path, "rm", "-q", "asset/Pasted image 1.png")
    assert (
        commit(files_only, env, "delete image").returncode == 0
    )  # no note staged: nothing checked
    deleted = commit(vault_wide, env, "delete image")
    assert deleted.returncode != 0
    assert "2026-01.md:5:5: missing-asset" in deleted.stdout + deleted.stderr
